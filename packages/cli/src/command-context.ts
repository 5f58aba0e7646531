import type { Output, TerminalStreams } from './output.js';

/** What a command gets to run with. */
export interface CommandContext {
  /** The arguments after the command name. */
  args: string[];
  streams: TerminalStreams;
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative preset paths are resolved. */
  cwd: string;
  platform: string;
  /** The CLI's home directory (see `resolveHome`). */
  home: string;
  output: Output;
  /** Aborted on Ctrl-C (SIGINT) and SIGTERM. */
  signal: AbortSignal;
  /** `--debug` was given. */
  debug: boolean;
}

/** A command module, loaded on demand. */
export interface CommandModule {
  /** The `--help` text, with examples. */
  help: string;
  /** Runs the command; resolves with its exit code. */
  run(context: CommandContext): Promise<number>;
}
