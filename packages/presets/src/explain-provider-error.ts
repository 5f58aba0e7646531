import type { Flow } from './preset.js';
import { commonErrors } from './provider-errors/common.js';
import { type ErrorFacts, entryMatches } from './provider-errors/entry.js';
import { providerErrorTable } from './provider-errors/tables.js';

/**
 * The preset an error came from: its id (`microsoft`), or the preset itself (or what a program
 * kept of it), whose `errorsOf` names the provider whose documented errors apply.
 */
export type ProviderErrorSource = string | { readonly id: string; readonly errorsOf?: string | undefined };

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
 * The id of the provider whose error table explains a preset's errors: the preset's `errorsOf`,
 * else its own id; `undefined` when that provider has no table (only the common explanations apply).
 *
 * @throws {TypeError} when `preset` is neither an id nor an object with a string `id`.
 * @example
 * ```ts
 * providerErrorTableOf('microsoft'); // 'microsoft'
 * providerErrorTableOf({ id: 'microsoft-us-gov', errorsOf: 'microsoft' }); // 'microsoft'
 * providerErrorTableOf('acme'); // undefined
 * ```
 */
export function providerErrorTableOf(preset: ProviderErrorSource): string | undefined {
  const id =
    typeof preset === 'string'
      ? preset
      : typeof preset === 'object' && preset !== null && typeof preset.id === 'string'
        ? (preset.errorsOf ?? preset.id)
        : undefined;
  if (id === undefined) throw new TypeError('explainProviderError() takes a preset or a preset id');
  return providerErrorTable(id) ? id : undefined;
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
 * @param preset The preset the error came from, or its id (`microsoft`, `google`…). A preset's
 *   `errorsOf` chooses the table (a preset file for Microsoft's national clouds says `microsoft`);
 *   a preset without a table gets the common explanations only.
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
  preset: ProviderErrorSource,
  error: unknown,
  options: ExplainProviderErrorOptions = {},
): ProviderErrorExplanation | undefined {
  const tableId = providerErrorTableOf(preset);
  const facts = factsOf(error, options);
  const table = tableId === undefined ? [] : (providerErrorTable(tableId) ?? []);
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
