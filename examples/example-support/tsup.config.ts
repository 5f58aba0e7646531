import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // The test runner that loads the fixture provides vitest; a bundled second copy would register
  // hooks with a runner that is not running.
  external: ['vitest'],
});
