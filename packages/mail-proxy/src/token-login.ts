import { OAUTH_TOKEN_REJECTED } from '@oauth-authorizer/core';
import { type AccessTokenSource, MailAuthenticationError } from '@oauth-authorizer/mail-adapters';

function isTokenRejection(error: unknown): error is MailAuthenticationError {
  return error instanceof MailAuthenticationError && error.code === OAUTH_TOKEN_REJECTED;
}

/**
 * The adapters' refresh-and-retry-once rule for one upstream login: log in with the source's
 * token; when the server rejects it, log in once more with a replacement — the token the source
 * hands out now if someone refreshed meanwhile (many sessions rejected with one stale token cause
 * one refresh), else a forced refresh. A second rejection is thrown with `retried: true`.
 */
export async function loginWithTokenRetry<T>(
  source: AccessTokenSource,
  attempt: (token: string) => Promise<T>,
): Promise<T> {
  const token = await source.getAccessToken();
  try {
    return await attempt(token);
  } catch (error) {
    if (!isTokenRejection(error)) throw error;
  }
  const current = await source.getAccessToken();
  const replacement = current !== token ? current : await source.getAccessToken({ forceRefresh: true });
  try {
    return await attempt(replacement);
  } catch (error) {
    if (!isTokenRejection(error)) throw error;
    throw error.with({ retried: true }, `${error.message} (again, after getting a new token)`);
  }
}
