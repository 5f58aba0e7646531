import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

// Issue 15: a typo gets the closest word within 2 edits, and only that: no prefix matches.

let home: string;

beforeAll(async () => {
  home = join(await mkdtemp(join(tmpdir(), 'oauth-authorizer-typos-')), 'home');
});

async function firstLine(args: string[]): Promise<{ code: number | null; line: string }> {
  const result = await runCli(args, { home });
  return { code: result.code, line: result.stderr.split('\n')[0] ?? '' };
}

describe('typos are answered with the closest word', () => {
  it.each([
    [['acounts'], 'unknown command "acounts" (did you mean "accounts"?)'],
    [['shwo', 'me'], 'unknown command "shwo" (did you mean "show"?)'],
    [['prsets'], 'unknown command "prsets" (did you mean "presets"?)'],
    [['--versoin'], 'unknown option --versoin (did you mean "--version"?)'],
    [
      ['authorize', 'me', '--prest', 'google'],
      'authorize: unknown option --prest (did you mean "--preset"?)',
    ],
    [
      ['token', 'me', '--min-valdity', '5'],
      'token: unknown option --min-valdity (did you mean "--min-validity"?)',
    ],
  ])('%j', async (args, message) => {
    const { code, line } = await firstLine(args);
    expect(code).toBe(2);
    expect(line).toBe(`oauth-authorizer: ${message}`);
  });

  it('"access" is no typo of "accounts": a shared prefix is not a suggestion', async () => {
    const { code, line } = await firstLine(['access']);
    expect(code).toBe(2);
    expect(line).toBe('oauth-authorizer: unknown command "access"');
  });

  it('presets show gogle suggests google', async () => {
    const result = await runCli(['presets', 'show', 'gogle'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown preset "gogle"');
    expect(result.stderr).toContain('hint: did you mean "google"?');
  });

  it('a scope-set name and a tenant keyword get their suggestion, in flag names', async () => {
    const scopeSet = await runCli(
      ['authorize', 'me', '--preset', 'microsoft', '--client-id', 'a', '--scope-set', 'imapp'],
      { home },
    );
    expect(scopeSet.code).toBe(2);
    expect(scopeSet.stderr).toContain('--scope-set');
    expect(scopeSet.stderr).toContain('(did you mean "imap"?)');
    const tenant = await runCli(
      ['authorize', 'me', '--preset', 'microsoft', '--client-id', 'a', '--tenant', 'organisations'],
      { home },
    );
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toContain(
      'authorize: --tenant "organisations" is not accepted by preset "microsoft" (did you mean "organizations"?)',
    );
    // Plain words, not the preset's raw pattern.
    expect(tenant.stderr).not.toContain('[0-9a-fA-F]');
  });
});
