import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced blocks of a language, with whether an `<!-- offline … -->` marker stands right before them. */
function blocks(language: string): { code: string; offline: boolean }[] {
  const found: { code: string; offline: boolean }[] = [];
  const pattern = new RegExp(`(<!-- offline[^>]*-->\\n)?\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g');
  for (const match of readme.matchAll(pattern))
    found.push({ code: match[2] ?? '', offline: match[1] !== undefined });
  return found;
}

const scratch = mkdtempSync(join(tmpdir(), 'oauth-authorizer-readme-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('README', () => {
  it('shows the two set-up commands: the demo and the test suite', () => {
    const commands = blocks('sh').map((block) => block.code.trim());
    expect(commands).toContain('pnpm install && pnpm demo');
    expect(commands).toContain('pnpm install && pnpm test:setup && pnpm test');
    const root = JSON.parse(
      readFileSync(join(fileURLToPath(new URL('..', import.meta.url)), 'package.json'), 'utf8'),
    );
    expect(root.scripts).toMatchObject({
      demo: expect.any(String),
      test: expect.any(String),
      'test:setup': expect.any(String),
      'test:unit': expect.any(String),
      bench: expect.any(String),
      'cli:install': expect.any(String),
      'cli:uninstall': expect.any(String),
    });
    expect(readFileSync(join(fileURLToPath(new URL('..', import.meta.url)), '.ci/run'), 'utf8')).toMatch(
      /^pnpm install && pnpm test:setup && pnpm test$/m,
    );
  });

  it('every offline command works as written, with the built CLI as `oauth-authorizer`', () => {
    const bin = join(scratch, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    const shim = join(bin, 'oauth-authorizer');
    writeFileSync(
      shim,
      `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'packages/cli/dist/bin.js')}" "$@"\n`,
    );
    chmodSync(shim, 0o755);
    const offline = blocks('sh').filter((block) => block.offline);
    expect(offline.length).toBeGreaterThan(0);
    for (const block of offline) {
      for (const line of block.code.split('\n').filter((l) => l.trim() !== '')) {
        const run = spawnSync('sh', ['-c', line], {
          encoding: 'utf8',
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH}`,
            OAUTH_AUTHORIZER_HOME: join(scratch, 'home'),
            NO_COLOR: '1',
          },
        });
        expect(run.status, `${line}\n${run.stderr}`).toBe(0);
        expect((run.stdout + run.stderr).length, line).toBeGreaterThan(0);
      }
    }
  });

  it('the TypeScript snippets type-check against the packages', () => {
    const snippets = blocks('ts');
    expect(snippets.length).toBeGreaterThanOrEqual(2);
    // Each snippet is a module of its own, checked with the repository's strict settings.
    const dir = join(root, '.tmp', 'readme-snippets');
    rmSync(dir, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', dir]);
    const files = snippets.map((snippet, index) => {
      const file = join(dir, `snippet-${index}.ts`);
      const imports =
        snippet.code.includes('TokenManager') && !snippet.code.includes("from '@oauth-authorizer/core'")
          ? "import { TokenManager } from '@oauth-authorizer/core';\ndeclare const account: string;\ndeclare const provider: import('@oauth-authorizer/core').ProviderConfig;\n"
          : '';
      writeFileSync(file, `${imports}${snippet.code}\nexport {};\n`);
      return file;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.json',
        compilerOptions: { noEmit: true },
        include: files.map((f) => f.slice(dir.length + 1)),
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')],
      {
        encoding: 'utf8',
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);
});
