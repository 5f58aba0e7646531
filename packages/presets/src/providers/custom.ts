import { definePreset } from '../define-preset.js';

/**
 * Custom settings: a preset that fixes nothing. Every endpoint (or an issuer to discover them
 * from), the client and the scopes come from the user, with any of the three flows.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749 (the authorization code and client credentials grants)
 * @see https://www.rfc-editor.org/rfc/rfc8628 (the device authorization grant)
 * @see https://www.rfc-editor.org/rfc/rfc8414 (discovery from an issuer)
 * @example
 * ```ts
 * import { custom, resolvePreset } from '@oauth-authorizer/presets';
 * const { provider } = resolvePreset(custom, {
 *   clientId: 'my-app',
 *   issuer: 'https://id.example.com',
 *   scopes: ['openid', 'offline_access'],
 * });
 * ```
 */
export const custom = definePreset({
  id: 'custom',
  name: 'Custom settings',
  description: 'Give every setting yourself: endpoints or an issuer, client, scopes and flow.',
  scopes: [],
  flows: ['code', 'device', 'client_credentials'],
  preferredFlow: 'code',
});
