#!/usr/bin/env node
// `pnpm cli:install`: installs the `oauth-authorizer` command from this clone, for as long as the
// packages are not on npm. It builds, packs the CLI and every workspace package it depends on
// with pnpm (which writes real versions for `workspace:` ranges), bundles them into one local
// package, and installs that with npm into the user's global prefix (npm's own rules:
// `npm config get prefix`, or `npm_config_prefix`). `pnpm cli:uninstall` removes it again.
// `--no-build` packs what is already built (the tests use it after `pnpm test` has built).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name of the bundle in npm's global list: `npm ls -g`, `npm uninstall -g`. */
export const BUNDLE_NAME = 'oauth-authorizer-from-clone';
const root = fileURLToPath(new URL('..', import.meta.url));

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
  return result.stdout;
}

/** The workspace packages by name, with their folders and manifests. */
function workspacePackages() {
  const packages = new Map();
  for (const group of ['packages', 'tools', 'examples']) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      try {
        const dir = join(root, group, entry.name);
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        packages.set(manifest.name, { dir, manifest });
      } catch {
        // not a package
      }
    }
  }
  return packages;
}

/** `name` and every workspace package it depends on at run time, transitively. */
export function runtimeClosure(name, packages = workspacePackages()) {
  const seen = new Map();
  const visit = (current) => {
    if (seen.has(current)) return;
    const found = packages.get(current);
    if (!found) return;
    seen.set(current, found);
    for (const [dependency, range] of Object.entries(found.manifest.dependencies ?? {}))
      if (String(range).startsWith('workspace:')) visit(dependency);
  };
  visit(name);
  return [...seen.entries()].map(([packageName, found]) => ({ name: packageName, ...found }));
}

function install({ build }) {
  const cli = workspacePackages().get('@oauth-authorizer/cli');
  const closure = runtimeClosure('@oauth-authorizer/cli');
  if (build) {
    process.stderr.write(`Building ${closure.map((p) => p.name).join(', ')}…\n`);
    run('node', [join(root, 'scripts/build-quietly.mjs'), '--filter=@oauth-authorizer/cli...'], {
      stdio: 'inherit',
    });
  }

  const staging = mkdtempSync(join(tmpdir(), 'oauth-authorizer-install-'));
  try {
    const tarballs = join(staging, 'tarballs');
    mkdirSync(tarballs);
    const dependencies = {};
    for (const pkg of closure) {
      run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: pkg.dir });
      const file = readdirSync(tarballs).find(
        (name) => name.startsWith(`${pkg.name.replace('@', '').replace('/', '-')}-`) && name.endsWith('.tgz'),
      );
      if (!file) throw new Error(`pnpm pack left no tarball for ${pkg.name}`);
      dependencies[pkg.name] = `file:./tarballs/${file}`;
    }
    const bundle = join(staging, 'bundle');
    mkdirSync(bundle);
    writeFileSync(
      join(bundle, 'package.json'),
      `${JSON.stringify(
        {
          name: BUNDLE_NAME,
          version: cli.manifest.version,
          description: 'The oauth-authorizer command, installed from a clone (pnpm cli:install).',
          license: cli.manifest.license,
          bin: { 'oauth-authorizer': 'bin.cjs' },
          engines: cli.manifest.engines,
          dependencies: Object.fromEntries(
            Object.entries(dependencies).map(([name, spec]) => [name, spec.replace('./', '../')]),
          ),
          bundleDependencies: Object.keys(dependencies),
        },
        null,
        2,
      )}\n`,
    );
    // CommonJS, like the CLI's own entry point: the `token` hot path pays for no ES module loader.
    // The CLI's exports map names only its package.json, so the entry point is found beside it.
    writeFileSync(
      join(bundle, 'bin.cjs'),
      "#!/usr/bin/env node\nconst { dirname, join } = require('node:path');\nrequire(join(dirname(require.resolve('@oauth-authorizer/cli/package.json')), 'dist', 'bin.js'));\n",
    );
    process.stderr.write('Packing the CLI with the packages it needs…\n');
    run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--install-links'], { cwd: bundle });
    const packed = run('npm', ['pack', '--json'], { cwd: bundle });
    const [{ filename }] = JSON.parse(packed);
    process.stderr.write('Installing it with npm into the global prefix…\n');
    run('npm', ['install', '--global', '--no-audit', '--no-fund', join(bundle, filename)]);
    const prefix = run('npm', ['config', 'get', 'prefix']).trim();
    const bin = process.platform === 'win32' ? prefix : join(prefix, 'bin');
    process.stdout.write(
      `Installed oauth-authorizer ${cli.manifest.version} into ${prefix}.\n` +
        `Check it: oauth-authorizer --version   (${bin} must be on your PATH)\n` +
        'Remove it: pnpm cli:uninstall\n',
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function uninstall() {
  run('npm', ['uninstall', '--global', '--no-audit', '--no-fund', BUNDLE_NAME]);
  process.stdout.write(`Removed ${BUNDLE_NAME} (the oauth-authorizer command) from npm's global prefix.\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--uninstall')) uninstall();
    else install({ build: !process.argv.includes('--no-build') });
  } catch (error) {
    process.stderr.write(`cli:install: ${error.message}\n`);
    process.exit(1);
  }
}
