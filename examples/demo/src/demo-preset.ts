import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthorizationServer, SmtpServer } from '@oauth-authorizer/test-servers';

/**
 * Writes a community preset file for the demo's servers, shaped like the preset example of the
 * product contract: the same JSON a provider's users would load with `--preset ./file.json`.
 */
export function writeDemoPreset(directory: string, server: AuthorizationServer, smtp: SmtpServer): string {
  const preset = {
    id: 'local-demo',
    name: 'Local demo (oidc-provider on 127.0.0.1)',
    issuer: server.issuer,
    authorizationUrl: server.endpoints.authorization,
    deviceAuthorizationUrl: server.endpoints.deviceAuthorization,
    tokenUrl: server.endpoints.token,
    revocationUrl: server.endpoints.revocation,
    scopes: ['openid', 'offline_access', 'email', 'mail'],
    flows: ['code', 'device'],
    redirectUrl: 'http://127.0.0.1/callback',
    mail: {
      smtp: { host: smtp.host, port: smtp.port, tls: 'none' },
      sasl: 'XOAUTH2',
    },
  };
  const file = join(directory, 'local-demo.preset.json');
  writeFileSync(file, `${JSON.stringify(preset, null, 2)}\n`);
  return file;
}
