/**
 * The test authorization server as a preset file and a fresh CLI home: what every CLI test starts
 * from.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  startAuthorizationServer,
} from '@oauth-authorizer/test-servers';

/** Scopes that make the test server issue a refresh token and a `mail` access token. */
export const MAIL_SCOPES = ['openid', 'offline_access', 'email', 'mail'];

/** A running test server with a preset file describing it, and a temporary directory for homes. */
export interface TestProvider {
  server: AuthorizationServer;
  /** The path of a preset JSON file that fixes the server's endpoints (and nothing about the client). */
  presetFile: string;
  /** A new, empty CLI home directory. */
  newHome(): Promise<string>;
  /** Stops the server and deletes every directory made. */
  close(): Promise<void>;
}

/** Starts the test server and writes the preset file `test-server.json` for it. */
export async function startTestProvider(options: AuthorizationServerOptions = {}): Promise<TestProvider> {
  const server = await startAuthorizationServer({ deviceInterval: 1, ...options });
  const directory = await mkdtemp(join(tmpdir(), 'oauth-authorizer-cli-'));
  const presetFile = join(directory, 'test-server.json');
  await writeFile(
    presetFile,
    JSON.stringify({
      id: 'test-server',
      name: 'Test authorization server',
      authorizationUrl: server.endpoints.authorization,
      deviceAuthorizationUrl: server.endpoints.deviceAuthorization,
      tokenUrl: server.endpoints.token,
      revocationUrl: server.endpoints.revocation,
      scopes: MAIL_SCOPES,
      flows: ['code', 'device'],
      preferredFlow: 'code',
    }),
  );
  let homes = 0;
  return {
    server,
    presetFile,
    newHome: async () => join(directory, `home-${++homes}`),
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
