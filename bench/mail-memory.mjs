// Mail clients against hostile servers whose replies never end: the peak RSS of the client's
// process until it gives up with its typed error. Each case runs the client in a fresh node process
// (this file, run with `--case=<name> --port=<port>`), so the figure is that process's
// `resourceUsage().maxRSS` alone; the server floods from the benchmark's own process.
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { figure, median } from './lib.mjs';

const MiB = 1024 * 1024;
/** Target of every case: the issue's < 150 MB (decimal megabytes). */
const TARGET_MB = 150;
/**
 * Where the server stops flooding: far above every client limit (64 MiB at most), low enough that
 * a client without its limit shows up as a miss instead of eating the shared machine's memory.
 */
const FLOOD_LIMIT = 512 * MiB;

const source = { getAccessToken: async () => 'bench-access-token' };
const user = 'bench@example.test';

/**
 * The cases: which server misbehaves how, what the client does against it, and the typed error it
 * must end with (the code and, for `MAIL_RESPONSE_TOO_LARGE`, the option that sets the limit).
 */
const cases = {
  'endless-capa': {
    label: 'POP3 connectPop3(), endless CAPA',
    server: { protocol: 'pop3', behaviour: 'endless-capa' },
    expected: { code: 'MAIL_RESPONSE_TOO_LARGE', option: 'maxResponseSize' },
    run: ({ connectPop3 }, port) => connectPop3(source, { user, host: '127.0.0.1', port, tls: 'none' }),
  },
  'endless-list': {
    label: 'POP3 list(), endless LIST',
    server: { protocol: 'pop3', behaviour: 'endless-list' },
    expected: { code: 'MAIL_RESPONSE_TOO_LARGE', option: 'maxResponseSize' },
    run: async ({ Pop3Client }, port) => {
      const client = await Pop3Client.connect({ host: '127.0.0.1', port, tls: 'none' });
      return client.list();
    },
  },
  'endless-retr': {
    label: 'POP3 retrieveMessage(), endless RETR',
    server: { protocol: 'pop3', behaviour: 'endless-retr' },
    expected: { code: 'MAIL_RESPONSE_TOO_LARGE', option: 'maxMessageSize' },
    run: async ({ Pop3Client }, port) => {
      const client = await Pop3Client.connect({ host: '127.0.0.1', port, tls: 'none' });
      return client.retrieveMessage(1);
    },
  },
  'imap-endless-line': {
    label: 'IMAP connectImapFlow(), one endless line',
    server: { protocol: 'imap', behaviour: 'endless-line' },
    expected: { code: 'MAIL_PROTOCOL_ERROR' },
    run: ({ connectImapFlow }, port) =>
      connectImapFlow(source, { user, host: '127.0.0.1', port, tls: 'none' }),
  },
  'imap-huge-literal': {
    label: 'IMAP connectImapFlow(), 1 GiB literal',
    server: { protocol: 'imap', behaviour: 'huge-literal' },
    expected: { code: 'MAIL_RESPONSE_TOO_LARGE', option: 'maxLiteralSize' },
    run: ({ connectImapFlow }, port) =>
      connectImapFlow(source, { user, host: '127.0.0.1', port, tls: 'none' }),
  },
};

/** The child: runs one case against the server on `port`, prints its outcome and peak RSS as JSON. */
async function runCase(name, port) {
  const adapters = await import('../packages/mail-adapters/dist/index.js');
  let outcome;
  try {
    await cases[name].run(adapters, port);
    outcome = { code: 'none', message: 'the client accepted the endless reply' };
  } catch (error) {
    outcome = { code: error?.code ?? error?.name, option: error?.option, limit: error?.limit };
  }
  // maxRSS is in kilobytes (KiB on Linux).
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ ...outcome, maxRssBytes })}\n`);
  // The clients close their sockets on the error; nothing else should keep the process alive.
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const run = promisify(execFile);
/** Where the baseline's bare `import('imapflow')` resolves from: the adapters' package. */
const adaptersDirectory = fileURLToPath(new URL('../packages/mail-adapters/', import.meta.url));

/** Peak RSS of a fresh node process that only loads the adapters: what every case starts from. */
async function baseline() {
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(new URL('../packages/mail-adapters/dist/index.js', import.meta.url).href)});
     await import('imapflow');
     process.stdout.write(String(process.resourceUsage().maxRSS * 1024));`,
    ],
    { cwd: adaptersDirectory },
  );
  return Number(stdout);
}

async function measure(testServers, name) {
  const { server: spec } = cases[name];
  const start =
    spec.protocol === 'pop3' ? testServers.startHostilePop3Server : testServers.startHostileImapServer;
  const server = await start({ behaviour: spec.behaviour, floodLimit: FLOOD_LIMIT });
  try {
    const { stdout } = await run(process.execPath, [self, `--case=${name}`, `--port=${server.port}`], {
      timeout: 120_000,
    });
    return { ...JSON.parse(stdout), floodedBytes: server.floodedBytes };
  } finally {
    await server.close();
  }
}

export async function mailMemory({ quick }) {
  const rounds = quick ? 1 : 3;
  const testServers = await import('../tools/test-servers/dist/index.js');
  const figures = [
    figure('mail clients: peak RSS of a fresh process with the adapters', (await baseline()) / 1e6, 'MB'),
  ];
  for (const [name, { label, expected }] of Object.entries(cases)) {
    const runs = [];
    for (let round = 0; round < rounds; round++) runs.push(await measure(testServers, name));
    const wrong = runs.find(
      (r) => r.code !== expected.code || (expected.option !== undefined && r.option !== expected.option),
    );
    const peak = median(runs.map((r) => r.maxRssBytes)) / 1e6;
    const result = figure(
      `${label}: peak RSS`,
      peak,
      'MB',
      { op: '<=', value: TARGET_MB },
      {
        error: (wrong ?? runs[0]).code,
        expectedError: expected.code,
        limit: runs[0].limit,
        floodedMB: median(runs.map((r) => r.floodedBytes)) / 1e6,
      },
    );
    // Bounded memory counts only when the client also stopped with the typed error that names the limit.
    if (wrong) {
      result.ok = false;
      result.name += ` (ended with ${wrong.code}${wrong.option ? ` ${wrong.option}` : ''}, not ${expected.code})`;
    }
    figures.push(result);
  }
  return figures;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const arg = (key) => process.argv.find((a) => a.startsWith(`--${key}=`))?.slice(key.length + 3);
  const name = arg('case');
  if (!name || !(name in cases))
    throw new TypeError(`--case must be one of ${Object.keys(cases).join(', ')}`);
  await runCase(name, Number(arg('port')));
}
