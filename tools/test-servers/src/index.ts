export type {
  AuthorizationServer,
  AuthorizationServerOptions,
  TokenRequestRecord,
} from './authorization-server.js';
export { clients, MAIL_RESOURCE, startAuthorizationServer } from './authorization-server.js';
export type { SignInOptions } from './sign-in.js';
export { approveDeviceCode, signIn } from './sign-in.js';
export type { ChromiumOptions, HeadlessChromium } from './chromium.js';
export { CHROMIUM_FLAGS, CHROMIUM_PATH, isChromiumInstalled, launchChromium } from './chromium.js';
