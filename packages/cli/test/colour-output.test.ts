import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './cli-process.js';
import { startInTerminal } from './pseudo-terminal.js';

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'oauth-authorizer-colour-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function environment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && key !== 'NO_COLOR') env[key] = value;
  return { ...env, OAUTH_AUTHORIZER_HOME: home, TERM: 'xterm', ...extra };
}

async function rawTerminalOutput(env: Record<string, string>): Promise<string> {
  const session = startInTerminal([process.execPath, BIN, 'presets'], env);
  try {
    expect(await session.exited).toBe(0);
  } finally {
    session.kill();
  }
  return session.raw();
}

describe('colour', () => {
  it('is used on a terminal', async () => {
    expect(await rawTerminalOutput(environment({}))).toContain('\u001b[2m');
  });

  it('is never used with NO_COLOR', async () => {
    expect(await rawTerminalOutput(environment({ NO_COLOR: '1' }))).not.toContain('\u001b[');
  });

  it('is never used when the output is not a terminal', async () => {
    const result = await runCli(['presets'], { home, env: { NO_COLOR: undefined, TERM: 'xterm' } });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('\u001b[');
  });
});
