import { Resolver } from 'node:dns/promises';
import { findPresetForAddress, type MxRecord } from '@oauth-authorizer/presets';
import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const { Packet } = dns2;

/** The zone the loopback DNS server answers from: MX records per domain; absent domains are NXDOMAIN. */
const ZONE: Record<string, [string, number][]> = {
  'workspace.example': [
    ['alt1.aspmx.l.google.com', 5],
    ['aspmx.l.google.com', 1],
  ],
  'legacy-workspace.example': [['aspmx2.googlemail.com', 10]],
  'contoso.example': [['contoso-example.mail.protection.outlook.com', 0]],
  'fm-hosted.example': [
    ['in2-smtp.messagingengine.com', 20],
    ['in1-smtp.messagingengine.com', 10],
  ],
  'zoho-eu.example': [['mx.zoho.eu', 10]],
  'zoho-au.example': [['mx2.zoho.com.au', 20]],
  'zoho-ca.example': [['mx.zohocloud.ca', 10]],
  'yandex360.example': [['mx.yandex.net', 10]],
  'self-hosted.example': [['mail.self-hosted.example', 10]],
  // A look-alike: google.com must be the whole domain of the mail host, not a part of its name.
  'lookalike.example': [['aspmx.l.google.com.evil.example', 10]],
  'no-mx.example': [],
};

let server: ReturnType<typeof dns2.createServer>;
let resolver: Resolver;
const questions: string[] = [];

beforeAll(async () => {
  server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = question?.name.toLowerCase() ?? '';
      questions.push(name);
      const records = ZONE[name];
      if (records === undefined)
        response.header.rcode = 3; // NXDOMAIN
      else if (question?.type === Packet.TYPE.MX) {
        // A plain record is enough for dns2 to encode (its type asks for the decoder's toBuffer()).
        for (const [exchange, priority] of records)
          response.answers.push({
            name,
            type: Packet.TYPE.MX,
            class: Packet.CLASS.IN,
            ttl: 60,
            exchange,
            priority,
          } as (typeof response.answers)[number]);
      }
      send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { port } = server.addresses().udp as { port: number };
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
});

afterAll(async () => {
  await server?.close();
});

const viaDns = (address: string) =>
  findPresetForAddress(address, { resolveMx: (domain) => resolver.resolveMx(domain) });

describe('findPresetForAddress()', () => {
  it.each([
    ['me@gmail.com', 'google', {}],
    ['me@googlemail.com', 'google', {}],
    ['me@hotmail.co.uk', 'microsoft', { tenant: 'consumers' }],
    ['me@outlook.jp', 'microsoft', { tenant: 'consumers' }],
    ['me@live.fr', 'microsoft', { tenant: 'consumers' }],
    ['me@msn.com', 'microsoft', { tenant: 'consumers' }],
    ['me@yahoo.fr', 'yahoo', {}],
    ['me@rocketmail.com', 'yahoo', {}],
    ['me@aim.com', 'aol', {}],
    ['me@fastmail.fm', 'fastmail', {}],
    ['me@sent.com', 'fastmail', {}],
    ['me@zohomail.in', 'zoho', { dataCenter: 'in' }],
    ['me@zoho.com', 'zoho', {}],
    ['me@yandex.kz', 'yandex', {}],
    ['me@ya.ru', 'yandex', {}],
    ['me@inbox.ru', 'mailru', {}],
  ])('%s is a provider domain: %s, without asking DNS', async (address, id, parameters) => {
    const before = questions.length;
    const match = await viaDns(address);
    expect(match.preset.id).toBe(id);
    expect(match.parameters).toEqual(parameters);
    expect(match.via).toBe('domain');
    expect(questions.length).toBe(before);
  });

  it('a custom domain on Google Workspace gets the Google preset, found by the MX of lowest priority', async () => {
    const match = await viaDns('Someone@Workspace.Example');
    expect(match).toMatchObject({
      preset: { id: 'google' },
      domain: 'workspace.example',
      via: 'mx',
      mx: 'aspmx.l.google.com',
    });
    expect(match.reason).toBe(
      'the mail of workspace.example is handled by aspmx.l.google.com (Google Workspace)',
    );
    expect((await viaDns('me@legacy-workspace.example')).preset.id).toBe('google');
  });

  it('Microsoft 365 gets the domain as its tenant; Zoho the data centre of its MX and an organization account', async () => {
    expect(await viaDns('me@contoso.example')).toMatchObject({
      preset: { id: 'microsoft' },
      parameters: { tenant: 'contoso.example' },
    });
    expect((await viaDns('me@zoho-eu.example')).parameters).toEqual({
      dataCenter: 'eu',
      accountType: 'organization',
    });
    expect((await viaDns('me@zoho-au.example')).parameters.dataCenter).toBe('au');
    expect((await viaDns('me@zoho-ca.example')).parameters.dataCenter).toBe('ca');
  });

  it('Fastmail and Yandex 360 are recognised by their mail exchangers', async () => {
    expect(await viaDns('me@fm-hosted.example')).toMatchObject({
      preset: { id: 'fastmail' },
      mx: 'in1-smtp.messagingengine.com',
    });
    expect((await viaDns('me@yandex360.example')).preset.id).toBe('yandex');
  });

  it('another mail host, a look-alike host, no MX and no domain at all give custom with a one-line reason', async () => {
    const cases: [string, RegExp][] = [
      ['me@self-hosted.example', /goes to mail\.self-hosted\.example, which is not a provider with a preset/],
      ['me@lookalike.example', /goes to aspmx\.l\.google\.com\.evil\.example/],
      ['me@no-mx.example', /no-mx\.example has no MX records/],
      ['me@nxdomain.example', /nxdomain\.example has no MX records/],
      ['me@', /has no domain/],
    ];
    for (const [address, reason] of cases) {
      const match = await viaDns(address);
      expect(match.preset.id, address).toBe('custom');
      expect(match.via).toBe('none');
      expect(match.reason).toMatch(reason);
      expect(match.reason).not.toContain('\n');
    }
  });

  it('a failing resolver, or a lookup cancelled by its signal, is the reason rather than an error', async () => {
    const failing = await findPresetForAddress('me@somewhere.example', {
      resolveMx: async () => {
        throw Object.assign(new Error('queryMx ETIMEOUT somewhere.example'), { code: 'ETIMEOUT' });
      },
    });
    expect(failing.preset.id).toBe('custom');
    expect(failing.reason).toContain('could not be looked up (ETIMEOUT)');
    const controller = new AbortController();
    const pending = findPresetForAddress('me@slow.example', {
      resolveMx: () => new Promise<MxRecord[]>(() => {}),
      signal: controller.signal,
    });
    controller.abort();
    expect((await pending).reason).toContain('cancelled');
  });
});
