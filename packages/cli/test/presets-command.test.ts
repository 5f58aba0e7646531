import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

let directory: string;
/** A DNS server on loopback: contoso.example's mail is at Microsoft 365, own.example's at home. */
let dns: ReturnType<typeof dns2.createServer>;
let dnsServer: string;

beforeAll(async () => {
  const mx: Record<string, string> = {
    'contoso.example': 'contoso-example.mail.protection.outlook.com',
    'own.example': 'mail.own.example',
  };
  dns = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      const name = request.questions[0]?.name.toLowerCase() ?? '';
      const exchange = mx[name];
      if (exchange === undefined) response.header.rcode = 3;
      else
        response.answers.push({
          name,
          type: dns2.Packet.TYPE.MX,
          class: dns2.Packet.CLASS.IN,
          ttl: 60,
          exchange,
          priority: 10,
        } as (typeof response.answers)[number]);
      send(response);
    },
  });
  await dns.listen({ udp: { port: 0, address: '127.0.0.1' } });
  dnsServer = `127.0.0.1:${(dns.addresses().udp as { port: number }).port}`;
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
  // A community preset package, installed in a project's node_modules.
  const pkg = join(directory, 'project', 'node_modules', 'oauth-authorizer-preset-globex');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: 'oauth-authorizer-preset-globex',
      version: '1.0.0',
      type: 'module',
      exports: './index.js',
    }),
  );
  await writeFile(
    join(pkg, 'index.js'),
    `export const globex = ${JSON.stringify({
      id: 'globex',
      name: 'Globex Mail',
      issuer: 'https://login.globex.example',
      scopes: ['openid', 'offline_access'],
      flows: ['device'],
    })};\n`,
  );
});

afterAll(async () => {
  await dns?.close();
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
      'mailru',
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

  it('presets show prints the redirect URL to register for a provider that matches exactly', async () => {
    const yahoo = await runCli(['presets', 'show', 'yahoo'], { home: directory });
    expect(yahoo.code, yahoo.stderr).toBe(0);
    expect(yahoo.stdout).toContain('register exactly this redirect URL: https://127.0.0.1:18471/callback');
    const zoho = await runCli(['presets', 'show', 'zoho'], { home: directory });
    expect(zoho.stdout).toContain('register exactly this redirect URL: http://127.0.0.1:18473/callback');
    const google = await runCli(['presets', 'show', 'google'], { home: directory });
    expect(google.stdout).not.toContain('register exactly');
    expect(google.stdout).toContain('Guide: docs/providers/google.md');
  });

  it("presets show lists the preset's warnings, with the flows and scopes they apply to", async () => {
    const result = await runCli(['presets', 'show', 'microsoft'], { home: directory });
    expect(result.stdout).toContain('Notes:');
    expect(result.stdout).toContain('535 5.7.139');
    expect(result.stdout).toMatch(/AADSTS65001.*\(with scopes .*IMAP\.AccessAsUser\.All/);
    expect(result.stdout).toMatch(/Allow public client flows.*\(with the device flow\)/);
    expect(result.stdout).toContain('SMTP with tenant=consumers: smtp-mail.outlook.com:587 (starttls)');
  });

  it('presets find names the preset of a provider domain without asking DNS', async () => {
    const result = await runCli(['presets', 'find', 'me@hotmail.co.uk', '--dns-server', '127.0.0.1:9'], {
      home: directory,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^microsoft {2}Microsoft/);
    expect(result.stdout).toContain('hotmail.co.uk is a Microsoft (Outlook.com, Microsoft 365) domain');
    expect(result.stdout).toContain(
      'authorize with: oauth-authorizer authorize me@hotmail.co.uk --preset microsoft --tenant consumers',
    );
  });

  it('presets find looks up the MX of another domain: Microsoft 365 with the domain as tenant, else custom', async () => {
    const m365 = await runCli(
      ['presets', 'find', 'alex@contoso.example', '--json', '--dns-server', dnsServer],
      {
        home: directory,
      },
    );
    expect(m365.code, m365.stderr).toBe(0);
    expect(JSON.parse(m365.stdout)).toEqual({
      address: 'alex@contoso.example',
      domain: 'contoso.example',
      preset: 'microsoft',
      name: 'Microsoft (Outlook.com, Microsoft 365)',
      parameters: { tenant: 'contoso.example' },
      via: 'mx',
      mx: 'contoso-example.mail.protection.outlook.com',
      reason:
        'the mail of contoso.example is handled by contoso-example.mail.protection.outlook.com (Microsoft 365)',
    });
    const own = await runCli(['presets', 'find', 'me@own.example', '--dns-server', dnsServer], {
      home: directory,
    });
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(
      /^custom {2}Custom settings\n {2}the mail of own\.example goes to mail\.own\.example, which is not a provider with a preset/,
    );
    const bad = await runCli(['presets', 'find', 'me@own.example', '--dns-server', 'not a server'], {
      home: directory,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--dns-server');
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

  it("presets show names the provider whose errors explain a preset's: its own, or the file's errorsOf", async () => {
    const usGovernment = join(directory, 'microsoft-us-gov.json');
    await writeFile(
      usGovernment,
      JSON.stringify({
        id: 'microsoft-us-gov',
        name: 'Microsoft 365 (US Government)',
        authorizationUrl: 'https://login.microsoftonline.us/organizations/oauth2/v2.0/authorize',
        tokenUrl: 'https://login.microsoftonline.us/organizations/oauth2/v2.0/token',
        flows: ['code'],
        errorsOf: 'microsoft',
      }),
    );
    const file = await runCli(['presets', 'show', usGovernment], { home: directory });
    expect(file.code, file.stderr).toBe(0);
    expect(file.stdout).toContain(
      'Provider errors explained from: the documented errors of Microsoft (Outlook.com, Microsoft 365) ("errorsOf": "microsoft")',
    );
    const json = await runCli(['presets', 'show', usGovernment, '--json'], { home: directory });
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'microsoft-us-gov', errorsOf: 'microsoft' });
    const google = await runCli(['presets', 'show', 'google'], { home: directory });
    expect(google.stdout).toContain(
      'Provider errors explained from: the documented errors of Google (Gmail)\n',
    );
    const acme = await runCli(['presets', 'show', './acme.json'], { home: directory, cwd: directory });
    expect(acme.stdout).not.toContain('Provider errors explained');
  });

  it('presets show finds a community preset package in node_modules by its name', async () => {
    const result = await runCli(['presets', 'show', 'oauth-authorizer-preset-globex'], {
      home: directory,
      cwd: join(directory, 'project'),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Globex Mail (globex)');
    expect(result.stdout).toContain('Issuer: https://login.globex.example');
    const missing = await runCli(['presets', 'show', 'oauth-authorizer-preset-initech'], {
      home: directory,
      cwd: directory,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('npm install oauth-authorizer-preset-initech');
  });

  it('a broken preset file is a configuration error naming the file (exit code 2)', async () => {
    const result = await runCli(['presets', 'show', join(directory, 'broken.json')], { home: directory });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('broken.json');
    expect(result.stderr).toMatch(/^oauth-authorizer: /);
  });
});
