import * as core from '@oauth-authorizer/core';
import { describe, expect, it } from 'vitest';
import * as mail from '../src/index.js';

// Issue 18: one definition of each shared term, in core; the mail adapters re-export it.
describe('shared mail terms', () => {
  it("SASL_MECHANISMS is core's list, frozen", () => {
    expect(mail.SASL_MECHANISMS).toBe(core.SASL_MECHANISMS);
    expect(core.SASL_MECHANISMS).toEqual(['XOAUTH2', 'OAUTHBEARER']);
    expect(Object.isFrozen(core.SASL_MECHANISMS)).toBe(true);
  });

  it('the TLS modes and client authentication methods are frozen lists in core', () => {
    expect(core.MAIL_TLS_MODES).toEqual(['implicit', 'starttls', 'none']);
    expect(core.CLIENT_AUTH_METHODS).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
    expect(core.ENDPOINT_FIELDS).toEqual([
      'issuer',
      'authorizationUrl',
      'deviceAuthorizationUrl',
      'tokenUrl',
      'revocationUrl',
    ]);
    for (const list of [
      core.MAIL_TLS_MODES,
      core.CLIENT_AUTH_METHODS,
      core.ENDPOINT_FIELDS,
      core.RESERVED_AUTHORIZATION_PARAMS,
    ])
      expect(Object.isFrozen(list)).toBe(true);
  });
});
