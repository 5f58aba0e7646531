import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clients, signIn } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTunnelCommand, sshWithoutDisplay } from '../src/browser.js';
import { type CliOptions, startCli } from './cli-process.js';
import { startTestProvider, type TestProvider } from './test-provider.js';

let provider: TestProvider;
let scratch: string;

beforeAll(async () => {
  provider = await startTestProvider();
  scratch = await mkdtemp(join(tmpdir(), 'oauth-authorizer-headless-'));
});

afterAll(async () => {
  await provider?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const AUTHORIZATION_URL = /Open this URL in a browser to authorize:\s+(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/;

/** Authorizes `account` without --no-open, signing in "on another machine" and pasting the redirect. */
async function authorizeByPaste(account: string, env: CliOptions['env'], waitFor: RegExp[]) {
  const home = await provider.newHome();
  const cli = startCli(
    ['authorize', account, '--preset', provider.presetFile, '--client-id', clients.native.clientId, '--json'],
    { home, env: { TEST_BROWSER_LOG: undefined, ...env } },
  );
  try {
    const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
    for (const pattern of waitFor) await cli.waitForStderr(pattern);
    const redirect = await signIn(url as string, { login: `${account}@example.test` });
    cli.child.stdin.write(`${redirect}\n`);
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    const tokens = JSON.parse(result.stdout) as { access_token: string };
    expect(await provider.server.introspect(tokens.access_token)).toMatchObject({ active: true });
    return { result, url: url as string };
  } finally {
    cli.child.kill();
  }
}

describe('authorize on a machine without a browser, without --no-open', () => {
  it('takes a pasted redirect once the opener failed, and says so', async () => {
    const { result } = await authorizeByPaste(
      'rosa',
      // An opener that exists but finds no browser, as xdg-open does on a server.
      { BROWSER: `${process.execPath} -e "process.exit(3)"` },
      [
        /could not open a browser \(.*failed \(exit code 3\)\)/,
        /No browser was opened, so the redirect can be pasted/,
      ],
    );
    expect(result.stderr).toMatch(/paste the whole address the browser was sent to/);
    expect(result.stderr).not.toContain('Opened the authorization page');
  });

  it('takes a pasted redirect when there is no opener at all (no xdg-open on PATH)', async () => {
    const empty = join(scratch, 'empty-path');
    await mkdir(empty, { recursive: true });
    await authorizeByPaste('sami', { BROWSER: undefined, PATH: empty }, [
      /could not open a browser \("xdg-open" was not found\)/,
      /the redirect can be pasted/,
    ]);
  });

  it('over SSH without a display, opens nothing and shows the paste prompt and the tunnel with the real port', async () => {
    const bin = join(scratch, 'ssh-path');
    const marker = join(scratch, 'xdg-open-ran');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\necho "$@" >> '${marker}'\n`);
    await chmod(join(bin, 'xdg-open'), 0o755);
    const { result, url } = await authorizeByPaste(
      'tove',
      {
        BROWSER: undefined,
        PATH: bin,
        SSH_CONNECTION: '10.1.2.3 50022 10.9.8.7 2222',
        DISPLAY: undefined,
        WAYLAND_DISPLAY: undefined,
      },
      [/Paste the whole address/],
    );
    const port = new URL(new URL(url).searchParams.get('redirect_uri') as string).port;
    expect(port).toMatch(/^\d+$/);
    expect(result.stderr).toContain(
      'This is an SSH session without a display, so no browser is opened here.',
    );
    expect(result.stderr).toContain(`ssh -L ${port}:127.0.0.1:${port} -p 2222 10.9.8.7`);
    expect(result.stderr).not.toContain('could not open a browser');
    await expect(readFile(marker, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the SSH rules', () => {
  it('counts an SSH session as headless only without DISPLAY and WAYLAND_DISPLAY', () => {
    expect(sshWithoutDisplay({ SSH_CONNECTION: '1.2.3.4 5 6.7.8.9 22' })).toBe(true);
    expect(sshWithoutDisplay({ SSH_CONNECTION: '1.2.3.4 5 6.7.8.9 22', DISPLAY: 'localhost:10.0' })).toBe(
      false,
    );
    expect(sshWithoutDisplay({ SSH_CONNECTION: '1.2.3.4 5 6.7.8.9 22', WAYLAND_DISPLAY: 'wayland-0' })).toBe(
      false,
    );
    expect(sshWithoutDisplay({})).toBe(false);
  });

  it('names the listener port and the address the session came in on', () => {
    expect(
      sshTunnelCommand('http://127.0.0.1:41234/callback', { SSH_CONNECTION: '1.2.3.4 5 10.0.0.5 22' }),
    ).toBe('ssh -L 41234:127.0.0.1:41234 10.0.0.5');
    expect(sshTunnelCommand('http://[::1]:8080/cb', { SSH_CONNECTION: '::2 5 fe80::1 2200' })).toBe(
      'ssh -L 8080:[::1]:8080 -p 2200 fe80::1',
    );
    expect(sshTunnelCommand('http://127.0.0.1:8080/cb', { SSH_CONNECTION: 'garbage' })).toBe(
      'ssh -L 8080:127.0.0.1:8080 <host>',
    );
  });
});
