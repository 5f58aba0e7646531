import { AuthorizerError, OAUTH_AUTHORIZATION_REQUIRED } from '@oauth-authorizer/core';
import { describe, expect, it } from 'vitest';
import { hintFor } from '../src/output.js';

// Core names no CLI in its hints (issue 18); the CLI adds its own command where it prints.
describe('hintFor() with core hints that name no command', () => {
  const required = new AuthorizerError(OAUTH_AUTHORIZATION_REQUIRED, 'account "kim" needs it', {
    hint: 'authorize the account again',
  });

  it('turns the token manager hint into the command for the account, quoted for a shell', () => {
    expect(hintFor(required, 'refresh', 'kim')).toBe('run: oauth-authorizer authorize kim');
    expect(hintFor(required, 'refresh', "bob's mail")).toBe(
      `run: oauth-authorizer authorize 'bob'\\''s mail'`,
    );
    expect(hintFor(required, 'refresh')).toBe('run: oauth-authorizer authorize <account>');
  });

  it('appends the command to a store hint that ends with "authorize the account again"', () => {
    const corrupt = new AuthorizerError(OAUTH_AUTHORIZATION_REQUIRED, 'corrupt', {
      hint: 'delete it and authorize the account again',
    });
    expect(hintFor(corrupt, undefined, 'kim')).toBe(
      'delete it and authorize the account again: oauth-authorizer authorize kim',
    );
  });

  it('leaves any other hint as it is', () => {
    const other = new AuthorizerError(OAUTH_AUTHORIZATION_REQUIRED, 'x', { hint: 'check the clock' });
    expect(hintFor(other, 'refresh', 'kim')).toBe('check the clock');
  });
});
