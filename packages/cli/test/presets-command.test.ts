import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-presets-'));
  await writeFile(
    join(directory, 'acme.json'),
    JSON.stringify({
      id: 'acme',
      name: 'Acme Mail',
      authorizationUrl: 'https://id.acme.example/authorize',
      deviceAuthorizationUrl: 'https://id.acme.example/device',
      tokenUrl: 'https://id.acme.example/token',
      scopes: ['openid', 'offline_access', 'mail'],
      flows: ['code', 'device'],
      mail: { imap: { host: 'imap.acme.example', port: 993, tls: 'implicit' }, sasl: 'XOAUTH2' },
    }),
  );
  await writeFile(join(directory, 'broken.json'), '{ "id": "broken", ');
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('presets', () => {
  it('lists the built-in presets', async () => {
    const result = await runCli(['presets'], { home: directory });
    expect(result.code).toBe(0);
    for (const id of [
      'google',
      'microsoft',
      'yahoo',
      'aol',
      'fastmail',
      'zoho',
      'yandex',
      'github',
      'custom',
    ])
      expect(result.stdout).toMatch(new RegExp(`^${id} `, 'm'));
    const json = JSON.parse((await runCli(['presets', '--json'], { home: directory })).stdout) as {
      id: string;
    }[];
    expect(json.map((preset) => preset.id)).toContain('google');
  });

  it('presets show lists the fields a built-in preset fixes', async () => {
    const result = await runCli(['presets', 'show', 'microsoft'], { home: directory });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Fixed by the preset:');
    expect(result.stdout).toContain(
      'Token URL: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
    );
    expect(result.stdout).toMatch(/tenant: .*Default: common\./);
  });

  it('presets show reads a preset file, relative to the working directory', async () => {
    const result = await runCli(['presets', 'show', './acme.json', '--json'], {
      home: directory,
      cwd: directory,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: 'acme',
      tokenUrl: 'https://id.acme.example/token',
      fixedFields: expect.arrayContaining(['authorizationUrl', 'tokenUrl']),
      mail: { imap: { host: 'imap.acme.example' } },
    });
  });

  it('a broken preset file is a configuration error naming the file (exit code 2)', async () => {
    const result = await runCli(['presets', 'show', join(directory, 'broken.json')], { home: directory });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('broken.json');
    expect(result.stderr).toMatch(/^oauth-authorizer: /);
  });
});
