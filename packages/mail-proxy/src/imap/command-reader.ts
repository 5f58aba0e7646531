import type { LocalSession } from '../session.js';

/** One client command before login: its tag, its name (upper case) and its arguments. */
export interface ImapCommand {
  tag: string;
  name: string;
  /** Atoms, quoted strings (unescaped) and literals, in order. */
  args: string[];
}

const LITERAL_AT_END = /\{(\d{1,10})(\+?)\}$/;

/** Splits the text of a command line into atoms and quoted strings. `undefined` for a bad quote. */
export function tokenize(text: string): string[] | undefined {
  const tokens: string[] = [];
  let index = 0;
  while (index < text.length) {
    if (text[index] === ' ') {
      index += 1;
      continue;
    }
    if (text[index] === '"') {
      let value = '';
      index += 1;
      for (;;) {
        const char = text[index];
        if (char === undefined) return undefined;
        index += 1;
        if (char === '"') break;
        if (char === '\\') {
          const escaped = text[index];
          if (escaped !== '"' && escaped !== '\\') return undefined;
          value += escaped;
          index += 1;
        } else value += char;
      }
      tokens.push(value);
      continue;
    }
    const end = text.indexOf(' ', index);
    tokens.push(text.slice(index, end === -1 ? text.length : end));
    index = end === -1 ? text.length : end;
  }
  return tokens;
}

/**
 * Reads one command with its literals (RFC 3501 §4.3, RFC 7888 `{n+}`): a synchronizing literal
 * gets the `+` continuation, its bytes are read (within the line limit) and the command goes on
 * after them. `null` when the client is gone; `'bad'` for a line that cannot be parsed.
 */
export async function readImapCommand(session: LocalSession): Promise<ImapCommand | null | 'bad'> {
  const args: string[] = [];
  let first = true;
  let tag = '';
  let name = '';
  for (;;) {
    const line = await session.readLine();
    if (line === null) return null;
    const literal = LITERAL_AT_END.exec(line);
    const text = literal === null ? line : line.slice(0, literal.index);
    const tokens = tokenize(text);
    if (tokens === undefined) return 'bad';
    if (first) {
      const [commandTag, commandName, ...rest] = tokens;
      if (
        commandTag === undefined ||
        commandName === undefined ||
        !/^[\x21-\x7e]+$/.test(commandTag) ||
        commandTag.includes('+')
      )
        return 'bad';
      tag = commandTag;
      name = commandName.toUpperCase();
      args.push(...rest);
      first = false;
    } else args.push(...tokens);
    if (literal === null) return { tag, name, args };
    const size = Number(literal[1]);
    // A literal over the limit is refused before the client is asked for it (and sends it).
    if (size > session.runtime.limits.maxLineLength) {
      session.outcome = 'line-too-long';
      session.end(session.byeOnTimeout);
      return null;
    }
    if (literal[2] !== '+') session.write('+ Ready for literal data\r\n');
    const bytes = await session.reader.readBytes(size).catch(() => null);
    if (bytes === null) return null;
    args.push(bytes.toString('utf8'));
  }
}
