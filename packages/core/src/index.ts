export { abortError, sleep, throwIfAborted } from './abort.js';
export { readCachedAccessToken } from './cached-access-token.js';
export { basicCredentials } from './client-authentication.js';
export type { AuthorizationServerMetadata } from './discovery.js';
export { discover, resolveProvider } from './discovery.js';
export * from './errors.js';
export { MAX_LIFETIME_SECONDS } from './field-assert.js';
export type {
  AuthorizationRequest,
  AuthorizationRequestOptions,
  AuthorizeWithCodeOptions,
  ValidatedAuthorizationResponse,
} from './flows/authorization-code.js';
export {
  authorizeWithCode,
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  RESERVED_AUTHORIZATION_PARAMS,
  validateAuthorizationResponse,
} from './flows/authorization-code.js';
export { requestClientCredentials } from './flows/client-credentials.js';
export type {
  AuthorizeWithDeviceCodeOptions,
  DeviceAuthorization,
  DevicePollEvent,
} from './flows/device-code.js';
export {
  authorizeWithDeviceCode,
  pollDeviceAuthorization,
  startDeviceAuthorization,
} from './flows/device-code.js';
export { refreshTokens } from './flows/refresh.js';
export { revokeToken } from './flows/revoke.js';
export {
  type AccountsDirectoryOptions,
  defaultAccountsDirectory,
  defaultHomeDirectory,
  HOME_VARIABLE,
} from './home-directory.js';
export type { LookupFunction } from './loopback.js';
export { isLoopbackAddress, isLoopbackHost, loopbackOnlyLookup } from './loopback.js';
export type { MailTls, SaslMechanism } from './mail-terms.js';
export { MAIL_TLS_MODES, SASL_MECHANISMS } from './mail-terms.js';
export type { PkcePair } from './pkce.js';
export { createPkcePair } from './pkce.js';
export type { ClientAuthMethod, EndpointField, HttpSettings, ProviderConfig } from './provider.js';
export { CLIENT_AUTH_METHODS, ENDPOINT_FIELDS } from './provider.js';
export { REDACTED, redact, redactError } from './redact.js';
export type { RedirectReceiver } from './redirect-receiver.js';
export type { SelfSignedCertificate, SelfSignedCertificateOptions } from './self-signed-certificate.js';
export { ensureSelfSignedCertificate, OpensslError } from './self-signed-certificate.js';
export { decodeAccountName, encodeAccountName } from './stores/account-file-name.js';
export type { FileTokenStoreOptions } from './stores/file.js';
export { FileTokenStore } from './stores/file.js';
export type { LeaveQueue } from './stores/lock-queue.js';
export { AccountLockQueue } from './stores/lock-queue.js';
export { MemoryTokenStore } from './stores/memory.js';
export { shellQuote } from './stores/store-errors.js';
export type { StoreFileSystem } from './stores/store-file-system.js';
// The record checks and the stored-account format, for implementing a store, are in
// `@oauth-authorizer/core/store-kit`.
export type {
  ClientCredentialsFunction,
  GetAccessTokenOptions,
  RefreshAttempt,
  RefreshFunction,
  RefreshRetryOptions,
  TokenManagerEvents,
  TokenManagerGrant,
  TokenManagerOptions,
} from './token-manager.js';
export { TokenManager } from './token-manager.js';
export type { TokenResponseOptions, TokenSet, TokenSetJSON } from './token-set.js';
export {
  boundedTokenSet,
  freshUntil,
  secondsLeft,
  tokenSetFromJSON,
  tokenSetFromResponse,
  tokenSetToJSON,
} from './token-set.js';
export type { StoredAccount, TokenStore, TokenStoreLock } from './token-store.js';
export type { DeviceCodePrompt, UserAgent } from './user-agent.js';
