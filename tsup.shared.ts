import type { Options } from 'tsup';

/**
 * The build every published package shares: ES module and CommonJS, each with its own type files
 * (`.d.ts` / `.d.cts`, as the `exports` maps say), source maps, for Node 20.
 */
export const packageBuild = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
} satisfies Options;

/** The build of a runnable example program: one ES module, `dist/main.js`, for Node 20. */
export const programBuild = {
  entry: ['src/main.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
} satisfies Options;
