// Install footprint: the packed size of each published package, and how many packages an
// install of it pulls in (itself, its dependencies and the peers npm installs automatically,
// transitively), read from the installed tree so it needs no registry.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['core', 'redirect-listener', 'presets', 'mail-adapters', 'cli', 'store-redis'];
const TARGETS = { core: 2, 'redirect-listener': 3 };

function findInstalled(name, fromDir) {
  // pnpm links each package's dependencies beside its real location, so walk up from there.
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`${name} is not installed (looked from ${fromDir})`);
  }
}

/** Names of the packages an install of the package at `manifestPath` brings, itself included. */
export function installClosure(manifestPath, seen = new Map()) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (seen.has(manifest.name)) return seen;
  seen.set(manifest.name, manifest.version);
  const optionalPeers = manifest.peerDependenciesMeta ?? {};
  const wanted = [
    ...Object.keys(manifest.dependencies ?? {}),
    // npm 7 and later install peer dependencies that are not marked optional.
    ...Object.keys(manifest.peerDependencies ?? {}).filter((name) => !optionalPeers[name]?.optional),
  ];
  for (const name of wanted) installClosure(findInstalled(name, dirname(manifestPath)), seen);
  return seen;
}

export async function installFootprint() {
  const figures = [];
  const out = mkdtempSync(join(tmpdir(), 'oauth-authorizer-pack-'));
  try {
    for (const name of PACKAGES) {
      const dir = join(root, 'packages', name);
      if (!existsSync(join(dir, 'dist'))) continue;
      const before = new Set(readdirSync(out));
      execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: 'ignore' });
      const tarball = readdirSync(out).find((file) => !before.has(file));
      const bytes = statSync(join(out, tarball)).size;
      const closure = installClosure(join(dir, 'package.json'));
      figures.push(figure(`${name}: packed size`, bytes / 1024, 'KiB'));
      const target = TARGETS[name];
      figures.push(
        figure(
          `${name}: packages installed`,
          closure.size,
          '',
          target ? { op: '<=', value: target } : undefined,
          {
            packages: [...closure.keys()],
          },
        ),
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return figures;
}
