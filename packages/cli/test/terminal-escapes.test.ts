import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostileTokenEndpoint, startHostileTokenEndpoint } from '@oauth-authorizer/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

// Issue 13: what a server controls (error, error_description, error_uri) must not drive the
// terminal: ESC[2J clears the screen, OSC 52 writes the clipboard, C1 CSI (U+009B) is ESC[.

const CLEAR_SCREEN = '\u001b[2J';
const OSC_52 = '\u001b]52;c;cm0gLXJmIH4=\u0007';
const C1_CSI = '\u009b31m';
/** Any control character a terminal acts on (tab and newline aside). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let server: HostileTokenEndpoint | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function authorizeAgainst(url: string, extra: string[] = []) {
  const home = join(await mkdtemp(join(tmpdir(), 'oauth-authorizer-escapes-')), 'home');
  return runCli(
    [
      'authorize',
      'app',
      '--token-url',
      `${url}/token`,
      '--client-id',
      'app',
      '--flow',
      'client_credentials',
      '--scope',
      'mail',
      ...extra,
    ],
    { home, env: { OAUTH_AUTHORIZER_CLIENT_SECRET: 'app-secret-value' } },
  );
}

describe('server-controlled text reaches the terminal with its control characters escaped', () => {
  it('error, error_description and error_uri: ESC[2J, OSC 52 and C1 are shown, not obeyed', async () => {
    server = await startHostileTokenEndpoint(() => ({
      status: 400,
      body: {
        error: `invalid_request${CLEAR_SCREEN}`,
        error_description: `bad${CLEAR_SCREEN} request${OSC_52} here${C1_CSI}\r\nfake: line`,
        error_uri: `https://errors.example.test/${OSC_52}`,
      },
    }));
    for (const extra of [[], ['--debug']]) {
      const result = await authorizeAgainst(server.url, extra);
      expect(result.code).not.toBe(0);
      expect(result.stderr).not.toMatch(RAW_CONTROL);
      expect(result.stderr).toContain('\\x1b[2J');
      expect(result.stderr).toContain('\\x1b]52;c;cm0gLXJmIH4=\\x07');
      expect(result.stderr).toContain('\\x9b31m');
      // A carriage return cannot overwrite the line to fake another message.
      expect(result.stderr).toContain('\\x0d');
    }
  });

  it('a plain-text error body (shown as the server sent it) is escaped too', async () => {
    server = await startHostileTokenEndpoint(() => ({ status: 500, body: `oops${CLEAR_SCREEN}${OSC_52}` }));
    const result = await authorizeAgainst(server.url, ['--debug']);
    expect(result.code).toBe(4);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });
});
