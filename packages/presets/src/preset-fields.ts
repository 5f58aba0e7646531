/**
 * The fields of a preset definition and the shapes their values must have: what
 * {@link definePreset} checks against, and `resolvePreset()` fills in.
 *
 * @module
 */
import type { ClientAuthMethod } from '@oauth-authorizer/core';
import type { SaslMechanism, TlsMode } from './preset.js';

/** Lower-case letters, digits and single dashes. */
export const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_ID_LENGTH = 64;
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
export const SCOPE_SET_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** RFC 9110 §5.6.2 `token`, the shape of a header name. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_post',
  'client_secret_basic',
  'none',
];
export const TLS_MODES: readonly TlsMode[] = ['implicit', 'starttls', 'none'];
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['XOAUTH2', 'OAUTHBEARER'];

/** Parameters core sets itself on an authorization request; a preset must not try to. */
export const RESERVED_AUTHORIZATION_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'nonce',
];
/** Headers core sets itself on token requests; client authentication is core's job, not a preset's. */
export const RESERVED_TOKEN_HEADERS = ['authorization', 'content-type', 'content-length', 'host'];

export const ENDPOINT_FIELDS = [
  'issuer',
  'authorizationUrl',
  'deviceAuthorizationUrl',
  'tokenUrl',
  'revocationUrl',
] as const;

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
  '$schema',
];

/** One of {@link ENDPOINT_FIELDS}. */
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];
