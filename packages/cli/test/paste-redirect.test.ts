import { clients, signIn } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

let provider: TestProvider;

beforeAll(async () => {
  provider = await startTestProvider();
});

afterAll(async () => {
  await provider?.close();
});

const AUTHORIZATION_URL = /Open this URL in a browser to authorize:\s+(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/;

describe('authorize --no-open on a machine without a browser', () => {
  it('prints the URL, opens nothing, and takes the redirected URL pasted on stdin', async () => {
    const home = await provider.newHome();
    const cli = startCli(
      [
        'authorize',
        'paula@example.test',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--no-open',
        '--json',
      ],
      // A $BROWSER that would fail the test if it were started.
      { home, env: { BROWSER: `${process.execPath} -e "process.exit(9)"`, TEST_BROWSER_LOG: undefined } },
    );
    try {
      const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
      await cli.waitForStderr(/Paste the whole address/);
      // The person signs in elsewhere; the browser there cannot reach this machine's listener.
      const redirect = await signIn(url as string, { login: 'paula@example.test' });
      cli.child.stdin.write('what is this\n');
      await cli.waitForStderr(/that is not a URL/);
      const foreign = new URL(redirect);
      foreign.searchParams.set('state', 'from-another-attempt');
      cli.child.stdin.write(`${foreign.href}\n`);
      await cli.waitForStderr(/not the redirect of this authorization/);
      cli.child.stdin.write(`  ${redirect}  \n`);
      const result = await cli.exited;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain('Opened the authorization page');
      const tokens = JSON.parse(result.stdout) as { access_token: string; refresh_token: string };
      expect(await provider.server.introspect(tokens.access_token)).toMatchObject({
        active: true,
        email: 'paula@example.test',
      });
      expect(tokens.refresh_token).toEqual(expect.any(String));
    } finally {
      cli.child.kill();
    }
  });

  it('still takes the redirect on the listener when the browser is on this machine after all', async () => {
    const home = await provider.newHome();
    const cli = startCli(
      [
        'authorize',
        'quinn',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--no-open',
      ],
      {
        home,
      },
    );
    try {
      const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
      const redirect = await signIn(url as string, { login: 'quinn@example.test' });
      const page = await fetch(redirect);
      expect(page.status).toBe(200);
      const result = await cli.exited;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^Bearer token: +\S+/);
    } finally {
      cli.child.kill();
    }
  });
});
