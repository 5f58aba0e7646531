import { OAUTH_TOKEN_REJECTED } from '@oauth-authorizer/core';
import {
  type AccessTokenSource,
  replacementToken,
  type TokenRequestOptions,
  tokenRequest,
} from './access-token-source.js';
import { MailAuthenticationError } from './errors.js';

function isTokenRejection(error: unknown): error is MailAuthenticationError {
  return error instanceof MailAuthenticationError && error.code === OAUTH_TOKEN_REJECTED;
}

/**
 * The refresh-and-retry-once rule every adapter follows: run `attempt` with the source's token;
 * when the server rejects it (`attempt` throws a {@link MailAuthenticationError} with code
 * `OAUTH_TOKEN_REJECTED`), get a replacement token once and run `attempt` once more. A second
 * rejection is thrown with `retried: true`; a failure to get the replacement is thrown as the
 * first rejection with the refresh error as its `cause`. Never more than one retry.
 */
export async function withTokenRetry<T>(
  source: AccessTokenSource,
  options: TokenRequestOptions,
  attempt: (token: string) => Promise<T>,
): Promise<T> {
  const token = await source.getAccessToken(tokenRequest(options));
  let rejection: MailAuthenticationError;
  try {
    return await attempt(token);
  } catch (error) {
    if (!isTokenRejection(error)) throw error;
    rejection = error;
  }
  let replacement: string;
  try {
    replacement = await replacementToken(source, token, options);
  } catch (refreshError) {
    const hint = (refreshError as { hint?: unknown }).hint;
    const reason = refreshError instanceof Error ? refreshError.message : String(refreshError);
    throw rejection.with(
      { cause: refreshError, ...(typeof hint === 'string' && { hint }) },
      `${rejection.message}; getting a new token failed: ${reason}`,
    );
  }
  try {
    return await attempt(replacement);
  } catch (error) {
    if (!isTokenRejection(error)) throw error;
    throw error.with({ retried: true }, `${error.message} (again, after getting a new token)`);
  }
}
