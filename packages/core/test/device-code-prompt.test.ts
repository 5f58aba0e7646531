import { readFile } from 'node:fs/promises';
import { authorizeWithDeviceCode, type DeviceCodePrompt, type ProviderConfig } from '@oauth-authorizer/core';
import { type HostileTokenEndpoint, startHostileTokenEndpoint } from '@oauth-authorizer/test-servers';
import { afterEach, describe, expect, it } from 'vitest';

// The UserAgent seam (issue 18): a UI is handed what a person needs, never the device code, which
// only the token endpoint may see.

const DEVICE_CODE = 'dc-SECRET-device-code-0123456789';

let server: HostileTokenEndpoint | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('authorizeWithDeviceCode() and the UserAgent', () => {
  it('showDeviceCode() gets a DeviceCodePrompt: URIs, user code and expiry, never the device_code', async () => {
    server = await startHostileTokenEndpoint((request) =>
      request.path === '/device'
        ? {
            body: {
              device_code: DEVICE_CODE,
              user_code: 'WDJB-MJHT',
              verification_uri: 'https://id.example.test/device',
              verification_uri_complete: 'https://id.example.test/device?user_code=WDJB-MJHT',
              expires_in: 600,
              interval: 1,
            },
          }
        : { body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 } },
    );
    const provider: ProviderConfig = {
      deviceAuthorizationUrl: `${server.url}/device`,
      tokenUrl: `${server.url}/token`,
      clientId: 'tv',
    };
    const prompts: DeviceCodePrompt[] = [];
    const started = Date.now();
    const tokens = await authorizeWithDeviceCode(provider, {
      userAgent: { openUrl: () => {}, showDeviceCode: (prompt) => void prompts.push(prompt) },
    });
    expect(tokens.accessToken).toBe('at-1');
    expect(prompts).toHaveLength(1);
    const [prompt] = prompts;
    expect(Object.keys(prompt ?? {}).sort()).toEqual([
      'expiresAt',
      'userCode',
      'verificationUri',
      'verificationUriComplete',
    ]);
    expect(prompt).toMatchObject({
      userCode: 'WDJB-MJHT',
      verificationUri: 'https://id.example.test/device',
      verificationUriComplete: 'https://id.example.test/device?user_code=WDJB-MJHT',
    });
    expect(prompt?.expiresAt).toBeGreaterThanOrEqual(started + 600_000);
    expect(JSON.stringify(prompt)).not.toContain(DEVICE_CODE);
    // The device code did go where it belongs.
    expect(server.requests.at(-1)?.body).toContain(`device_code=${DEVICE_CODE}`);
  });

  it('user-agent.ts imports nothing from the flows (no cycle with flows/device-code.ts)', async () => {
    const source = await readFile(new URL('../src/user-agent.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from '\.\/flows\//);
  });
});
