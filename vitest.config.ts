import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the packages' TypeScript sources, by the same names as the packages' users: the
// aliases are tsconfig.json's `paths` (one list for the type checker and the test runner), each
// matched exactly so that a subpath entry (`core/cached-access-token`) is its own module.
// Processes that tests spawn (the CLI, the cross-process token manager workers) run the built
// `dist/` that `pnpm test` builds first.
const { compilerOptions } = JSON.parse(readFileSync(new URL('./tsconfig.json', import.meta.url), 'utf8')) as {
  compilerOptions: { paths: Record<string, [string]> };
};
const alias = Object.entries(compilerOptions.paths).map(([name, [path]]) => ({
  find: new RegExp(`^${name.replaceAll('/', '\\/')}$`),
  replacement: fileURLToPath(new URL(path, import.meta.url)),
}));

export default defineConfig({
  resolve: { alias },
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
