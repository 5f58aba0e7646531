import { PassThrough } from 'node:stream';
import { AuthorizerError, OAUTH_ISSUER_MISMATCH } from '@oauth-authorizer/core';
import { startRedirectListener } from '@oauth-authorizer/redirect-listener';
import { describe, expect, it } from 'vitest';
import { Output } from '../src/output.js';
import { PastedRedirectReceiver } from '../src/pasted-redirect-receiver.js';

// `authorize` wraps the listener in the paste receiver: core's validation must still reach the
// listener, or the browser is told "Authorization complete" for a response core then refuses.

describe('PastedRedirectReceiver', () => {
  it("hands core's validate to the listener: a refused response gets the failure page", async () => {
    const listener = await startRedirectListener('http://127.0.0.1:0/callback');
    const streams = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
    const receiver = new PastedRedirectReceiver(listener, streams.stdin, new Output(streams, {}), {
      acceptPaste: false,
    });
    try {
      const refusal = new AuthorizerError(OAUTH_ISSUER_MISMATCH, 'another issuer');
      const waiting = receiver.waitForCallback({
        state: 'st-1',
        validate: () => {
          throw refusal;
        },
      });
      waiting.catch(() => undefined);
      const response = await fetch(`${receiver.redirectUri}?code=c&state=st-1&iss=https://evil.test`);
      const page = await response.text();
      expect(page).not.toContain('Authorization complete');
      expect(page).toContain('The application refused this answer: another issuer');
      await expect(waiting).rejects.toBe(refusal);
    } finally {
      await receiver.close();
    }
  });
});
