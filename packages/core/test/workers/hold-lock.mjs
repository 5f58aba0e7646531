// Takes an account's lock in a FileTokenStore and holds it until told to release it on stdin
// ("release"), or until it is killed. Used by file-token-store-lock.test.ts to hold the lock from
// another process. Runs the built package: build core (`npx tsup` in packages/core) first.
import { FileTokenStore } from '../../dist/index.js';

const [directory, account, staleAfter] = process.argv.slice(2);
const store = new FileTokenStore({
  directory,
  ...(staleAfter && { lockStaleAfter: Number(staleAfter) }),
});
const lock = await store.lock(account, { timeout: 10_000 });
process.stdout.write('locked\n');
process.stdin.setEncoding('utf8');
process.stdin.on('data', async (text) => {
  if (!text.includes('release')) return;
  await lock.release();
  process.stdout.write('released\n');
  process.exit(0);
});
