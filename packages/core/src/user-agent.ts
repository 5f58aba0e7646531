import type { DeviceAuthorization } from './flows/device-code.js';

/**
 * The person's side of a flow: opening a URL in a browser and showing a device code. The CLI
 * implements it for a terminal; tests implement it with a headless browser or an HTTP client.
 */
export interface UserAgent {
  /**
   * Open `url` for the user: the authorization URL in the code flow, the verification URL in the
   * device flow. Implementations that cannot open a browser should show the URL instead.
   */
  openUrl(url: string, purpose: 'authorization' | 'verification'): void | Promise<void>;
  /** Show the user code and verification URL of a device authorization (RFC 8628 §3.3). */
  showDeviceCode?(authorization: DeviceAuthorization): void | Promise<void>;
}
