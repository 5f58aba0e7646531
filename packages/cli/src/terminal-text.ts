/**
 * Text from outside (a server's `error_description`, a discovered URL, a mail server's reply)
 * made safe to show on a terminal.
 *
 * @module
 */

/**
 * The select-graphic-rendition sequences the CLI's own styles write (bold, dim, colours, the QR
 * code's fixed colours, reset): nothing else that starts with ESC reaches the terminal.
 */
const OWN_STYLE = /^\u001b\[(?:0|1|2|22|31|32|33|36|39|97;40)m/;

/** C0 controls but tab and newline, DEL, and the C1 controls (U+0080–U+009F, e.g. the 8-bit CSI). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Replaces every control character in `text` by its visible escape (`\x1b`, `\x9b`, `\x07`, …),
 * so that text a server controls cannot clear the screen (`ESC[2J`), move the cursor, retitle
 * the window or write the clipboard (OSC 52). Tab and newline stay. With `keepOwnStyles`, the
 * exact colour sequences of the CLI's own styles are kept: they only change colours.
 *
 * @example
 * ```ts
 * escapeControlCharacters('bad\u001b[2Jrequest'); // 'bad\\x1b[2Jrequest'
 * escapeControlCharacters('\u001b[1mbold\u001b[22m', { keepOwnStyles: true }); // unchanged
 * ```
 */
export function escapeControlCharacters(text: string, options: { keepOwnStyles?: boolean } = {}): string {
  const keep = options.keepOwnStyles === true;
  return text.replace(CONTROL, (char, offset: number) => {
    if (keep && char === '\u001b' && OWN_STYLE.test(text.slice(offset, offset + 8))) return char;
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
