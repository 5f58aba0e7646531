export type {
  ListenerRequestEvent,
  RedirectListenerHttpsOptions,
  RedirectListenerOptions,
} from './listener-options.js';
export type { FailurePageDetails, PageTemplate, SuccessPageDetails } from './pages.js';
export { RedirectListener, startRedirectListener } from './redirect-listener.js';
