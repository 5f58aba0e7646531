import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const coreDir = fileURLToPath(new URL('../../core', import.meta.url));
let directory: string;

/**
 * A program using the built listener the way an app would: it times out once (an error), then
 * receives one real callback over HTTP. It prints what it saw as JSON.
 */
const program = (load: string, loadCore: string) => `
${load}
${loadCore}
(async () => {
  const timedOut = await startRedirectListener('http://127.0.0.1:0/callback', { timeout: 50 });
  const error = await timedOut.waitForCallback({ state: 's' }).catch((e) => e);
  const listener = await startRedirectListener('http://localhost:0/callback');
  const waiting = listener.waitForCallback({ state: 's' });
  const page = await fetch(listener.redirectUri + '?code=c&state=s');
  const callback = await waiting;
  console.log(JSON.stringify({
    name: error.name,
    code: error.code,
    isCoreError: core ? error instanceof core.AuthorizerError : null,
    status: page.status,
    code_param: callback.searchParams.get('code'),
    listening: listener.listening || timedOut.listening,
  }));
})();
`;

const esm = program(
  "import { startRedirectListener } from '@oauth-authorizer/redirect-listener';",
  "import * as core from '@oauth-authorizer/core';",
);
const cjs = program(
  "const { startRedirectListener } = require('@oauth-authorizer/redirect-listener');",
  "const core = require('@oauth-authorizer/core');",
);

async function run(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: directory, timeout: 30_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** An app directory with the built listener installed, and core, its dependency, beside it. */
async function app(name: string): Promise<string> {
  const root = join(directory, name);
  const scope = join(root, 'node_modules', '@oauth-authorizer');
  await mkdir(join(scope, 'redirect-listener'), { recursive: true });
  await cp(join(packageDir, 'dist'), join(scope, 'redirect-listener', 'dist'), { recursive: true });
  await cp(join(packageDir, 'package.json'), join(scope, 'redirect-listener', 'package.json'));
  await symlink(coreDir, join(scope, 'core'), 'dir');
  await writeFile(join(root, 'app.mjs'), esm);
  await writeFile(join(root, 'app.cjs'), cjs);
  return root;
}

beforeAll(async () => {
  for (const dir of [packageDir, coreDir]) {
    if (!existsSync(join(dir, 'dist', 'index.cjs'))) {
      throw new Error(`${dir}dist is missing: run \`pnpm build\` (pnpm test does) before this test`);
    }
  }
  directory = await mkdtemp(join(tmpdir(), 'redirect-listener-install-'));
});

afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('the built package', () => {
  it.each(['mjs', 'cjs'])("throws core's own AuthorizerError class, with core's codes (%s)", async (kind) => {
    const root = await app(`with-core-${kind}`);
    expect(await run(join(root, `app.${kind}`))).toEqual({
      name: 'AuthorizerError',
      code: 'OAUTH_LISTENER_TIMEOUT',
      isCoreError: true,
      status: 200,
      code_param: 'c',
      listening: false,
    });
  });
});
