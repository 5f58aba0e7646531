import { createNodemailerAuth, createSmtpTransport } from '@oauth-authorizer/mail-adapters';
import { type SmtpServer, startSmtpServer } from '@oauth-authorizer/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// nodemailer builds the XOAUTH2 initial response itself (`user=U\x01auth=Bearer T\x01\x01`) and
// checks neither field: the adapter applies the SASL builder's rule before anything reaches it.

const FORGED_USER = 'victim@example.test\x01auth=Bearer forged';

let smtp: SmtpServer;
beforeAll(async () => {
  // Accepts every token for every user: only the adapter stands between a forged field and the server.
  smtp = await startSmtpServer({
    introspect: async () => ({ active: true, email: 'victim@example.test', scope: 'mail' }),
  });
});
afterAll(async () => {
  await smtp?.close();
});

const source = (token = 'at-good-token') => ({ getAccessToken: async () => token });
const target = () => ({ host: smtp.host, port: smtp.port, tls: 'none' as const });

describe('nodemailer adapter: SASL fields', () => {
  it.each([
    ['\\x01auth=Bearer forged', '\x01auth=Bearer forged'],
    ['a user with \\x01auth=Bearer forged inside', FORGED_USER],
    ['CR LF', 'me@example.test\r\nAUTH PLAIN x'],
    ['NUL', 'me\x00@example.test'],
    ['DEL', 'me\x7f@example.test'],
  ])('createNodemailerAuth() refuses %s in user with a TypeError', (_name, user) => {
    expect(() => createNodemailerAuth(source(), { user })).toThrow(
      new TypeError('SASL "user" must not contain control characters'),
    );
  });

  it('createSmtpTransport() refuses `\\x01auth=Bearer forged` before connecting: no AUTH reaches the server', async () => {
    const before = smtp.authAttempts.length;
    await expect(createSmtpTransport(source(), { ...target(), user: FORGED_USER })).rejects.toThrow(
      TypeError,
    );
    expect(smtp.authAttempts.length).toBe(before);
  });

  it('a token with a control character from the source is not sent either', async () => {
    const transport = await createSmtpTransport(source('at\x01auth=Bearer forged'), {
      ...target(),
      user: 'me@example.test',
    });
    const before = smtp.authAttempts.length;
    try {
      const error = await transport
        .sendMail({ from: 'me@example.test', to: 'you@example.test', subject: 'x', text: 'x' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe('SASL "token" must not contain control characters');
    } finally {
      transport.close();
    }
    expect(smtp.authAttempts.slice(before).filter((attempt) => attempt.method === 'XOAUTH2')).toEqual([]);
  });

  it('a plain user and token still send', async () => {
    const transport = await createSmtpTransport(source(), { ...target(), user: 'victim@example.test' });
    try {
      await transport.sendMail({ from: 'me@example.test', to: 'you@example.test', subject: 'x', text: 'x' });
    } finally {
      transport.close();
    }
    expect(smtp.authAttempts.at(-1)).toMatchObject({ username: 'victim@example.test', accepted: true });
  });
});
