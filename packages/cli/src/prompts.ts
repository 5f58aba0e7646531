import { StringDecoder } from 'node:string_decoder';
import { CLI_INTERRUPTED, cliError } from './errors.js';
import type { Styles, TerminalStreams } from './output.js';
import { escapeControlCharacters } from './terminal-text.js';

function interrupted(): Error {
  return cliError(CLI_INTERRUPTED, 'interrupted: no answer was given');
}

/** One choice of {@link Prompter.choose}. */
export interface Choice<T extends string> {
  value: T;
  label: string;
}

/** Options of {@link Prompter.ask}. */
export interface AskOptions {
  /** Taken when the answer is empty; shown in brackets. */
  default?: string | undefined;
  /** Echo nothing (a client secret). Default: false */
  hidden?: boolean;
  /** Accept an empty answer (without a default). Default: false */
  optional?: boolean;
  /** Returns what is wrong with an answer; the question is asked again. */
  validate?: (answer: string) => string | undefined;
}

/**
 * Asks questions on a terminal: the terminal version of the authorizer dialog. It reads stdin in
 * raw mode with its own small line editor (backspace, Ctrl-U, pasted text, escape sequences
 * ignored), so a hidden answer is never echoed, and Ctrl-C ends the command cleanly. Questions
 * and echo go to stderr: stdout stays for the requested data. Use it only when stdin is a TTY.
 *
 * @example
 * ```ts
 * const prompter = new Prompter(streams, output.errorStyle);
 * const clientId = await prompter.ask('Client ID');
 * const secret = await prompter.ask('Client secret', { hidden: true, optional: true });
 * ```
 */
export class Prompter {
  readonly #streams: TerminalStreams;
  readonly #style: Styles;
  readonly #signal: AbortSignal | undefined;

  /** @param signal Ends a pending question with `CLI_INTERRUPTED` (SIGINT, SIGTERM). */
  constructor(streams: TerminalStreams, style: Styles, signal?: AbortSignal) {
    if (typeof streams.stdin.setRawMode !== 'function')
      throw new TypeError('prompts need stdin to be a terminal');
    this.#streams = streams;
    this.#style = style;
    this.#signal = signal;
  }

  /** Writes a line of explanation between questions (preset texts among them: control characters are escaped). */
  say(text: string): void {
    const keepOwnStyles = this.#style.bold('') !== '';
    this.#streams.stderr.write(`${escapeControlCharacters(text, { keepOwnStyles })}\n`);
  }

  /**
   * Asks one question until the answer is acceptable.
   *
   * @throws {AuthorizerError} `CLI_INTERRUPTED` on Ctrl-C, or end of input on an empty line.
   */
  async ask(question: string, options: AskOptions = {}): Promise<string> {
    const s = this.#style;
    for (;;) {
      const suffix = options.default
        ? ` ${s.dim(`[${options.default}]`)}`
        : options.hidden
          ? ` ${s.dim('(hidden)')}`
          : '';
      const raw = (await this.#readLine(`${s.bold(question)}${suffix}: `, options.hidden === true)).trim();
      const answer = raw === '' && options.default !== undefined ? options.default : raw;
      if (answer === '' && !options.optional) {
        this.say(s.yellow('  an answer is needed'));
        continue;
      }
      const problem = answer === '' ? undefined : options.validate?.(answer);
      if (problem) {
        this.say(s.yellow(`  ${problem}`));
        continue;
      }
      return answer;
    }
  }

  /** Asks to pick one of `choices` by number or by value. */
  async choose<T extends string>(
    question: string,
    choices: readonly Choice<T>[],
    defaultValue?: T,
  ): Promise<T> {
    const s = this.#style;
    const width = Math.max(...choices.map((choice) => choice.value.length));
    this.say(s.bold(`${question}:`));
    choices.forEach((choice, index) => {
      this.say(
        `  ${s.cyan(String(index + 1).padStart(2))}) ${choice.value.padEnd(width)}  ${s.dim(choice.label)}`,
      );
    });
    const answer = await this.ask(`Choose 1-${choices.length} or a name`, {
      default: defaultValue,
      validate: (text) =>
        this.#pick(choices, text)
          ? undefined
          : `choose a number from 1 to ${choices.length}, or one of the names`,
    });
    return this.#pick(choices, answer) as T;
  }

  /** Asks a yes/no question. */
  async confirm(question: string, defaultValue = false): Promise<boolean> {
    const answer = await this.ask(`${question} (y/n)`, {
      default: defaultValue ? 'y' : 'n',
      validate: (text) => (/^(y|yes|n|no)$/i.test(text) ? undefined : 'answer y or n'),
    });
    return /^y/i.test(answer);
  }

  #pick<T extends string>(choices: readonly Choice<T>[], text: string): T | undefined {
    if (/^\d+$/.test(text)) return choices[Number(text) - 1]?.value;
    return choices.find((choice) => choice.value === text)?.value;
  }

  /** Shows `prompt` and reads one line; raw mode is on before the prompt shows, so no key is missed. */
  #readLine(prompt: string, hidden: boolean): Promise<string> {
    const { stdin, stderr } = this.#streams;
    const signal = this.#signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(interrupted());
        return;
      }
      const decoder = new StringDecoder('utf8');
      let line = '';
      const onAbort = () => {
        stderr.write('\n');
        finish(() => reject(interrupted()));
      };
      const finish = (settle: () => void) => {
        signal?.removeEventListener('abort', onAbort);
        stdin.off('data', onData);
        stdin.setRawMode?.(false);
        stdin.pause();
        settle();
      };
      const onData = (chunk: Buffer | string) => {
        const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
        for (let index = 0; index < text.length; index++) {
          const char = text[index] as string;
          if (char === '\r' || char === '\n') {
            stderr.write('\n');
            finish(() => resolve(line));
            return;
          }
          if (char === '\u0003' || (char === '\u0004' && line === '')) {
            stderr.write('\n');
            finish(() => reject(interrupted()));
            return;
          }
          if (char === '\u007f' || char === '\b') {
            if (line !== '') {
              line = [...line].slice(0, -1).join('');
              if (!hidden) stderr.write('\b \b');
            }
          } else if (char === '\u0015') {
            if (!hidden) stderr.write('\b \b'.repeat([...line].length));
            line = '';
          } else if (char === '\u001b') {
            // Arrow keys, bracketed-paste markers and the like: CSI sequences end in a byte from @ to ~.
            if (text[index + 1] === '[') {
              index += 2;
              while (index < text.length && !/[@-~]/.test(text[index] as string)) index++;
            } else index += 1;
          } else if (char >= ' ') {
            line += char;
            if (!hidden) stderr.write(char);
          }
        }
      };
      stdin.setRawMode?.(true);
      stdin.on('data', onData);
      signal?.addEventListener('abort', onAbort, { once: true });
      stdin.resume();
      stderr.write(prompt);
    });
  }
}
