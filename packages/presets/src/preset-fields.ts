/**
 * The fields of a preset definition and the shapes their values must have: what
 * {@link definePreset} checks against, and `resolvePreset()` fills in.
 *
 * @module
 */
// The shared terms are core's, defined once there (client authentication, endpoints, reserved
// parameters, mail TLS and SASL): presets check definitions against the same lists core uses.
export {
  CLIENT_AUTH_METHODS,
  ENDPOINT_FIELDS,
  type EndpointField,
  MAIL_TLS_MODES as TLS_MODES,
  RESERVED_AUTHORIZATION_PARAMS,
  SASL_MECHANISMS,
} from '@oauth-authorizer/core';

import { ENDPOINT_FIELDS } from '@oauth-authorizer/core';

/** Lower-case letters, digits and single dashes. */
export const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_ID_LENGTH = 64;
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
export const SCOPE_SET_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** RFC 9110 §5.6.2 `token`, the shape of a header name. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Headers core sets itself on token requests; client authentication is core's job, not a preset's. */
export const RESERVED_TOKEN_HEADERS = ['authorization', 'content-type', 'content-length', 'host'];

/** Every field of a definition; `$schema` is allowed so JSON files can point editors at a schema. */
export const KNOWN_FIELDS: readonly string[] = [
  'id',
  'name',
  'description',
  'documentationUrl',
  ...ENDPOINT_FIELDS,
  'scopes',
  'flows',
  'preferredFlow',
  'flowScopes',
  'authorizationParams',
  'tokenHeaders',
  'clientAuth',
  'clientId',
  'clientSecret',
  'clientSecretRequired',
  'redirectUrl',
  'exactRedirect',
  'parameters',
  'warnings',
  'hooks',
  'emailDomains',
  'mail',
  'mailOverrides',
  'redirectParameters',
  'errorsOf',
  '$schema',
];
