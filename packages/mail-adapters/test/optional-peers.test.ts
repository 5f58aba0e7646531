/**
 * A program that only uses POP3 installs neither nodemailer nor imapflow: the built package is
 * copied into a project that has only core next to it, and run there in a child process.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakePop3Server, startFakePop3Server } from './fake-pop3-server.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const coreDir = fileURLToPath(new URL('../../core', import.meta.url));

let project: string;
let pop3: FakePop3Server;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'oa-pop3-only-'));
  const scope = join(project, 'node_modules', '@oauth-authorizer');
  await mkdir(join(scope, 'mail-adapters'), { recursive: true });
  await cp(join(packageDir, 'package.json'), join(scope, 'mail-adapters', 'package.json'));
  await cp(join(packageDir, 'dist'), join(scope, 'mail-adapters', 'dist'), { recursive: true });
  await symlink(coreDir, join(scope, 'core'), 'dir');
  pop3 = await startFakePop3Server({
    respond(line, session) {
      if (line === 'CAPA') session.write('+OK\r\nSASL XOAUTH2\r\n.\r\n');
      else if (line.startsWith('AUTH XOAUTH2 ')) session.write('+OK logged in\r\n');
      else if (line === 'STAT') session.write('+OK 3 4200\r\n');
      else if (line === 'QUIT') session.write('+OK bye\r\n');
    },
  });
});
afterAll(async () => {
  await pop3?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

const program = (kind: 'mjs' | 'cjs') => `
${kind === 'mjs' ? "import * as mail from '@oauth-authorizer/mail-adapters';" : "const mail = require('@oauth-authorizer/mail-adapters');"}
const source = { getAccessToken: async () => 'token-for-pop3' };
(async () => {
  const client = await mail.connectPop3(source, { user: 'u@example.test', host: '127.0.0.1', port: Number(process.env.POP3_PORT), tls: 'none' });
  const { count } = await client.stat();
  await client.quit();
  const missing = [];
  for (const attempt of [
    () => mail.createSmtpTransport(source, { user: 'u@example.test', host: '127.0.0.1', port: 25, tls: 'none' }),
    () => mail.connectImapFlow(source, { user: 'u@example.test', host: '127.0.0.1', port: 143, tls: 'none' }),
  ]) {
    try { await attempt(); missing.push('loaded'); } catch (error) { missing.push(error.code); }
  }
  console.log(JSON.stringify({ count, missing }));
})();
`;

it.each(['mjs', 'cjs'] as const)(
  'runs a POP3-only program (%s) where neither nodemailer nor imapflow is installed',
  async (kind) => {
    const file = join(project, `pop3-only.${kind}`);
    await writeFile(file, program(kind));
    const { stdout } = await run(process.execPath, [file], {
      cwd: project,
      env: { ...process.env, POP3_PORT: String(pop3.port) },
    });
    expect(JSON.parse(stdout)).toEqual({ count: 3, missing: ['MAIL_PEER_MISSING', 'MAIL_PEER_MISSING'] });
  },
);
