import { readFile } from 'node:fs/promises';
import { builtInPresets } from '@oauth-authorizer/presets';
import { describe, expect, it } from 'vitest';

const guide = (id: string) => readFile(new URL(`../../../docs/providers/${id}.md`, import.meta.url), 'utf8');

describe.each(builtInPresets.map((preset) => [preset.id, preset] as const))(
  'the guide of %s',
  (id, preset) => {
    it(`docs/providers/${id}.md exists, is listed in the index, and cites the provider's pages`, async () => {
      const text = await guide(id);
      expect(text).toMatch(new RegExp(`preset \`${id}\``));
      expect(await guide('README')).toContain(`(${id}.md)`);
      if (id !== 'custom') expect(text).toMatch(/\]\(https:\/\/[^)]+\)/);
    });

    it(`${id}: the guide names the exact redirect URL to register, when the provider needs one`, async () => {
      const text = await guide(id);
      if (preset.exactRedirect) expect(text).toContain(`\`${preset.redirectUrl}\``);
      else if (preset.redirectUrl) expect(text).toContain(new URL(preset.redirectUrl).hostname);
    });

    it(`${id}: the guide covers registration, redirect, client, scopes, errors and mail clients`, async () => {
      const text = await guide(id);
      if (id === 'custom') return;
      for (const heading of [
        /## 1\. .*register/i,
        /## 2\. Redirect URL/,
        /## 3\. Client type and secret/,
        /## 4\. .*Scopes/i,
        /Known errors/,
      ])
        expect(text).toMatch(heading);
      for (const server of Object.values(preset.mail ?? {})) {
        if (typeof server === 'object') expect(text).toContain(server.host.replace(/\{[^}]+\}/g, ''));
      }
    });
  },
);

describe('the Microsoft and Google guides', () => {
  it('Microsoft covers app-only access with the service principal and mailbox permission commands', async () => {
    const text = await guide('microsoft');
    for (const command of [
      'New-ServicePrincipal',
      'Add-MailboxPermission',
      'Set-CASMailbox',
      'IMAP.AccessAsApp',
    ])
      expect(text).toContain(command);
    for (const code of ['AADSTS65001', 'AADSTS700082', 'AADSTS50011', '535 5.7.139'])
      expect(text).toContain(code);
  });

  it("Microsoft's app-only commands are the ones Exchange's page documents: -ObjectId, then the Exchange principal's identity", async () => {
    const text = await guide('microsoft');
    expect(text).toContain(
      'New-ServicePrincipal -AppId <application-id> -ObjectId <enterprise-app-object-id>',
    );
    expect(text).toContain('Add-MailboxPermission -Identity mailer@contoso.com -User $principal.Identity');
    expect(text).toContain('#register-service-principals-in-exchange');
  });

  it('Google covers the Desktop app client, the Testing status and the device-flow refusal', async () => {
    const text = await guide('google');
    for (const phrase of ['Desktop app', '7 days', 'https://mail.google.com/', '534-5.7.9'])
      expect(text).toContain(phrase);
  });
});
