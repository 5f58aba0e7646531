import { describe, expect, it } from 'vitest';
import { closestWord, didYouMean, editDistance } from '../src/suggestions.js';

const COMMANDS = [
  'authorize',
  'token',
  'refresh',
  'revoke',
  'accounts',
  'show',
  'remove',
  'presets',
  'sasl',
  'help',
];

describe('typo suggestions', () => {
  it('editDistance() counts a swap of neighbours as one edit', () => {
    expect(editDistance('shwo', 'show')).toBe(1);
    expect(editDistance('--versoin', '--version')).toBe(1);
    expect(editDistance('acounts', 'accounts')).toBe(1);
    expect(editDistance('gogle', 'google')).toBe(1);
    expect(editDistance('access', 'accounts')).toBe(4);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('closestWord() takes the nearest within two edits, never a prefix match', () => {
    expect(closestWord('acounts', COMMANDS)).toBe('accounts');
    expect(closestWord('shwo', COMMANDS)).toBe('show');
    expect(closestWord('prsets', COMMANDS)).toBe('presets');
    expect(closestWord('access', COMMANDS)).toBeUndefined();
    expect(closestWord('autho', COMMANDS)).toBeUndefined();
    // A word of two letters is no typo of a four-letter one.
    expect(closestWord('sh', COMMANDS)).toBeUndefined();
    expect(closestWord('token', COMMANDS)).toBeUndefined();
  });

  it('didYouMean() is a suffix for a message, or nothing', () => {
    expect(didYouMean('organisations', ['common', 'organizations', 'consumers'])).toBe(
      ' (did you mean "organizations"?)',
    );
    expect(didYouMean('zzz', ['common'])).toBe('');
  });
});
