// The mail proxy in a process of its own, for the mail-proxy benchmark: its memory is then the
// proxy's alone. Started by mail-proxy.mjs with --expose-gc; takes { config, accounts } over IPC,
// answers with the listeners' ports, then 'memory' (after a full GC) and 'close'.
import { MemoryTokenStore, TokenManager } from '../packages/core/dist/index.js';
import { parseProxyConfig, startMailProxy } from '../packages/mail-proxy/dist/index.js';

process.once('message', async ({ config, accounts }) => {
  const managers = new Map();
  for (const [account, { provider, tokens }] of Object.entries(accounts)) {
    const store = new MemoryTokenStore();
    await store.set({ account, tokens });
    managers.set(
      account,
      new TokenManager({ account, store, provider, minValidity: 1.25, retry: { retries: 0 } }),
    );
  }
  const proxy = await startMailProxy(parseProxyConfig(config), {
    tokenSource: (account) => managers.get(account),
    logger: () => undefined,
  });
  process.on('message', async (message) => {
    if (message === 'memory') {
      for (let i = 0; i < 3; i++) globalThis.gc?.();
      process.send({ memory: process.memoryUsage() });
    } else if (message === 'close') {
      await proxy.close(1);
      process.exit(0);
    }
  });
  process.send({
    ports: Object.fromEntries(proxy.listeners.map((listener) => [listener.name, listener.port])),
  });
});
