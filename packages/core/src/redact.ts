/**
 * Keeping secrets out of errors: every known secret (client secret, tokens, codes, PKCE verifier)
 * is replaced by `[redacted]` in the forms a server may echo it back in.
 *
 * @module
 */

/** What a secret becomes in a message. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not redacted: replacing `a` everywhere would garble a message and protect nothing. */
const MIN_SECRET_LENGTH = 4;

/** `application/x-www-form-urlencoded` as URLSearchParams writes it: `+` for space, `*-._` kept. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * The forms a secret travels in, as regular-expression sources: raw, `encodeURIComponent`,
 * form-encoded (`+` for space, RFC 6749 appendix B), and base64 (a `Basic` header's credentials
 * are given as secrets of their own, see `basicCredentialSecrets`). Percent-escapes match in
 * either hex case, because servers re-encode what they echo.
 */
function formsOf(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    formEncode(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    Buffer.from(secret).toString('base64'),
  ]);
  return [...forms].map((form) =>
    form
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(
        /%([0-9A-F])([0-9A-F])/g,
        (_, a: string, b: string) => `%[${a}${a.toLowerCase()}][${b}${b.toLowerCase()}]`,
      ),
  );
}

/**
 * Removes every occurrence of each secret from `text`, in each form it may have been sent or
 * echoed in (raw, URL-encoded, form-encoded, base64). Longer forms go first, so a secret inside
 * a longer one never leaves part of the longer one behind.
 *
 * @param secrets The secrets; `undefined` and ones shorter than 4 characters are skipped.
 * @example
 * ```ts
 * redact('server said: bad secret s3cr%2Bt', 's3cr+t'); // 'server said: bad secret [redacted]'
 * ```
 */
export function redact(text: string, ...secrets: Array<string | undefined>): string {
  const pattern = secretPattern(secrets);
  return pattern === undefined ? text : text.replace(pattern, REDACTED);
}

function secretPattern(secrets: ReadonlyArray<string | undefined>): RegExp | undefined {
  const sources = new Set<string>();
  for (const secret of secrets)
    if (typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
      for (const form of formsOf(secret)) sources.add(form);
  if (sources.size === 0) return undefined;
  return new RegExp([...sources].sort((a, b) => b.length - a.length).join('|'), 'g');
}

const MAX_CAUSE_DEPTH = 16;

/**
 * Redacts `secrets` (see {@link redact}) from an error and its whole `cause` chain in place: each
 * message and stack, each string field of an error (e.g. `errorDescription`, `hint`), and the
 * string fields of a plain-object cause. Returns `error` for `throw redactError(error, …)`.
 *
 * @example
 * ```ts
 * try { await send(); } catch (error) { throw redactError(error, [clientSecret, refreshToken]); }
 * ```
 */
export function redactError<T>(error: T, secrets: ReadonlyArray<string | undefined>): T {
  const pattern = secretPattern(secrets);
  if (pattern === undefined) return error;
  const clean = (value: string) => value.replace(pattern, REDACTED);
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== 'object' || current === null || seen.has(current)) break;
    seen.add(current);
    const record = current as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(record)) {
      if (key === 'cause') continue;
      const value = record[key];
      if (typeof value !== 'string') continue;
      const cleaned = clean(value);
      if (cleaned !== value) {
        const descriptor = Object.getOwnPropertyDescriptor(record, key);
        // Readonly class fields are redefined; an accessor (V8's `stack`) is assigned through.
        if (descriptor !== undefined && 'value' in descriptor && descriptor.configurable)
          Object.defineProperty(record, key, { ...descriptor, value: cleaned });
        else
          try {
            record[key] = cleaned;
          } catch {
            // A frozen field stays as it is; every field core writes is configurable.
          }
      }
    }
    current = record.cause;
  }
  return error;
}
