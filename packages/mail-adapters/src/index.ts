export type { AccessTokenRequest, AccessTokenSource, TokenRequestOptions } from './access-token-source.js';
export type {
  MailAuthenticationErrorOptions,
  MailProtocol,
  MailResponseTooLargeErrorOptions,
} from './errors.js';
export {
  MAIL_AUTH_FAILED,
  MAIL_INVALID_SASL_CHALLENGE,
  MAIL_PEER_MISSING,
  MAIL_PROTOCOL_ERROR,
  MAIL_RESPONSE_TOO_LARGE,
  MAIL_TLS_UNAVAILABLE,
  MailAuthenticationError,
  MailResponseTooLargeError,
  POP3_ERROR,
  Pop3Error,
} from './errors.js';
export type { ImapConnectOptions, ImapConnector } from './imapflow.js';
export {
  connectImapFlow,
  createImapConnector,
  DEFAULT_IMAP_MAX_LINE_LENGTH,
  DEFAULT_IMAP_MAX_LITERAL_SIZE,
  DEFAULT_IMAP_MAX_RESPONSE_SIZE,
  DEFAULT_IMAP_MAX_RESPONSE_TOKENS,
} from './imapflow.js';
export type { MailClientOptions } from './mail-clients.js';
export { connectImapFor, connectPop3For, createSmtpTransportFor } from './mail-clients.js';
export type { MailServer, MailSettings, MailTls, TransportSecurityOptions } from './mail-server.js';
export type {
  NodemailerAuthOptions,
  NodemailerOAuth2Auth,
  NodemailerProvisionCallback,
  SmtpTransporter,
  SmtpTransportOptions,
} from './nodemailer.js';
export { createNodemailerAuth, createSmtpTransport } from './nodemailer.js';
export type {
  Pop3CommandOptions,
  Pop3ConnectionOptions,
  Pop3Credentials,
  Pop3RetrieveOptions,
} from './pop3/client.js';
export { Pop3Client } from './pop3/client.js';
export type { Pop3ConnectOptions } from './pop3/connect.js';
export { connectPop3 } from './pop3/connect.js';
export {
  DEFAULT_POP3_MAX_LINE_LENGTH,
  DEFAULT_POP3_MAX_MESSAGE_SIZE,
  DEFAULT_POP3_MAX_RESPONSE_SIZE,
} from './pop3/options.js';
export type {
  Pop3Capabilities,
  Pop3ListEntry,
  Pop3MaildropStatus,
  Pop3UidlEntry,
} from './pop3/response-parser.js';
export type { SaslCredentials, SaslErrorChallenge, SaslMechanism } from './sasl.js';
export {
  decodeSaslErrorChallenge,
  oauthBearerInitialResponse,
  SASL_MECHANISMS,
  saslErrorAcknowledgement,
  saslErrorChallengeFromObject,
  saslInitialResponse,
  xoauth2InitialResponse,
} from './sasl.js';
export { withTokenRetry } from './token-retry.js';
