import {
  AuthorizationResponseError,
  AuthorizerError,
  OAUTH_ABORTED,
  OAUTH_AUTHORIZATION_DENIED,
  OAUTH_AUTHORIZATION_REQUIRED,
  OAUTH_DEVICE_CODE_EXPIRED,
  OAUTH_HTTP_ERROR,
  OAUTH_INVALID_CONFIGURATION,
  OAUTH_INVALID_RESPONSE,
  OAUTH_ISSUER_MISMATCH,
  OAUTH_LISTENER_CLOSED,
  OAUTH_LISTENER_TIMEOUT,
  OAUTH_NETWORK_ERROR,
  OAUTH_STATE_MISMATCH,
  OAUTH_STORE_UNAVAILABLE,
  OAUTH_TIMEOUT,
  OAUTH_UNSUPPORTED_TOKEN_TYPE,
  OAuthResponseError,
} from '@oauth-authorizer/core';
import { PRESET_FIXED_FIELD, PRESET_NOT_FOUND, PresetError } from '@oauth-authorizer/presets';
import { describe, expect, it } from 'vitest';
import { CLI_INTERRUPTED, CLI_MISSING_VALUES, CLI_UNKNOWN_ACCOUNT, CLI_USAGE } from '../src/errors.js';
import { exitCodeFor } from '../src/exit-codes.js';

const error = (code: string, transient = false) => new AuthorizerError(code, 'x', { transient });

describe('exitCodeFor() maps stable error codes to the exit codes of the spec', () => {
  it('2 for usage and configuration errors, presets included', () => {
    for (const code of [CLI_USAGE, CLI_MISSING_VALUES, OAUTH_INVALID_CONFIGURATION])
      expect(exitCodeFor(error(code))).toBe(2);
    expect(exitCodeFor(new PresetError(PRESET_NOT_FOUND, 'x'))).toBe(2);
    expect(exitCodeFor(new PresetError(PRESET_FIXED_FIELD, 'x'))).toBe(2);
    expect(exitCodeFor(new OAuthResponseError({ error: 'invalid_client' }, 401))).toBe(2);
  });

  it('3 when the account needs authorization', () => {
    expect(exitCodeFor(error(OAUTH_AUTHORIZATION_REQUIRED))).toBe(3);
    expect(exitCodeFor(error(CLI_UNKNOWN_ACCOUNT))).toBe(3);
    expect(exitCodeFor(new OAuthResponseError({ error: 'invalid_grant' }, 400))).toBe(3);
  });

  it('4 for network and server errors', () => {
    for (const code of [
      OAUTH_TIMEOUT,
      OAUTH_NETWORK_ERROR,
      OAUTH_HTTP_ERROR,
      OAUTH_INVALID_RESPONSE,
      OAUTH_UNSUPPORTED_TOKEN_TYPE,
    ])
      expect(exitCodeFor(error(code))).toBe(4);
    expect(
      exitCodeFor(new OAuthResponseError({ error: 'temporarily_unavailable' }, 503, { transient: true })),
    ).toBe(4);
  });

  it('5 when the authorization did not complete', () => {
    for (const code of [
      OAUTH_AUTHORIZATION_DENIED,
      OAUTH_DEVICE_CODE_EXPIRED,
      OAUTH_STATE_MISMATCH,
      OAUTH_ISSUER_MISMATCH,
      OAUTH_LISTENER_TIMEOUT,
      OAUTH_LISTENER_CLOSED,
    ])
      expect(exitCodeFor(error(code), 'authorize')).toBe(5);
    expect(exitCodeFor(new AuthorizationResponseError({ error: 'access_denied' }), 'authorize')).toBe(5);
    // A code the server refuses to exchange: this authorization failed, the account is not at fault.
    expect(exitCodeFor(new OAuthResponseError({ error: 'invalid_grant' }, 400), 'authorize')).toBe(5);
    expect(exitCodeFor(error(CLI_INTERRUPTED), 'authorize')).toBe(5);
    expect(exitCodeFor(error(OAUTH_ABORTED), 'authorize')).toBe(5);
  });

  it('1 for anything else', () => {
    expect(exitCodeFor(error(OAUTH_STORE_UNAVAILABLE))).toBe(1);
    expect(exitCodeFor(new TypeError('bug'))).toBe(1);
    expect(exitCodeFor(error(OAUTH_ABORTED))).toBe(1);
  });
});
