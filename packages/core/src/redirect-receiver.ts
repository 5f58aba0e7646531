/**
 * Receives the authorization redirect of the code flow. The loopback listener
 * (`@oauth-authorizer/redirect-listener`) implements it; so can a "paste the URL" prompt.
 */
export interface RedirectReceiver {
  /**
   * The exact redirect URI to send to the provider, with the real port filled in. Read it after the
   * receiver is ready (the listener reports it once it listens).
   */
  readonly redirectUri: string;
  /**
   * Waits for the one redirect that carries `state` on the expected path and resolves with its full
   * URL (including an `error` redirect with the right state: core turns that into an error).
   * Stray requests do not end the wait.
   *
   * `validate` is core's check of the response (`state`, `iss`, `error`, `code`). A receiver that
   * answers the browser calls it first, and tells the person "complete" only when it returned:
   * when it throws, the browser is told the authorization failed and the wait rejects with what it
   * threw. A receiver that ignores it is still safe, since core validates the URL again.
   */
  waitForCallback(options: {
    state: string;
    signal?: AbortSignal;
    validate?: (callback: URL) => void;
  }): Promise<URL>;
  /** Stops receiving and frees what the receiver holds. Safe to call twice. */
  close(): Promise<void>;
}
