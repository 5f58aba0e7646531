import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import the packages' TypeScript sources; processes that tests spawn (the CLI, the
// cross-process token manager workers) run the built `dist/` that `pnpm test` builds first.
export default defineConfig({
  resolve: {
    alias: {
      '@oauth-authorizer/core': src('core'),
      '@oauth-authorizer/redirect-listener': src('redirect-listener'),
      '@oauth-authorizer/presets': src('presets'),
      '@oauth-authorizer/mail-adapters': src('mail-adapters'),
      '@oauth-authorizer/store-redis': src('store-redis'),
      '@oauth-authorizer/mail-proxy': src('mail-proxy'),
      '@oauth-authorizer/test-servers': fileURLToPath(
        new URL('./tools/test-servers/src/index.ts', import.meta.url),
      ),
      // Before the package itself: an alias also matches the paths under it.
      '@oauth-authorizer/example-support/testing': fileURLToPath(
        new URL('./examples/example-support/src/testing.ts', import.meta.url),
      ),
      '@oauth-authorizer/example-support': fileURLToPath(
        new URL('./examples/example-support/src/index.ts', import.meta.url),
      ),
    },
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'tools/*/test/**/*.test.ts',
      'bench/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // The JSON report is what `.ci/run` counts for its closing `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: '.tmp/test-results.json' }]],
  },
});
