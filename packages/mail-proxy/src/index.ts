export type {
  ListenerConfig,
  LocalTls,
  ProxyConfig,
  ProxyLimits,
  ProxyProtocol,
  ProxyUser,
  UpstreamServer,
} from './config.js';
export { DEFAULT_PROXY_LIMITS, loadProxyConfig, parseProxyConfig } from './config.js';
export {
  MAIL_PROXY_INSECURE_LISTENER,
  MAIL_PROXY_INVALID_CONFIG,
  MAIL_PROXY_INVALID_PASSWORD_HASH,
  MAIL_PROXY_LISTEN_FAILED,
  MAIL_PROXY_UPSTREAM_UNAVAILABLE,
  ProxyConfigError,
} from './errors.js';
export type { LocalCertificate } from './local-certificate.js';
export { ensureLocalCertificate } from './local-certificate.js';
export type { ProxyLogEntry, ProxyLogger, SessionOutcome } from './log.js';
export { formatLogEntry, stderrLogger } from './log.js';
export type { PasswordHashParameters } from './password-hash.js';
export { hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';
export type { MailProxy, MailProxyOptions, ProtocolHandler, RunningListener } from './proxy-server.js';
export { startMailProxy } from './proxy-server.js';
