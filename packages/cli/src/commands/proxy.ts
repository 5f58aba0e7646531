import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AuthorizerError, type TokenManager } from '@oauth-authorizer/core';
import { loadAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine } from '../command-line.js';
import { CLI_USAGE, cliError, usageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { Prompter } from '../prompts.js';
import { tokenManagerFor } from '../token-manager-for.js';

/** The `--help` text of `oauth-authorizer proxy`, with examples. */
export const help = `Usage: oauth-authorizer proxy [--config <file>]
       oauth-authorizer proxy passwd <user> [--account <account>] [--mailbox <address>] [--config <file>]

Runs the local mail proxy in the foreground: programs and devices that only know a user name and
a password (printers, scanners, old applications) log in to it with SMTP AUTH PLAIN/LOGIN, IMAP
LOGIN or POP3 USER/PASS, and it logs in to the real server with XOAUTH2/OAUTHBEARER and the
account's token, refreshed as needed. It logs one line per session to stderr (never a password,
token or message content). Ctrl-C or SIGTERM stops it, waiting for open sessions first.

"proxy passwd" sets a local user's password (asked twice, hidden, on a terminal; else the first
line of stdin) and stores its scrypt hash in the configuration; --account says which stored
account the user's mail goes through (needed for a new user).

Options:
  --config <file>      the proxy configuration (default $OAUTH_AUTHORIZER_HOME/proxy.json)
  --account <account>  (passwd) the account in the token store
  --mailbox <address>  (passwd) the mailbox to log in to upstream (default: the account name)

Examples:
  oauth-authorizer proxy passwd printer --account me@example.com
  oauth-authorizer proxy
  oauth-authorizer proxy --config /etc/oauth-authorizer/proxy.json
`;

/** Configuration errors of the proxy are usage errors (exit code 2), naming the field. */
function asUsageError(error: unknown): never {
  if (
    error instanceof AuthorizerError &&
    error.code.startsWith('MAIL_PROXY_') &&
    error.code !== 'MAIL_PROXY_UPSTREAM_UNAVAILABLE'
  ) {
    throw cliError(CLI_USAGE, error.message, {
      hint: error.hint ?? 'see: oauth-authorizer proxy --help',
      cause: error,
    });
  }
  throw error;
}

function configFile(context: CommandContext, value: string | undefined): string {
  return value === undefined ? join(context.home, 'proxy.json') : resolve(context.cwd, value);
}

async function runProxy(context: CommandContext): Promise<number> {
  const { values } = parseCommandLine('proxy', context.args, { config: { type: 'string' } }, { max: 0 });
  const file = configFile(context, values.config);
  // Loaded here, not at start-up: `token` and the other commands never pay for the proxy.
  const { formatLogEntry, loadProxyConfig, startMailProxy } = await import('@oauth-authorizer/mail-proxy');
  const config = await loadProxyConfig(file).catch(asUsageError);
  // Every account must be there now, not at the first login of a device hours later.
  const managers = new Map<string, TokenManager>();
  for (const { account } of Object.values(config.users)) {
    if (!managers.has(account))
      managers.set(account, tokenManagerFor(context, account, await loadAccount(context, account)));
  }
  const proxy = await startMailProxy(config, {
    tokenSource: (account) => managers.get(account) as TokenManager,
    // A TLS listener without "cert" and "key" gets the proxy's own, made once, kept 0600 here.
    certificateDirectory: join(context.home, 'proxy-tls'),
    logger: (entry) => context.streams.stderr.write(`${context.output.redact(formatLogEntry(entry))}\n`),
  }).catch(asUsageError);
  context.output.info(`proxy: ${proxy.listeners.length} listener(s) running; Ctrl-C stops`);
  await new Promise<void>((done) => {
    if (context.signal.aborted) done();
    else context.signal.addEventListener('abort', () => done(), { once: true });
  });
  context.output.info(`proxy: stopping, waiting up to ${config.limits.drainTimeout} s for open sessions`);
  await proxy.close();
  return EXIT_OK;
}

async function readNewPassword(context: CommandContext): Promise<string> {
  const { stdin } = context.streams;
  if (stdin.isTTY === true && typeof stdin.setRawMode === 'function') {
    const prompter = new Prompter(context.streams, context.output.errorStyle, context.signal);
    const password = await prompter.ask('New password', { hidden: true });
    const again = await prompter.ask('Once more', { hidden: true });
    if (password !== again)
      throw cliError(CLI_USAGE, 'proxy passwd: the two passwords differ', { hint: 'run the command again' });
    return password;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password === '') throw usageError('proxy passwd: no password on stdin', 'proxy');
  return password;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function setPassword(context: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'proxy passwd',
    args,
    { config: { type: 'string' }, account: { type: 'string' }, mailbox: { type: 'string' } },
    { max: 1 },
  );
  const user = positionals[0];
  if (user === undefined || user === '') throw usageError('proxy passwd: give the local user name', 'proxy');
  const file = configFile(context, values.config);
  let config: { users?: Record<string, Record<string, unknown>> } & Record<string, unknown> = {};
  try {
    config = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw cliError(CLI_USAGE, `proxy passwd: cannot read ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const users = config.users ?? {};
  const existing = users[user] ?? {};
  const account = values.account ?? existing.account;
  if (typeof account !== 'string') {
    throw usageError(
      `proxy passwd: "${user}" is a new user; say which account it uses with --account <account>`,
      'proxy',
    );
  }
  const password = await readNewPassword(context);
  const { hashPassword } = await import('@oauth-authorizer/mail-proxy');
  users[user] = {
    ...existing,
    account,
    ...(values.mailbox !== undefined && { mailbox: values.mailbox }),
    password: await hashPassword(password),
  };
  await writeAtomically(file, `${JSON.stringify({ ...config, users }, null, 2)}\n`);
  context.output.info(`proxy: the password of "${user}" is set in ${file}`);
  return EXIT_OK;
}

/**
 * Runs the mail proxy until SIGINT/SIGTERM (`oauth-authorizer proxy`), or sets a local user's
 * password (`oauth-authorizer proxy passwd <user>`); resolves with the exit code.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['--config', '/etc/oauth-authorizer/proxy.json'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  if (context.args[0] === 'passwd') return setPassword(context, context.args.slice(1));
  return runProxy(context);
}
