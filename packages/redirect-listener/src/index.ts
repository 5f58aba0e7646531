export type { FailurePageDetails, PageTemplate, SuccessPageDetails } from './pages.js';
export type {
  ListenerRequestEvent,
  RedirectListenerHttpsOptions,
  RedirectListenerOptions,
} from './redirect-listener.js';
export { RedirectListener, startRedirectListener } from './redirect-listener.js';
