import type { ClientAuthMethod } from '@oauth-authorizer/core';
import { describe, isRecord, listNames, urlProblem } from './checks.js';
import { checkExactRedirect, checkFieldsAgree, checkWarningFlows } from './cross-field-checks.js';
import { PRESET_INVALID, PresetError } from './errors.js';
import {
  checkErrorsOf,
  checkFlowList,
  checkHooks,
  checkParameters,
  checkRedirectParameters,
  checkScopes,
  checkStringRecord,
  checkWarnings,
  isFlow,
  optionalString,
} from './field-checks.js';
import { checkEmailDomains, checkMail, checkMailOverrides } from './mail-checks.js';
import { FLOWS, type Flow, type Preset, type PresetDefinition } from './preset.js';
import {
  CLIENT_AUTH_METHODS,
  ENDPOINT_FIELDS,
  type EndpointField,
  HEADER_NAME,
  ID,
  KNOWN_FIELDS,
  MAX_ID_LENGTH,
  RESERVED_AUTHORIZATION_PARAMS,
  RESERVED_TOKEN_HEADERS,
} from './preset-fields.js';
import { Problems } from './problems.js';
import { checkTemplate } from './template.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}

/**
 * Defines a preset: validates every field at once and returns it frozen, with defaults filled in.
 * Checks include the shape of each field, that every endpoint is `https:` (or `http:` on a
 * loopback host) for every value its `{parameter}` placeholders may take, and that the fields
 * agree: an endpoint for each flow, `preferredFlow` among `flows`, no device endpoint without the
 * device flow, and so on. Defining a preset again gives an equal preset.
 *
 * @param definition The preset's fields; a JSON preset file holds the same (without `hooks`).
 * @throws {PresetError} `PRESET_INVALID` naming the preset and every invalid field (in `fields`).
 * @throws {TypeError} when `definition` is not an object at all.
 * @example
 * ```ts
 * import { definePreset } from '@oauth-authorizer/presets';
 *
 * export const acme = definePreset({
 *   id: 'acme',
 *   name: 'Acme Mail',
 *   authorizationUrl: 'https://id.acme.example/authorize',
 *   tokenUrl: 'https://id.acme.example/token',
 *   scopes: { default: ['mail', 'offline_access'], imap: ['mail', 'offline_access'] },
 *   flows: ['code'],
 *   mail: { imap: { host: 'imap.acme.example', port: 993, tls: 'implicit' } },
 * });
 * ```
 */
export function definePreset<const D extends PresetDefinition>(
  definition: D,
): Preset & { readonly id: D['id'] } {
  if (!isRecord(definition)) throw new TypeError('definePreset() takes a preset definition object');
  const input = definition as Record<string, unknown>;
  const problems = new Problems();

  for (const key of Object.keys(input)) {
    if (KNOWN_FIELDS.includes(key)) continue;
    const near = KNOWN_FIELDS.find((known) => known.toLowerCase() === key.toLowerCase());
    problems.add(key, `is not a preset field${near ? ` (did you mean "${near}"?)` : ''}`);
  }

  const id = input.id;
  if (typeof id !== 'string' || !ID.test(id) || id.length > MAX_ID_LENGTH) {
    problems.add(
      'id',
      `must be lower-case letters, digits and single dashes (at most ${MAX_ID_LENGTH}), got ${describe(id)}`,
    );
  }
  const name = optionalString(input, 'name', problems);
  if (input.name === undefined) problems.add('name', 'is required');
  const description = optionalString(input, 'description', problems);
  const documentationUrl = optionalString(input, 'documentationUrl', problems);
  if (documentationUrl) {
    const problem = urlProblem(documentationUrl, 'documentation');
    if (problem) problems.add('documentationUrl', problem);
  }

  const parameters = checkParameters(input.parameters, problems);

  const endpoints: Partial<Record<EndpointField, string>> = {};
  for (const field of ENDPOINT_FIELDS) {
    const value = optionalString(input, field, problems);
    if (value === undefined) continue;
    endpoints[field] = value;
    checkTemplate(field, value, parameters, problems, (filled) => urlProblem(filled, 'endpoint'), 'url');
  }

  const scopes = checkScopes(input.scopes, problems);
  const flows = input.flows === undefined ? [] : checkFlowList('flows', input.flows, problems, false);
  if (input.flows === undefined)
    problems.add('flows', `is required: list the flows the provider supports (${listNames(FLOWS)})`);

  let preferredFlow: Flow | undefined = flows[0];
  if (input.preferredFlow !== undefined) {
    if (!isFlow(input.preferredFlow) || !flows.includes(input.preferredFlow)) {
      problems.add(
        'preferredFlow',
        `must be one of "flows" (${listNames(flows)}), got ${describe(input.preferredFlow)}`,
      );
    } else {
      preferredFlow = input.preferredFlow;
    }
  }

  const flowScopes: Partial<Record<Flow, string>> = {};
  if (input.flowScopes !== undefined) {
    if (!isRecord(input.flowScopes)) {
      problems.add(
        'flowScopes',
        `must be an object mapping a flow to a scope set name, got ${describe(input.flowScopes)}`,
      );
    } else {
      for (const [flow, set] of Object.entries(input.flowScopes)) {
        if (!isFlow(flow) || !flows.includes(flow))
          problems.add(`flowScopes.${flow}`, 'is not one of "flows"');
        else if (typeof set !== 'string' || !Object.hasOwn(scopes, set))
          problems.add(`flowScopes.${flow}`, `must name a scope set of "scopes", got ${describe(set)}`);
        else flowScopes[flow] = set;
      }
    }
  }

  const authorizationParams = checkStringRecord(
    'authorizationParams',
    input.authorizationParams,
    problems,
    (key) =>
      RESERVED_AUTHORIZATION_PARAMS.includes(key)
        ? 'is set by the flow itself and cannot come from a preset'
        : key === ''
          ? 'must be a non-empty name'
          : undefined,
  );
  for (const [key, value] of Object.entries(authorizationParams)) {
    checkTemplate(`authorizationParams.${key}`, value, parameters, problems, () => undefined, 'text');
  }
  const tokenHeaders = checkStringRecord('tokenHeaders', input.tokenHeaders, problems, (key) =>
    !HEADER_NAME.test(key)
      ? 'is not a valid header name'
      : RESERVED_TOKEN_HEADERS.includes(key.toLowerCase())
        ? 'is set by the flow itself (client authentication is not a preset header)'
        : undefined,
  );
  for (const [key, value] of Object.entries(tokenHeaders)) {
    if (/[\r\n]/.test(value)) problems.add(`tokenHeaders.${key}`, 'must not contain a line break');
  }

  let clientAuth: ClientAuthMethod | undefined;
  if (input.clientAuth !== undefined) {
    if (CLIENT_AUTH_METHODS.includes(input.clientAuth as ClientAuthMethod))
      clientAuth = input.clientAuth as ClientAuthMethod;
    else
      problems.add(
        'clientAuth',
        `must be ${listNames(CLIENT_AUTH_METHODS)}, got ${describe(input.clientAuth)}`,
      );
  }
  const clientId = optionalString(input, 'clientId', problems);
  let clientSecret: string | undefined;
  if (input.clientSecret !== undefined) {
    // The value is never shown: even a published secret does not belong in logs.
    if (typeof input.clientSecret !== 'string' || input.clientSecret === '')
      problems.add('clientSecret', 'must be a non-empty string');
    else clientSecret = input.clientSecret;
  }
  let clientSecretRequired: Flow[] = [];
  if (input.clientSecretRequired === true) clientSecretRequired = [...flows];
  else if (Array.isArray(input.clientSecretRequired)) {
    clientSecretRequired = checkFlowList('clientSecretRequired', input.clientSecretRequired, problems, true);
    for (const flow of clientSecretRequired) {
      if (!flows.includes(flow))
        problems.add('clientSecretRequired', `names the flow "${flow}", which is not one of "flows"`);
    }
  } else if (input.clientSecretRequired !== undefined && input.clientSecretRequired !== false) {
    problems.add(
      'clientSecretRequired',
      `must be true, false or an array of flows, got ${describe(input.clientSecretRequired)}`,
    );
  }

  const redirectUrl = optionalString(input, 'redirectUrl', problems);
  if (redirectUrl) {
    const problem = urlProblem(redirectUrl, 'redirect');
    if (problem) problems.add('redirectUrl', problem);
  }
  let exactRedirect = false;
  if (input.exactRedirect !== undefined) {
    if (typeof input.exactRedirect !== 'boolean')
      problems.add('exactRedirect', `must be true or false, got ${describe(input.exactRedirect)}`);
    else exactRedirect = input.exactRedirect;
  }
  checkExactRedirect(redirectUrl, exactRedirect, problems);

  const warnings = checkWarnings(input.warnings, problems);
  checkWarningFlows(warnings, flows, problems);
  const hooks = checkHooks(input.hooks, problems);
  const emailDomains = checkEmailDomains(input.emailDomains, parameters, problems);
  const mail = checkMail(input.mail, parameters, problems);
  const mailOverrides = checkMailOverrides(input.mailOverrides, mail, parameters, problems);
  const redirectParameters = checkRedirectParameters(input.redirectParameters, flows, parameters, problems);
  const errorsOf = checkErrorsOf(input, problems);

  checkFieldsAgree(
    {
      endpoints,
      flows,
      redirectUrl,
      authorizationParams,
      clientId,
      clientSecret,
      clientAuth,
      clientSecretRequired,
    },
    problems,
  );

  const label = typeof id === 'string' && id !== '' ? `preset "${id}"` : 'a preset without a valid "id"';
  if (problems.list.length > 0) {
    throw new PresetError(PRESET_INVALID, `${label} is invalid: ${problems.details()}`, {
      presetId: typeof id === 'string' ? id : undefined,
      fields: problems.fields(),
    });
  }

  const preset: Preset = {
    id: id as string,
    name: name as string,
    ...(description !== undefined && { description }),
    ...(documentationUrl !== undefined && { documentationUrl }),
    ...endpoints,
    scopes,
    flows,
    preferredFlow: preferredFlow as Flow,
    flowScopes,
    authorizationParams,
    tokenHeaders,
    ...(clientAuth !== undefined && { clientAuth }),
    ...(clientId !== undefined && { clientId }),
    ...(clientSecret !== undefined && { clientSecret }),
    clientSecretRequired,
    ...(redirectUrl !== undefined && { redirectUrl }),
    exactRedirect,
    parameters,
    warnings,
    hooks,
    emailDomains,
    ...(mail !== undefined && { mail }),
    mailOverrides,
    redirectParameters,
    ...(errorsOf !== undefined && { errorsOf }),
  };
  return deepFreeze(preset) as Preset & { readonly id: D['id'] };
}
