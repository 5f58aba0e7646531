#!/usr/bin/env node
// `pnpm check:publish`: what `pnpm release` would publish, checked without publishing. Each public
// package under packages/ is packed by pnpm (as `changeset publish` packs it: `workspace:` ranges
// become real versions) and the tarball goes through `npm publish --dry-run`, which runs npm's own
// manifest checks. Needs a build first (`pnpm build`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

const staging = mkdtempSync(join(tmpdir(), 'oauth-authorizer-publish-'));
let failures = 0;
try {
  for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, 'packages', entry.name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const destination = mkdtempSync(join(staging, 'pack-'));
    const packed = run('pnpm', ['pack', '--pack-destination', destination], dir);
    const tarball = readdirSync(destination).find((name) => name.endsWith('.tgz'));
    const published =
      packed.ok && tarball !== undefined
        ? run('npm', ['publish', '--dry-run', '--access', 'public', join(destination, tarball)], staging)
        : packed;
    if (published.ok) {
      process.stdout.write(`ok     ${manifest.name}@${manifest.version}\n`);
    } else {
      failures += 1;
      process.stdout.write(`FAILED ${manifest.name}@${manifest.version}\n${published.output}\n`);
    }
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
process.exit(failures === 0 ? 0 : 1);
