#!/usr/bin/env node
// `pnpm test` runs this first: when a system server the tests need is missing, it stops within a
// second with one message (what is missing, and `pnpm test:setup`) instead of minutes of failures.
import { inspect } from './servers.mjs';

const missing = inspect().filter((entry) => entry.missing.length > 0);
if (missing.length > 0) {
  const lines = missing.map(
    ({ requirement, missing: binaries }) =>
      `  - ${requirement.name} (${binaries.join(', ')}): ${requirement.why}; Debian packages: ${requirement.packages.join(' ')}`,
  );
  process.stderr.write(
    `The tests need system servers that are not installed:\n${lines.join('\n')}\nInstall them with: pnpm test:setup   (or run only the tests that need none: pnpm test:unit)\n`,
  );
  process.exit(1);
}
