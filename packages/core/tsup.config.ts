import { defineConfig } from 'tsup';

export default defineConfig({
  // `cached-access-token` is an entry of its own: the CLI's hot path loads it alone.
  entry: ['src/index.ts', 'src/cached-access-token.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
