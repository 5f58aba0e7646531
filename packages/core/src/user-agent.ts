/**
 * What a user interface shows for a device authorization (RFC 8628 §3.3): where to go and the code
 * to enter. Never the device code, which is a secret between the client and the token endpoint.
 *
 * @example
 * ```ts
 * const show = ({ verificationUri, userCode }: DeviceCodePrompt) => console.error(`Open ${verificationUri} and enter ${userCode}`);
 * ```
 */
export interface DeviceCodePrompt {
  /** Where the user goes (`verification_uri`). */
  verificationUri: string;
  /** The verification URI with the user code in it, when the server gives one (`verification_uri_complete`). */
  verificationUriComplete?: string;
  /** The code the user enters at the verification URI. */
  userCode: string;
  /** When the code expires, in ms since the epoch. */
  expiresAt: number;
}

/**
 * The person's side of a flow: opening a URL in a browser and showing a device code. The CLI
 * implements it for a terminal; tests implement it with a headless browser or an HTTP client.
 *
 * @example
 * ```ts
 * const userAgent: UserAgent = {
 *   openUrl: (url) => console.error(`Open ${url}`),
 *   showDeviceCode: ({ verificationUri, userCode }) => console.error(`Enter ${userCode} at ${verificationUri}`),
 * };
 * ```
 */
export interface UserAgent {
  /**
   * Open `url` for the user: the authorization URL in the code flow, the verification URL in the
   * device flow. Implementations that cannot open a browser should show the URL instead.
   */
  openUrl(url: string, purpose: 'authorization' | 'verification'): void | Promise<void>;
  /** Show the user code and verification URI of a device authorization (RFC 8628 §3.3). */
  showDeviceCode?(prompt: DeviceCodePrompt): void | Promise<void>;
}
