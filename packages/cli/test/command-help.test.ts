import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'oauth-authorizer-help-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

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
  'status',
  'config',
  'check',
];

describe('help', () => {
  it('every command has --help with usage and examples, on stdout, exit code 0', async () => {
    const results = await Promise.all(COMMANDS.map((command) => runCli([command, '--help'], { home })));
    results.forEach((result, index) => {
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: oauth-authorizer ${COMMANDS[index]}`));
      expect(result.stdout).toContain('Examples:');
      expect(result.stderr).toBe('');
    });
  });

  it('the top-level help lists every command; without a command it goes to stderr with exit code 2', async () => {
    const help = await runCli(['--help'], { home });
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(`  ${command}`);
    expect((await runCli(['help', 'token'], { home })).stdout).toMatch(/^Usage: oauth-authorizer token/);
    const bare = await runCli([], { home });
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: oauth-authorizer <command>');
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version'], { home });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
