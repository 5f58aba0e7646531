/**
 * call-api: calls an OAuth-protected HTTP API as an account that `oauth-authorizer authorize` set
 * up, and prints the response body. The access token comes from the CLI's token store and is
 * refreshed first when it has expired; when the API rejects it anyway (HTTP 401), the script
 * forces one refresh and tries once more.
 *
 *   ACCOUNT=me@outlook.com API_URL=https://graph.microsoft.com/v1.0/me node dist/main.js
 *
 * Environment: ACCOUNT, API_URL (required); API_METHOD (default GET), API_BODY (sent as JSON);
 * OAUTH_AUTHORIZER_HOME, PRESET, CLIENT_ID, OAUTH_AUTHORIZER_CLIENT_SECRET (see README.md).
 *
 * Reading the account and settings, and reporting a failure with the CLI's exit codes, are shared
 * by every example: `@oauth-authorizer/example-support` (examples/example-support).
 */
import { AuthorizerError, isLoopbackHost } from '@oauth-authorizer/core';
import {
  accountFromEnvironment,
  type Environment,
  optionalSetting,
  reportFailure,
  requiredSetting,
  SETTING_INVALID,
} from '@oauth-authorizer/example-support';
import { callWithToken } from './call-with-token.js';

const PROGRAM = 'call-api';
const note = (line: string) => process.stderr.write(`${PROGRAM}: ${line}\n`);

/** The API's URL: `https:`, or `http:` to this machine only, since the token would travel in clear text. */
function apiUrl(env: Environment): URL {
  const value = requiredSetting(env, 'API_URL', 'the URL of the API to call');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthorizerError(
      SETTING_INVALID,
      `API_URL must be an absolute URL, got "${value.slice(0, 80)}"`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new AuthorizerError(
      SETTING_INVALID,
      `API_URL must be https: (or http: to a loopback address), got ${url.protocol}//${url.host}`,
      { hint: 'a bearer token sent over plain http can be read by anyone on the way' },
    );
  }
  return url;
}

function apiMethod(env: Environment): string {
  const method = (optionalSetting(env, 'API_METHOD') ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) {
    throw new AuthorizerError(SETTING_INVALID, `API_METHOD must be an HTTP method such as GET or POST`);
  }
  return method;
}

async function main(env: Environment): Promise<void> {
  const url = apiUrl(env);
  const method = apiMethod(env);
  const body = optionalSetting(env, 'API_BODY');
  const account = await accountFromEnvironment(env);
  account.manager.on('tokens', () => note('refreshed the access token (the new tokens are stored)'));

  const response = await callWithToken(account.manager, {
    url,
    method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body }),
    onRejected: (rejection) =>
      note(`the API rejected the access token (HTTP ${rejection.status}); refreshing once`),
  });
  note(`${method} ${url.origin}${url.pathname}: HTTP ${response.status} ${response.statusText}`);
  if (response.body) {
    for await (const chunk of response.body) process.stdout.write(chunk);
  }
}

main(process.env).catch((error: unknown) => {
  process.exitCode = reportFailure(PROGRAM, error, { account: process.env.ACCOUNT });
});
