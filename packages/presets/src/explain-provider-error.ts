import type { Flow } from './preset.js';
import { commonErrors } from './provider-errors/common.js';
import { type ErrorFacts, entryMatches, type ProviderErrorEntry } from './provider-errors/entry.js';
import { githubErrors } from './provider-errors/github.js';
import { googleErrors } from './provider-errors/google.js';
import { microsoftErrors } from './provider-errors/microsoft.js';
import { yahooErrors } from './provider-errors/yahoo.js';
import { yandexErrors } from './provider-errors/yandex.js';
import { zohoErrors } from './provider-errors/zoho.js';

/** What a provider's error means and what to do about it. */
export interface ProviderErrorExplanation {
  /** The provider's code or reply it explains: `AADSTS700082`, `invalid_grant`, `535 5.7.139`. */
  readonly code: string;
  /** What happened, in plain words. */
  readonly explanation: string;
  /** What to do. */
  readonly fix: string;
  /** The documentation the explanation is taken from. */
  readonly source: string;
}

/** Options of {@link explainProviderError}. */
export interface ExplainProviderErrorOptions {
  /** When the refresh token was obtained (a `Date`, epoch milliseconds or an ISO string): tells Google's 7-day tokens apart. */
  refreshTokenObtainedAt?: Date | number | string | undefined;
  /** The flow that failed. Default: not known (flow-specific explanations still apply) */
  flow?: Flow | undefined;
  /** The redirect URL that was sent, quoted in redirect-mismatch explanations. */
  redirectUrl?: string | undefined;
  /** Default: the current time */
  now?: Date | number | undefined;
  /**
   * Also the errors every provider may send (RFC 6749's `access_denied`, `invalid_grant`…), after
   * the provider's own. `false` for a caller with its own words for those, such as the CLI.
   * Default: true
   */
  includeCommon?: boolean | undefined;
}

/** The tables by preset id; AOL runs on Yahoo's service. */
const TABLES: Readonly<Record<string, readonly ProviderErrorEntry[]>> = {
  microsoft: microsoftErrors,
  google: googleErrors,
  yahoo: yahooErrors,
  aol: yahooErrors,
  zoho: zohoErrors,
  yandex: yandexErrors,
  github: githubErrors,
};

const DAY = 24 * 60 * 60 * 1000;
const MAX_CAUSES = 8;

function stringField(value: object, field: string): string | undefined {
  const found = (value as Record<string, unknown>)[field];
  return typeof found === 'string' && found !== '' ? found : undefined;
}

function timeOf(value: Date | number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

/** Gathers the OAuth codes, AADSTS numbers and texts of an error and its causes. */
function factsOf(error: unknown, options: ExplainProviderErrorOptions): ErrorFacts {
  const errors: string[] = [];
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSES && current !== undefined && current !== null; depth++) {
    if (typeof current === 'string') {
      texts.push(current);
      break;
    }
    if (typeof current !== 'object') break;
    // Core's OAuthResponseError and AuthorizationResponseError (`error`, `errorDescription`),
    // the mail adapters' errors (`serverReply`, `reply`), and a raw OAuth error body.
    const code = stringField(current, 'error');
    if (code) errors.push(code.toLowerCase());
    for (const field of ['errorDescription', 'error_description', 'serverReply', 'reply', 'message']) {
      const text = stringField(current, field);
      if (text) texts.push(text);
    }
    current = (current as { cause?: unknown }).cause;
  }
  const text = texts.join('\n');
  const obtainedAt = timeOf(options.refreshTokenObtainedAt);
  const now = timeOf(options.now) ?? Date.now();
  return {
    errors,
    aadsts: [...text.matchAll(/\bAADSTS(\d{5,8})\b/g)].map((match) => match[1] as string),
    text,
    refreshTokenAgeDays: obtainedAt === undefined ? undefined : (now - obtainedAt) / DAY,
    flow: options.flow,
    redirectUrl: options.redirectUrl,
  };
}

/**
 * Explains a provider's error in plain words, with the fix and the documentation it comes from:
 * Microsoft's AADSTS codes, Google's, Yahoo's, Zoho's, Yandex's and GitHub's OAuth errors, and
 * mail server replies such as Exchange Online's "535 5.7.139" or Gmail's "534-5.7.9". The
 * provider's table is searched first, then the errors every provider may send.
 *
 * It reads what core and the mail adapters put on their errors (`error`, `errorDescription`,
 * `serverReply`, `message`) and their causes, so any error of OAuth Authorizer can be passed.
 * Nothing of the error is repeated in the explanation except the redirect URL given in `options`.
 *
 * @param presetId The preset the error came from (`microsoft`, `google`…); another id gets the common explanations only.
 * @param error Anything caught.
 * @returns The explanation, or `undefined` when the error is not one the tables know.
 * @example
 * ```ts
 * try {
 *   await manager.getAccessToken();
 * } catch (error) {
 *   const why = explainProviderError('google', error, { refreshTokenObtainedAt: tokens.refreshTokenObtainedAt });
 *   if (why) console.error(`${why.explanation} Fix: ${why.fix} (${why.source})`);
 * }
 * ```
 */
export function explainProviderError(
  presetId: string,
  error: unknown,
  options: ExplainProviderErrorOptions = {},
): ProviderErrorExplanation | undefined {
  if (typeof presetId !== 'string') throw new TypeError('explainProviderError() takes a preset id');
  const facts = factsOf(error, options);
  const table = Object.hasOwn(TABLES, presetId) ? (TABLES[presetId] ?? []) : [];
  const candidates = options.includeCommon === false ? table : [...table, ...commonErrors];
  const entry = candidates.find((candidate) => entryMatches(candidate, facts));
  if (!entry) return undefined;
  const text = (value: string | ((facts: ErrorFacts) => string)) =>
    typeof value === 'function' ? value(facts) : value;
  return {
    code: entry.code,
    explanation: text(entry.explanation),
    fix: text(entry.fix),
    source: entry.source,
  };
}
