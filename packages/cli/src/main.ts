import type { CommandContext, CommandModule } from './command-context.js';
import { usageError } from './errors.js';
import { EXIT_AUTHORIZATION_REQUIRED, EXIT_OK, EXIT_USAGE, exitCodeFor } from './exit-codes.js';
import { resolveHome } from './home.js';
import { Output, type TerminalStreams } from './output.js';
import { didYouMean } from './suggestions.js';

declare const __CLI_VERSION__: string;

/** The CLI's version (from its package.json, at build time). */
export const CLI_VERSION: string = typeof __CLI_VERSION__ === 'string' ? __CLI_VERSION__ : '0.0.0-dev';

// Each command is loaded only when it runs: `token` must not pay for the listener, the presets or
// the QR code generator.
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  authorize: () => import('./commands/authorize.js'),
  token: () => import('./commands/token.js'),
  refresh: () => import('./commands/refresh.js'),
  revoke: () => import('./commands/revoke.js'),
  accounts: () => import('./commands/accounts.js'),
  show: () => import('./commands/show.js'),
  remove: () => import('./commands/remove.js'),
  presets: () => import('./commands/presets.js'),
  sasl: () => import('./commands/sasl.js'),
  status: () => import('./commands/status.js'),
  config: () => import('./commands/config.js'),
  check: () => import('./commands/check.js'),
  store: () => import('./commands/store.js'),
  proxy: () => import('./commands/proxy.js'),
};

/** Commands whose "authorization needed" (exit 3) runs the notify hook. */
const NOTIFYING_COMMANDS = new Set(['token', 'refresh', 'sasl', 'check']);

/** The top-level `--help` text. */
export const HELP = `oauth-authorizer — get OAuth2 tokens for mail clients and scripts, and keep them fresh

Usage: oauth-authorizer <command> [options]

Commands:
  authorize <account>   authorize an account (browser or device code) and show its tokens
  token <account>       print a valid access token, refreshing it first when needed
  refresh <account>     refresh the account's tokens now (--all [--older-than 30d]: every account)
  revoke <account>      revoke the tokens at the provider and forget them
  accounts              list the stored accounts
  show <account>        show an account's settings and token status
  remove <account>      delete an account
  presets               list the built-in presets ("presets show <preset>" shows one)
  sasl <account>        print the base64 SASL XOAUTH2 / OAUTHBEARER initial response
  status [<account>]    every account's state from the store (exit 3: one needs authorization)
  config <client> <account>  print an msmtp / mbsync / neomutt / aerc configuration
  check <account>       log in to the account's IMAP, POP3 and SMTP servers with its token
  store migrate <account> --to keyring|file   move an account's secrets to or from the OS keyring
  proxy                 run the local mail proxy for password-only clients ("proxy passwd <user>")

Options:
  -h, --help            show help; "oauth-authorizer <command> --help" shows a command's
  -V, --version         print the version
      --debug           show error details (error codes, stack traces)

Examples:
  oauth-authorizer authorize me@gmail.com --preset google --client-id 1234.apps.googleusercontent.com
  oauth-authorizer authorize work --preset microsoft --tenant organizations --client-id <id> --flow device
  oauth-authorizer token me@gmail.com
  oauth-authorizer accounts

Files: everything is kept under $OAUTH_AUTHORIZER_HOME (default ~/.config/oauth-authorizer).
Exit codes: 0 success, 1 other error, 2 usage or configuration error, 3 authorization needed,
            4 network or server error, 5 the authorization did not complete.
`;

/** Options of {@link main}. */
export interface MainOptions {
  /** Default: the process's stdin, stdout and stderr */
  streams?: TerminalStreams;
  /** Default: `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: `process.cwd()` */
  cwd?: string;
  /** Default: `process.platform` */
  platform?: string;
  /** Cancels the command. Default: SIGINT and SIGTERM of the process, while the command runs */
  signal?: AbortSignal;
}

/** The options taken before the command. */
const TOP_LEVEL_OPTIONS = ['--help', '-h', '--version', '-V', '--debug'];

/** Only arguments before `--` are options. */
function hasOption(args: readonly string[], ...names: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => names.includes(arg));
}

/**
 * Runs `oauth-authorizer` with `argv` (the arguments after the program name) and resolves with
 * its exit code; it never exits the process and never throws. Errors are reported on stderr as
 * `oauth-authorizer: <what went wrong>` and a hint line.
 *
 * @example
 * ```ts
 * import { main } from '@oauth-authorizer/cli';
 *
 * process.exitCode = await main(['token', 'me@example.com']);
 * ```
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const streams: TerminalStreams = options.streams ?? {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  };
  const env = options.env ?? process.env;
  const output = new Output(streams, env);
  const args = [...argv];
  let debug = hasOption(args, '--debug');
  let phase: 'authorize' | 'refresh' = 'refresh';
  let commandName: string | undefined;
  const controller = new AbortController();
  const onSignal = () => {
    // A second Ctrl-C, or a command that does not react to the first, ends the process at once.
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error('interrupted'));
  };
  if (options.signal)
    options.signal.addEventListener('abort', () => controller.abort(options.signal?.reason));
  else {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    while (args[0]?.startsWith('-')) {
      const flag = args.shift() as string;
      if (flag === '--help' || flag === '-h') {
        output.data(HELP);
        return EXIT_OK;
      }
      if (flag === '--version' || flag === '-V') {
        output.data(CLI_VERSION);
        return EXIT_OK;
      }
      if (flag === '--debug') debug = true;
      else throw usageError(`unknown option ${flag}${didYouMean(flag, TOP_LEVEL_OPTIONS)}`);
    }
    const name = args.shift();
    if (name === undefined) {
      streams.stderr.write(HELP);
      return EXIT_USAGE;
    }
    if (name === 'help') {
      const topic = args[0] && Object.hasOwn(COMMANDS, args[0]) ? args[0] : undefined;
      output.data(topic ? (await (COMMANDS[topic] as () => Promise<CommandModule>)()).help : HELP);
      return EXIT_OK;
    }
    if (!Object.hasOwn(COMMANDS, name))
      throw usageError(`unknown command "${name}"${didYouMean(name, [...Object.keys(COMMANDS), 'help'])}`);
    const command = await (COMMANDS[name] as () => Promise<CommandModule>)();
    if (hasOption(args, '--help', '-h')) {
      output.data(command.help);
      return EXIT_OK;
    }
    if (name === 'authorize') phase = 'authorize';
    commandName = name;
    const context: CommandContext = {
      args,
      streams,
      env,
      cwd: options.cwd ?? process.cwd(),
      platform: options.platform ?? process.platform,
      home: resolveHome(env, options.platform ?? process.platform),
      output,
      signal: controller.signal,
      debug,
    };
    return await command.run(context);
  } catch (error) {
    // Loaded only on failure: the hint reads the presets, which `token` must not pay for.
    const hint = (await import('./provider-error-hint.js')).providerErrorHint(error, argv, {
      env,
      platform: options.platform ?? process.platform,
      cwd: options.cwd,
    });
    output.error(error, { debug, phase, providerHint: await hint });
    const code = exitCodeFor(error, phase);
    // An account that has just turned out to need authorization: tell the user (detached, once).
    if (code === EXIT_AUTHORIZATION_REQUIRED && commandName && NOTIFYING_COMMANDS.has(commandName))
      await (await import('./notify.js')).notifyAfterFailure(
        resolveHome(env, options.platform ?? process.platform),
        env,
        args,
      );
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
