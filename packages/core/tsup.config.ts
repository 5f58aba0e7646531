import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

export default defineConfig({
  ...packageBuild,
  // `cached-access-token` is an entry of its own: the CLI's hot path loads it alone. `store-kit`
  // holds the names only store implementers need.
  entry: ['src/index.ts', 'src/cached-access-token.ts', 'src/store-kit.ts'],
});
