import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Tells src/authorizer-error.ts which build it is in, so the CommonJS build require()s core's
  // CommonJS build (see the comment there).
  esbuildOptions(options, context) {
    options.define = { ...options.define, __REDIRECT_LISTENER_CJS__: String(context.format === 'cjs') };
  },
});
