import { execFile } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { loadAccount } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine, requireAccount } from '../command-line.js';
import { shellQuote, usageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { aercConfiguration } from '../mail-client-config/aerc.js';
import {
  configurationName,
  type MailClientAccount,
  tokenCommandFor,
} from '../mail-client-config/mail-client-account.js';
import { type IsyncVersion, isyncVersionOf, mbsyncConfiguration } from '../mail-client-config/mbsync.js';
import { msmtpConfiguration } from '../mail-client-config/msmtp.js';
import { neomuttConfiguration } from '../mail-client-config/neomutt.js';
import { type MailProtocolName, mailServersOf } from '../mail-server-spec.js';
import { type CliSettings, readSettings, settingsPath, writeSettings } from '../settings-file.js';

/** The `--help` text of `oauth-authorizer config`, with examples. */
export const help = `Usage: oauth-authorizer config <client> <account> [options]
       oauth-authorizer config set notify [--] <command> [<argument>…]
       oauth-authorizer config unset notify
       oauth-authorizer config set store file|keyring
       oauth-authorizer config unset store
       oauth-authorizer config show [--json]

Prints a working configuration for a mail client and the account, built from the preset's mail
servers, the account's address, the preset's SASL mechanism and the token command (this CLI by
its absolute path). Clients: msmtp (SMTP), mbsync (IMAP to a Maildir), neomutt (IMAP and SMTP),
aerc (IMAP and SMTP).

Options:
  --user <address>           the mailbox address (default: the login hint, else the account name)
  --name <name>              the account's name inside the configuration (default: from the account)
  --mechanism <m>            xoauth2 or oauthbearer (default: the preset's, else xoauth2)
  --host <host>              the client's server (SMTP for msmtp, IMAP for the others), for
  --port <port>              providers without a preset or to override it; the port defaults to
  --tls <mode>               the protocol's, TLS to implicit
  --imap, --smtp <host:port[:tls]>   a server of that protocol (tls: implicit, starttls or none)
  --ca <file>                trust this CA certificate (a private mail server)
  --maildir <dir>            mbsync: where the mail goes (default: ~/Mail/<name>)
  --isync-version <v>        mbsync: 1.4 (SSLType) or 1.5 (TLSType); default: what "mbsync --version" says

Settings (config.json under the home directory):
  notify   the command run (detached, at most 10 s, once per account and situation) when an
           account needs authorization or its refresh token nears a known limit; it gets
           OAUTH_AUTHORIZER_ACCOUNT, _REASON, _HINT and _COMMAND in its environment. Unset:
           notify-send in a desktop session. "config set notify --off" turns it off.
  store    where new accounts keep their refresh token and saved client secret: file (the
           default) or keyring (the OS keyring); authorize --store chooses for one account.

Examples:
  oauth-authorizer config set notify notify-send --urgency=critical "OAuth authorization needed"
  oauth-authorizer config msmtp me@gmail.com > ~/.msmtprc && chmod 600 ~/.msmtprc
  oauth-authorizer config mbsync work --isync-version 1.4 >> ~/.mbsyncrc
  oauth-authorizer config neomutt me@gmail.com > ~/.config/neomutt/neomuttrc
  oauth-authorizer config aerc lab --host mail.lab.example --port 993 >> ~/.config/aerc/accounts.conf
`;

/** The clients `config` writes for, and the protocol each mainly talks. */
const CLIENTS: Record<string, MailProtocolName> = {
  msmtp: 'smtp',
  mbsync: 'imap',
  neomutt: 'imap',
  aerc: 'imap',
};

/** `config set|unset|show`: edits or prints the settings file. */
async function runSettings(context: CommandContext, verb: 'set' | 'unset' | 'show'): Promise<number> {
  const args = context.args.slice(1);
  const path = settingsPath(context.home);
  if (verb === 'show') {
    const { values } = parseCommandLine('config show', args, { json: { type: 'boolean' } }, { max: 0 });
    const settings = await readSettings(context.home);
    if (values.json) context.output.json(settings);
    else {
      context.output.data(
        `notify: ${settings.notify === undefined ? '(not set: notify-send in a desktop session)' : settings.notify === null ? 'off' : settings.notify.map(shellQuote).join(' ')}`,
      );
      context.output.data(`store: ${settings.store ?? '(not set: file)'}`);
    }
    return EXIT_OK;
  }
  if (args[0] !== 'notify' && args[0] !== 'store')
    throw usageError(
      `config ${verb}: the settings are: notify, store; got ${args[0] === undefined ? 'nothing' : `"${args[0]}"`}`,
      'config',
    );
  const settings = await readSettings(context.home);
  if (args[0] === 'store') return setStore(context, verb, args.slice(1), settings, path);
  if (verb === 'unset') {
    if (args.length > 1) throw usageError('config unset notify takes no value', 'config');
    const { notify: _removed, ...rest } = settings;
    await writeSettings(context.home, rest);
    context.output.info(`Unset notify in ${path}`);
    return EXIT_OK;
  }
  // Everything after "notify" is the command, flags included ("--" is optional).
  const command = args[1] === '--' ? args.slice(2) : args.slice(1);
  if (command.length === 0 || command[0] === '')
    throw usageError(
      'config set notify: give the command, e.g. config set notify notify-send "OAuth"',
      'config',
    );
  const notify = command.length === 1 && command[0] === '--off' ? null : command;
  await writeSettings(context.home, { ...settings, notify });
  context.output.info(`Set notify in ${path}: ${notify === null ? 'off' : notify.map(shellQuote).join(' ')}`);
  return EXIT_OK;
}

/** `config set store file|keyring`, `config unset store`: where new accounts keep their secrets. */
async function setStore(
  context: CommandContext,
  verb: 'set' | 'unset',
  values: readonly string[],
  settings: CliSettings,
  path: string,
): Promise<number> {
  if (verb === 'unset') {
    if (values.length > 0) throw usageError('config unset store takes no value', 'config');
    const { store: _removed, ...rest } = settings;
    await writeSettings(context.home, rest);
    context.output.info(`Unset store in ${path}: new accounts keep their secrets in their file`);
    return EXIT_OK;
  }
  const [store, ...extra] = values;
  if ((store !== 'file' && store !== 'keyring') || extra.length > 0)
    throw usageError(
      `config set store: give file or keyring, got ${store === undefined ? 'nothing' : `"${values.join(' ')}"`}`,
      'config',
    );
  await writeSettings(context.home, { ...settings, store });
  context.output.info(
    `Set store in ${path}: new accounts keep their secrets in the ${store === 'keyring' ? 'OS keyring' : 'account file'}`,
  );
  return EXIT_OK;
}

/** What `mbsync --version` says, or `undefined` when mbsync cannot be run. */
function detectIsyncVersion(): Promise<IsyncVersion | undefined> {
  return new Promise((done) => {
    execFile('mbsync', ['--version'], { timeout: 5000 }, (error, stdout) =>
      done(error ? undefined : isyncVersionOf(stdout)),
    );
  });
}

/**
 * Prints a mail client's configuration for an account (`oauth-authorizer config`); resolves with
 * the exit code, throws the errors that `main()` reports. Reads the store only: no token is fetched.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['msmtp', 'me@gmail.com'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const verb = context.args[0];
  if (verb === 'set' || verb === 'unset' || verb === 'show') return runSettings(context, verb);
  const { values, positionals } = parseCommandLine(
    'config',
    context.args,
    {
      user: { type: 'string' },
      name: { type: 'string' },
      mechanism: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      tls: { type: 'string' },
      imap: { type: 'string' },
      smtp: { type: 'string' },
      ca: { type: 'string' },
      maildir: { type: 'string' },
      'isync-version': { type: 'string' },
    },
    { max: 2 },
  );
  const client = positionals[0]?.toLowerCase();
  if (client === undefined || !Object.hasOwn(CLIENTS, client))
    throw usageError(
      `config: give the mail client (${Object.keys(CLIENTS).join(', ')}), got ${client === undefined ? 'nothing' : `"${positionals[0]}"`}`,
      'config',
    );
  const account = requireAccount('config', positionals[1]);
  const mechanismFlag = values.mechanism?.toUpperCase();
  if (mechanismFlag !== undefined && mechanismFlag !== 'XOAUTH2' && mechanismFlag !== 'OAUTHBEARER')
    throw usageError(
      `config: --mechanism must be xoauth2 or oauthbearer, got "${values.mechanism}"`,
      'config',
    );
  const isyncFlag = values['isync-version'];
  if (isyncFlag !== undefined && !/^1\.[45](\.\d+)?$/.test(isyncFlag))
    throw usageError(`config: --isync-version must be 1.4 or 1.5, got "${isyncFlag}"`, 'config');
  const name = values.name ?? configurationName(account);
  if (!/^[A-Za-z0-9@._-]{1,64}$/.test(name))
    throw usageError('config: --name takes letters, digits, "@", ".", "_" and "-" only', 'config');

  const { settings } = await loadAccount(context, account);
  const primary = CLIENTS[client] as MailProtocolName;
  const servers = mailServersOf('config', settings, values, primary);
  if (!servers[primary])
    throw usageError(
      `config: the account's preset names no ${primary.toUpperCase()} server; give --host (and --port, --tls) or --${primary} host:port`,
      'config',
    );
  const address = values.user ?? settings.loginHint ?? account;
  if (/[\s"'\\\u0000-\u001f]/.test(address))
    throw usageError(
      'config: the mailbox address has spaces, quotes or control characters; give --user',
      'config',
    );
  const mailAccount: MailClientAccount = {
    account,
    name,
    address,
    mechanism: (mechanismFlag ?? settings.mail?.sasl?.toUpperCase() ?? 'XOAUTH2') as
      | 'XOAUTH2'
      | 'OAUTHBEARER',
    servers,
    tokenCommand: tokenCommandFor(account),
    caFile: values.ca === undefined ? undefined : resolve(context.cwd, values.ca),
    maildir:
      values.maildir === undefined
        ? `~/Mail/${name}`
        : isAbsolute(values.maildir) || values.maildir.startsWith('~')
          ? values.maildir
          : resolve(context.cwd, values.maildir),
  };

  let text: string;
  switch (client) {
    case 'msmtp':
      text = msmtpConfiguration(mailAccount);
      break;
    case 'mbsync': {
      let version = isyncFlag?.slice(0, 3) as IsyncVersion | undefined;
      if (version === undefined) {
        version = await detectIsyncVersion();
        if (version === undefined) {
          version = '1.5';
          context.output.warn(
            'could not run "mbsync --version": writing isync 1.5 syntax (TLSType); give --isync-version 1.4 for older releases',
          );
        }
      }
      if (mailAccount.mechanism === 'OAUTHBEARER')
        context.output.warn(
          "mbsync needs a Cyrus SASL plugin for OAUTHBEARER; --mechanism xoauth2 works with Debian's libsasl2-modules-kdexoauth2",
        );
      text = mbsyncConfiguration(mailAccount, version);
      break;
    }
    case 'neomutt':
      text = neomuttConfiguration(mailAccount);
      break;
    default:
      text = aercConfiguration(mailAccount);
  }
  context.output.data(text);
  return EXIT_OK;
}
