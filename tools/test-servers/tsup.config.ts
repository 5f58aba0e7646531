import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// The test servers are used by this repository's tests only: ES module only, with `browser.js`
// as an entry of its own (the `$BROWSER` that CLI tests run).
export default defineConfig({ ...packageBuild, entry: ['src/index.ts', 'src/browser.ts'], format: ['esm'] });
