import { escapeControlCharacters } from '@oauth-authorizer/cli';

/**
 * One line of the demo's output, safe for the terminal: lines carry text from the servers (an SMTP
 * reply in a failed send, a server's error description), and no control character of theirs
 * (`ESC[2J`, OSC 52 writing the clipboard) reaches the terminal. The demo writes none of its own.
 *
 * @example
 * ```ts
 * process.stdout.write(terminalLine('✗ message 1/6 failed: 535 bad\u001b[2J'));
 * ```
 */
export function terminalLine(text: string): string {
  return `${escapeControlCharacters(text)}\n`;
}
