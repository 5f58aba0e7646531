import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { clients } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/cli-process.js';
import { startTestProvider, type TestProvider } from '../packages/cli/test/test-provider.js';

// `pnpm cli:install` as the README gives it for a clone, into a throw-away npm prefix
// (`npm_config_prefix`, as CI does), then the installed command run from PATH. `--no-build`: the
// suite's own build is what gets packed, so no build rewrites dist/ while other tests run.
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'oauth-authorizer-cli-install-'));
const prefix = join(scratch, 'prefix');
const bin = join(prefix, 'bin');
const version = (
  JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { version: string }
).version;
let provider: TestProvider;

/** Runs `command` with the temporary prefix's bin first on PATH, as a user's shell would. */
function fromPath(command: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(command, args, {
    cwd: scratch,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      npm_config_prefix: prefix,
      PATH: `${bin}:${process.env.PATH}`,
      NO_COLOR: '1',
      ...env,
    },
  });
}

/**
 * The same, without blocking: the authorization server runs in this process, so a command that
 * talks to it must not be run with spawnSync.
 */
function fromPathAsync(command: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: scratch,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', ...env },
      },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  provider = await startTestProvider();
});

afterAll(async () => {
  await provider?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('pnpm cli:install, then oauth-authorizer from PATH', () => {
  it('installs the CLI and the packages it needs into the npm prefix', () => {
    const install = fromPath('node', [join(root, 'scripts/cli-install.mjs'), '--no-build']);
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toContain(`Installed oauth-authorizer ${version} into ${prefix}`);
    expect(existsSync(join(bin, 'oauth-authorizer'))).toBe(true);
  }, 180_000);

  it('answers --version and lists the presets', () => {
    const shown = fromPath('oauth-authorizer', ['--version']);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout.trim()).toBe(version);
    const presets = fromPath('oauth-authorizer', ['presets']);
    expect(presets.status, presets.stderr).toBe(0);
    expect(presets.stdout).toMatch(/\bgoogle\b/);
    expect(presets.stdout).toMatch(/\bmicrosoft\b/);
  });

  it('prints a fresh token for an account, refreshing at the real authorization server', async () => {
    const home = await provider.newHome();
    provider.server.setAccessTokenTtl(2);
    const authorized = await runCli(
      [
        'authorize',
        'ines@example.test',
        '--preset',
        provider.presetFile,
        '--client-id',
        clients.native.clientId,
        '--json',
      ],
      { home, env: { TEST_BROWSER_LOGIN: 'ines@example.test' } },
    );
    expect(authorized.code, authorized.stderr).toBe(0);
    provider.server.setAccessTokenTtl(3600);
    const first = JSON.parse(authorized.stdout) as { access_token: string; expires_at: string };
    await sleep(Math.max(0, Date.parse(first.expires_at) - Date.now()) + 200);

    const refreshes = provider.server.countTokenRequests('refresh_token');
    const token = await fromPathAsync('oauth-authorizer', ['token', 'ines@example.test'], {
      OAUTH_AUTHORIZER_HOME: home,
    });
    expect(token.stderr).toBe('');
    expect(token.status).toBe(0);
    const accessToken = token.stdout.trim();
    expect(accessToken).not.toBe(first.access_token);
    expect(provider.server.countTokenRequests('refresh_token')).toBe(refreshes + 1);
    expect(await provider.server.introspect(accessToken)).toMatchObject({ active: true });
  }, 60_000);

  it('pnpm cli:uninstall removes the command again', () => {
    const removed = fromPath('node', [join(root, 'scripts/cli-install.mjs'), '--uninstall']);
    expect(removed.status, removed.stderr).toBe(0);
    expect(existsSync(join(bin, 'oauth-authorizer'))).toBe(false);
  }, 60_000);
});
