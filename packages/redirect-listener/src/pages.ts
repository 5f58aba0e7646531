/**
 * Details of a successful authorization redirect, HTML-escaped, for a custom success page.
 *
 * @example
 * ```ts
 * const successPage = ({ issuer }: SuccessPageDetails) => `<p>Signed in at ${issuer}.</p>`;
 * ```
 */
export interface SuccessPageDetails {
  /** The `iss` the authorization server sent (RFC 9207), escaped; `''` when it sent none. */
  issuer: string;
}

/**
 * Details of a failed authorization redirect, HTML-escaped, for a custom failure page.
 *
 * @example
 * ```ts
 * const failurePage = ({ error, errorDescription }: FailurePageDetails) =>
 *   `<p>Sign-in failed: ${error}</p><p>${errorDescription}</p>`;
 * ```
 */
export interface FailurePageDetails {
  /** The OAuth `error` code, e.g. `access_denied`, escaped; `''` when the redirect carried neither a code nor an error. */
  error: string;
  /** The `error_description`, escaped; `''` when there was none. */
  errorDescription: string;
  /** The `error_uri`, escaped; `''` when there was none. Only link it if it is `https:`. */
  errorUri: string;
  /**
   * Why the application refused a redirect that was not an `error` redirect (core's validation:
   * e.g. an `iss` of another server), escaped; `''` otherwise.
   */
  problem: string;
}

/**
 * A page: fixed HTML, or a function of the escaped details.
 *
 * @example
 * ```ts
 * const fixed: PageTemplate<SuccessPageDetails> = '<p>You can close this window.</p>';
 * ```
 */
export type PageTemplate<Details> = string | ((details: Details) => string);

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<script>alert(1)</script>'); // '&lt;script&gt;alert(1)&lt;/script&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/**
 * Headers on every answer: no caching of a URL that carried a code, no `Referer` that would carry
 * it to another site, no scripts, frames or outside resources.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}' +
  'h1{font-size:1.4em}code{background:#f2f2f2;padding:0 .2em}.muted{color:#666}';

/** A small self-contained page; `title` and `body` must already be escaped. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${title}</title><style>${STYLE}</style></head><body><h1>${title}</h1>${body}</body></html>`;
}

export function defaultSuccessPage(): string {
  return htmlPage(
    'Authorization complete',
    '<p id="message">You can close this window and return to the application.</p>',
  );
}

export function defaultFailurePage(details: FailurePageDetails): string {
  const what = details.problem
    ? `<p id="problem">The application refused this answer: ${details.problem}</p>`
    : details.error
      ? `<p>The authorization server answered <code id="error">${details.error}</code>.</p>`
      : '<p id="error">The answer carried neither an authorization code nor an error.</p>';
  const description = details.errorDescription
    ? `<p id="error-description">${details.errorDescription}</p>`
    : '';
  // Only an https link: an escaped `javascript:` URL would still run when clicked.
  const more = details.errorUri.startsWith('https://')
    ? `<p><a id="error-uri" href="${details.errorUri}" rel="noreferrer noopener">More about this error</a></p>`
    : details.errorUri
      ? `<p class="muted" id="error-uri">${details.errorUri}</p>`
      : '';
  return htmlPage(
    'Authorization failed',
    `${what}${description}${more}<p class="muted">You can close this window and try again in the application.</p>`,
  );
}

/** The short page of an answer to a request that is not the expected callback. */
export function strayPage(title: string, message: string): string {
  return htmlPage(escapeHtml(title), `<p>${escapeHtml(message)}</p>`);
}

export function renderPage<Details>(template: PageTemplate<Details>, details: Details): string {
  return typeof template === 'function' ? template(details) : template;
}

/**
 * The failure page's sentence for a refused response; `''` for the refusal of an `error` redirect
 * (core's `AuthorizationResponseError` carries the redirect's `error`), whose own fields are shown.
 */
function problemOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'it did not pass validation';
  const { error: redirectError, message } = error as { error?: unknown; message?: unknown };
  if (typeof redirectError === 'string') return '';
  return typeof message === 'string' && message !== '' ? message : 'it did not pass validation';
}

/**
 * The page for the callback that carried the right state: the success page when it has a `code`,
 * no `error` and passed `validate`; else the failure page with the redirect's error fields, or
 * why it was refused.
 *
 * @param refusal What `validate` threw, boxed; `undefined` when it passed.
 * @example
 * ```ts
 * res.end(callbackPage(callback, undefined, { successPage: '<p>Done.</p>' }));
 * ```
 */
export function callbackPage(
  callback: URL,
  refusal: { error: unknown } | undefined,
  pages: {
    successPage?: PageTemplate<SuccessPageDetails> | undefined;
    failurePage?: PageTemplate<FailurePageDetails> | undefined;
  },
): string {
  const error = callback.searchParams.get('error');
  const code = callback.searchParams.get('code');
  return refusal === undefined && error === null && code
    ? renderPage(pages.successPage ?? defaultSuccessPage, {
        issuer: escapeHtml(callback.searchParams.get('iss') ?? ''),
      })
    : renderPage(pages.failurePage ?? defaultFailurePage, {
        error: escapeHtml(error ?? ''),
        errorDescription: escapeHtml(callback.searchParams.get('error_description') ?? ''),
        errorUri: escapeHtml(callback.searchParams.get('error_uri') ?? ''),
        problem: escapeHtml(refusal === undefined ? '' : problemOf(refusal.error)),
      });
}
