import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

export default defineConfig({
  ...packageBuild,
  // Tells src/authorizer-error.ts which build it is in, so the CommonJS build require()s core's
  // CommonJS build (see the comment there).
  esbuildOptions(options, context) {
    options.define = { ...options.define, __REDIRECT_LISTENER_CJS__: String(context.format === 'cjs') };
  },
});
