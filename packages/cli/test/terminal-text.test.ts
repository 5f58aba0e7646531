import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControlCharacters } from '../src/terminal-text.js';

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('escapeControlCharacters()', () => {
  it('shows ESC[2J, OSC 52, BEL, CR and C1 CSI as visible escapes, and keeps tab and newline', () => {
    expect(escapeControlCharacters('a\u001b[2Jb\u001b]52;c;eA==\u0007c\rd\u009b1m\te\nf')).toBe(
      'a\\x1b[2Jb\\x1b]52;c;eA==\\x07c\\x0dd\\x9b1m\te\nf',
    );
  });

  it('keeps only the exact colour sequences of the CLI’s own styles, and only when asked', () => {
    const styled = '\u001b[1mbold\u001b[22m \u001b[97;40mqr\u001b[0m';
    expect(escapeControlCharacters(styled, { keepOwnStyles: true })).toBe(styled);
    expect(escapeControlCharacters(styled)).not.toMatch(RAW_CONTROL);
    // Concealed text, cursor moves and screen clearing are never kept.
    for (const hostile of ['\u001b[8m', '\u001b[2J', '\u001b[H', '\u001b]0;title\u0007'])
      expect(escapeControlCharacters(hostile, { keepOwnStyles: true })).not.toMatch(RAW_CONTROL);
  });

  it('never lets a control character other than tab, newline and the own styles through (1,000 generated texts)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const escaped = escapeControlCharacters(text, { keepOwnStyles: true });
        const withoutOwnStyles = escaped.replace(/\u001b\[(?:0|1|2|22|31|32|33|36|39|97;40)m/g, '');
        expect(withoutOwnStyles).not.toMatch(RAW_CONTROL);
        expect(escapeControlCharacters(text)).not.toMatch(RAW_CONTROL);
      }),
      { numRuns: 1000 },
    );
  });
});
