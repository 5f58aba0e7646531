import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const dist = new URL('./dist/', import.meta.url);

/** Declares the module type of the files in a dist/ directory, whatever the package's own type. */
function declareModuleType(directory: URL, type: 'module' | 'commonjs'): void {
  mkdirSync(directory, { recursive: true });
  writeFileSync(new URL('package.json', directory), `${JSON.stringify({ type }, null, 2)}\n`);
}

// The builds below write into one dist/ concurrently: clean it once here, not in each (and not
// again when tsup loads this file in its declaration worker).
if (isMainThread) rmSync(dist, { recursive: true, force: true });

const shared: Options = {
  sourcemap: true,
  clean: false,
  target: 'node20',
  platform: 'node',
  define: { __CLI_VERSION__: JSON.stringify(version) },
};

// Layout: dist/bin.js and dist/index.cjs are CommonJS (dist/package.json says so); the ES module
// API and the rest of the CLI live in dist/esm/ (whose package.json says "module"), with each
// command in its own chunk, loaded only when it runs.
export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts', main: 'src/main.ts' },
    outDir: 'dist/esm',
    format: ['esm'],
    splitting: true,
    dts: { entry: { index: 'src/index.ts' } },
    async onSuccess() {
      declareModuleType(new URL('esm/', dist), 'module');
    },
  },
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    format: ['cjs'],
    shims: true,
    outExtension: () => ({ js: '.cjs' }),
    dts: { entry: { index: 'src/index.ts' } },
  },
  // The executable: one CommonJS file with the hot path of `token` and nothing else. Node starts
  // a CommonJS entry point without setting up its ES module loader, which is most of what the hot
  // path would otherwise cost over a bare `node -e 0`.
  {
    ...shared,
    entry: { bin: 'src/bin.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.js' }),
    async onSuccess() {
      declareModuleType(dist, 'commonjs');
    },
  },
]);
