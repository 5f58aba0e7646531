export type {
  AuthorizationServer,
  AuthorizationServerOptions,
  TokenRequestRecord,
} from './authorization-server.js';
export { clients, DEVICE_GRANT, MAIL_RESOURCE, startAuthorizationServer } from './authorization-server.js';
export { authorizeTestAccount, expiredTokens, nativeProvider, OFFLINE_SCOPES } from './authorize-account.js';
export type { SelfSignedCertificate } from './certificate.js';
export { createSelfSignedCertificate } from './certificate.js';
export type { ChromiumOptions, HeadlessChromium } from './chromium.js';
export { CHROMIUM_FLAGS, CHROMIUM_PATH, isChromiumInstalled, launchChromium } from './chromium.js';
export type { ConnectionCounter } from './connection-counter.js';
export { startConnectionCounter } from './connection-counter.js';
export type { Dovecot, DovecotMechanism, DovecotOptions } from './dovecot.js';
export { startDovecot } from './dovecot.js';
export type { HostileImapBehaviour, HostileImapServerOptions } from './hostile-imap.js';
export { HOSTILE_IMAP_LITERAL_SIZE, startHostileImapServer } from './hostile-imap.js';
export type { HostilePop3Behaviour, HostilePop3ServerOptions } from './hostile-pop3.js';
export { startHostilePop3Server } from './hostile-pop3.js';
export type { HostileServer, HostileSession } from './hostile-stream.js';
export { DEFAULT_FLOOD_LIMIT, startHostileServer } from './hostile-stream.js';
export type {
  HostileAnswer,
  HostileRequest,
  HostileTokenEndpoint,
} from './hostile-token-endpoint.js';
export { echoRequestAnswer, startHostileTokenEndpoint } from './hostile-token-endpoint.js';
export type { RedisServer, RedisServerOptions } from './redis.js';
export { startRedis } from './redis.js';
export type { SignInOptions } from './sign-in.js';
export { approveDeviceCode, signIn } from './sign-in.js';
export type {
  ReceivedMessage,
  SmtpAuthAttempt,
  SmtpServer,
  SmtpServerOptions,
  TokenIntrospection,
} from './smtp-server.js';
export { startSmtpServer } from './smtp-server.js';
export type { TokenImapServer, TokenImapServerOptions } from './token-imap-server.js';
export { startTokenImapServer } from './token-imap-server.js';
export type { WorkerProcess, WorkerProcessOptions } from './worker-process.js';
export { requireBuilt, startWorkerProcess } from './worker-process.js';
