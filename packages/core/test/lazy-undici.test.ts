import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

// The CLI's `token` command answers from the store without a request: loading undici there would
// cost it a large share of its start-up. Checked on the built package, as users get it.
describe('importing core', () => {
  it('does not load undici until a request is made (CommonJS build)', () => {
    const script = `
      const core = require(${JSON.stringify(`${dist}index.cjs`)});
      const loaded = () => Object.keys(require.cache).some((file) => file.includes('/undici/'));
      const before = loaded();
      core.refreshTokens({ clientId: 'c', tokenUrl: 'http://127.0.0.1:1/token' }, 'rt').catch(() => {
        console.log(JSON.stringify({ before, after: loaded() }));
      });`;
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ before: false, after: true });
  });

  it('has no static import of undici (ES module build)', () => {
    const source = readFileSync(`${dist}index.js`, 'utf8');
    expect(source).not.toMatch(/^\s*import[^(]*from\s*["']undici["']/m);
    expect(source).toMatch(/import\(["']undici["']\)/);
  });
});
