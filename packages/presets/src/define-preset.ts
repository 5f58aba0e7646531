import {
  CLIENT_AUTH_METHODS,
  type ClientAuthMethod,
  ENDPOINT_FIELDS,
  isLoopbackHost,
  RESERVED_AUTHORIZATION_PARAMS,
  SASL_MECHANISMS,
  MAIL_TLS_MODES as TLS_MODES,
} from '@oauth-authorizer/core';
import {
  checkParameterValue,
  describe,
  isHostname,
  isRecord,
  listNames,
  SCOPE_TOKEN,
  urlProblem,
} from './checks.js';
import { PRESET_INVALID, PresetError } from './errors.js';
import {
  type EmailDomain,
  FLOWS,
  type Flow,
  MAIL_PROTOCOLS,
  type MailServerDefinition,
  type Preset,
  type PresetDefinition,
  type PresetHooks,
  type PresetMail,
  type PresetParameter,
  type PresetWarning,
  type SaslMechanism,
  type ScopeSets,
  type TlsMode,
} from './preset.js';
import { fillTemplate, hasStrayBraces, placeholdersOf, sampleParameterValues } from './template.js';

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 64;
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const SCOPE_SET_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** RFC 9110 §5.6.2 `token`, the shape of a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Headers core sets itself on token requests; client authentication is core's job, not a preset's. */
const RESERVED_TOKEN_HEADERS = ['authorization', 'content-type', 'content-length', 'host'];

/** Every field of a definition; `$schema` is allowed so JSON files can point editors at a schema. */
const KNOWN_FIELDS: readonly string[] = [
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
  'parameters',
  'warnings',
  'hooks',
  'emailDomains',
  'mail',
  '$schema',
];

interface Problem {
  field: string;
  message: string;
}

/** Collects every problem of a definition, so one error reports them all. */
class Problems {
  readonly list: Problem[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
}

function isFlow(value: unknown): value is Flow {
  return typeof value === 'string' && (FLOWS as readonly string[]).includes(value);
}

function optionalString(
  input: Record<string, unknown>,
  field: string,
  problems: Problems,
): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.add(field, `must be a non-empty string, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

function checkParameters(value: unknown, problems: Problems): Record<string, PresetParameter> {
  const result: Record<string, PresetParameter> = {};
  if (value === undefined) return result;
  if (!isRecord(value)) {
    problems.add('parameters', `must be an object of parameter definitions, got ${describe(value)}`);
    return result;
  }
  for (const [name, definition] of Object.entries(value)) {
    const field = `parameters.${name}`;
    if (!PARAMETER_NAME.test(name)) {
      problems.add(field, 'is not a valid parameter name (a letter, then letters and digits)');
      continue;
    }
    if (!isRecord(definition)) {
      problems.add(field, `must be an object with a "description", got ${describe(definition)}`);
      continue;
    }
    for (const key of Object.keys(definition)) {
      if (!['description', 'default', 'pattern', 'choices'].includes(key))
        problems.add(`${field}.${key}`, 'is not a parameter field');
    }
    const description = definition.description;
    if (typeof description !== 'string' || description.trim() === '')
      problems.add(`${field}.description`, `must be a non-empty string, got ${describe(description)}`);
    let pattern: RegExp | undefined;
    if (definition.pattern !== undefined) {
      if (typeof definition.pattern !== 'string') {
        problems.add(
          `${field}.pattern`,
          `must be a regular expression source, got ${describe(definition.pattern)}`,
        );
      } else {
        try {
          pattern = new RegExp(definition.pattern, 'u');
        } catch (error) {
          problems.add(`${field}.pattern`, `is not a valid regular expression: ${(error as Error).message}`);
        }
      }
    }
    let choices: Record<string, string> | undefined;
    const rawChoices = definition.choices;
    if (rawChoices !== undefined) {
      if (
        Array.isArray(rawChoices) &&
        rawChoices.length > 0 &&
        rawChoices.every((c) => typeof c === 'string')
      ) {
        choices = Object.fromEntries((rawChoices as string[]).map((choice) => [choice, choice]));
      } else if (
        isRecord(rawChoices) &&
        Object.keys(rawChoices).length > 0 &&
        Object.values(rawChoices).every((c) => typeof c === 'string')
      ) {
        choices = { ...(rawChoices as Record<string, string>) };
      } else {
        problems.add(
          `${field}.choices`,
          'must be a non-empty array of strings or an object mapping each choice to a string',
        );
      }
      if (choices && pattern) problems.add(`${field}.pattern`, 'cannot be combined with "choices"');
    }
    const fallback = definition.default;
    if (fallback !== undefined) {
      if (typeof fallback !== 'string') {
        problems.add(`${field}.default`, `must be a string, got ${describe(fallback)}`);
      } else if (choices && !Object.hasOwn(choices, fallback)) {
        problems.add(`${field}.default`, `must be one of the choices, got ${describe(fallback)}`);
      } else if (pattern && !pattern.test(fallback)) {
        problems.add(`${field}.default`, `does not match the parameter's pattern, got ${describe(fallback)}`);
      }
    }
    result[name] = {
      description: String(description),
      ...(typeof fallback === 'string' && { default: fallback }),
      ...(typeof definition.pattern === 'string' && { pattern: definition.pattern }),
      ...(choices && { choices }),
    };
  }
  return result;
}

/** Checks a template's placeholders and, for every value a user may choose, the filled-in result. */
function checkTemplate(
  field: string,
  template: string,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
  check: (filled: string) => string | undefined,
  context: 'url' | 'text',
): void {
  if (hasStrayBraces(template)) {
    problems.add(field, `has a "{" or "}" that is not a {parameter} placeholder: ${describe(template)}`);
    return;
  }
  const names = placeholdersOf(template);
  const unknown = names.filter((name) => !Object.hasOwn(parameters, name));
  if (unknown.length > 0) {
    problems.add(
      field,
      `uses the undeclared parameter${unknown.length > 1 ? 's' : ''} ${listNames(unknown)}`,
    );
    return;
  }
  for (const values of sampleParameterValues(parameters, names)) {
    const filled = fillTemplate(template, parameters, values, context);
    const problem = check(filled);
    if (problem) {
      const which = names.length > 0 ? ` (with ${names.map((n) => `${n}=${values[n]}`).join(', ')})` : '';
      problems.add(field, `${problem}${which}`);
      return;
    }
  }
}

function checkStringRecord(
  field: string,
  value: unknown,
  problems: Problems,
  checkKey: (key: string) => string | undefined,
): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.add(field, `must be an object of strings, got ${describe(value)}`);
    return {};
  }
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    const problem = checkKey(key);
    if (problem) problems.add(`${field}.${key}`, problem);
    else if (typeof entry !== 'string')
      problems.add(`${field}.${key}`, `must be a string, got ${describe(entry)}`);
    else result[key] = entry;
  }
  return result;
}

function checkScopeList(field: string, value: unknown, problems: Problems): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(field, `must be an array of scopes, got ${describe(value)}`);
    return undefined;
  }
  const bad = value.filter((scope) => typeof scope !== 'string' || !SCOPE_TOKEN.test(scope));
  if (bad.length > 0) {
    problems.add(
      field,
      `has a scope that is empty or contains a space, a quote or a backslash: ${describe(bad[0])}`,
    );
    return undefined;
  }
  return [...new Set(value as string[])];
}

function checkScopes(value: unknown, problems: Problems): ScopeSets {
  if (value === undefined) return { default: [] };
  if (Array.isArray(value)) return { default: checkScopeList('scopes', value, problems) ?? [] };
  if (!isRecord(value)) {
    problems.add(
      'scopes',
      `must be an array of scopes or an object of named scope sets, got ${describe(value)}`,
    );
    return { default: [] };
  }
  if (!Object.hasOwn(value, 'default'))
    problems.add('scopes.default', 'is required when "scopes" is an object');
  const sets: Record<string, string[]> = { default: [] };
  for (const [name, list] of Object.entries(value)) {
    if (!SCOPE_SET_NAME.test(name)) {
      problems.add(
        `scopes.${name}`,
        'is not a valid scope set name (a letter, then letters, digits, "-" or "_")',
      );
      continue;
    }
    const scopes = checkScopeList(`scopes.${name}`, list, problems);
    if (scopes) sets[name] = scopes;
  }
  return sets as unknown as ScopeSets;
}

function checkFlowList(field: string, value: unknown, problems: Problems, allowEmpty: boolean): Flow[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    problems.add(
      field,
      `must be a${allowEmpty ? 'n' : ' non-empty'} array of flows (${listNames(FLOWS)}), got ${describe(value)}`,
    );
    return [];
  }
  const bad = value.filter((flow) => !isFlow(flow));
  if (bad.length > 0) {
    problems.add(field, `has an unknown flow ${describe(bad[0])}; flows are ${listNames(FLOWS)}`);
    return [];
  }
  if (new Set(value).size !== value.length) problems.add(field, 'lists a flow twice');
  return [...new Set(value as Flow[])];
}

function checkWarnings(value: unknown, problems: Problems): PresetWarning[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add('warnings', `must be an array, got ${describe(value)}`);
    return [];
  }
  const warnings: PresetWarning[] = [];
  value.forEach((entry, index) => {
    const field = `warnings.${index}`;
    if (typeof entry === 'string' && entry.trim() !== '') {
      warnings.push({ message: entry });
      return;
    }
    if (!isRecord(entry) || typeof entry.message !== 'string' || entry.message.trim() === '') {
      problems.add(
        field,
        'must be a message, or an object with a "message" and optional "flows" and "scopes"',
      );
      return;
    }
    for (const key of Object.keys(entry)) {
      if (!['message', 'flows', 'scopes'].includes(key))
        problems.add(`${field}.${key}`, 'is not a warning field');
    }
    const flows =
      entry.flows === undefined ? undefined : checkFlowList(`${field}.flows`, entry.flows, problems, false);
    const scopes =
      entry.scopes === undefined ? undefined : checkScopeList(`${field}.scopes`, entry.scopes, problems);
    warnings.push({ message: entry.message, ...(flows && { flows }), ...(scopes && { scopes }) });
  });
  return warnings;
}

function checkHooks(value: unknown, problems: Problems): PresetHooks {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.add('hooks', `must be an object of functions, got ${describe(value)}`);
    return {};
  }
  for (const [name, hook] of Object.entries(value)) {
    if (name !== 'validateRequest')
      problems.add(`hooks.${name}`, 'is not a hook; the hook is "validateRequest"');
    else if (typeof hook !== 'function')
      problems.add(`hooks.${name}`, `must be a function, got ${describe(hook)}`);
  }
  return typeof value.validateRequest === 'function'
    ? { validateRequest: value.validateRequest as NonNullable<PresetHooks['validateRequest']> }
    : {};
}

function checkEmailDomains(
  value: unknown,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
): EmailDomain[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add('emailDomains', `must be an array of domains, got ${describe(value)}`);
    return [];
  }
  const domains: EmailDomain[] = [];
  value.forEach((entry, index) => {
    const field = `emailDomains.${index}`;
    const domain = typeof entry === 'string' ? entry : isRecord(entry) ? entry.domain : undefined;
    if (typeof domain !== 'string' || !DOMAIN.test(domain)) {
      problems.add(
        field,
        `must be a lower-case domain such as "example.com", got ${describe(domain ?? entry)}`,
      );
      return;
    }
    if (typeof entry === 'string') {
      domains.push({ domain });
      return;
    }
    const record = entry as Record<string, unknown>;
    const implied: Record<string, string> = {};
    if (record.parameters !== undefined) {
      if (!isRecord(record.parameters)) {
        problems.add(`${field}.parameters`, `must be an object, got ${describe(record.parameters)}`);
      } else {
        for (const [name, parameterValue] of Object.entries(record.parameters)) {
          const parameter = parameters[name];
          const problem = !parameter
            ? 'is not a parameter of this preset'
            : typeof parameterValue !== 'string'
              ? `must be a string, got ${describe(parameterValue)}`
              : checkParameterValue(parameter, parameterValue);
          if (problem) problems.add(`${field}.parameters.${name}`, problem);
          else implied[name] = parameterValue as string;
        }
      }
    }
    domains.push({ domain, ...(Object.keys(implied).length > 0 && { parameters: implied }) });
  });
  return domains;
}

function checkMail(
  value: unknown,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
): PresetMail | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problems.add('mail', `must be an object with "imap", "smtp", "pop3" and "sasl", got ${describe(value)}`);
    return undefined;
  }
  const mail: { -readonly [K in keyof PresetMail]: PresetMail[K] } = { sasl: 'XOAUTH2' };
  for (const key of Object.keys(value)) {
    if (![...MAIL_PROTOCOLS, 'sasl'].includes(key)) problems.add(`mail.${key}`, 'is not a mail field');
  }
  if (value.sasl !== undefined) {
    if (SASL_MECHANISMS.includes(value.sasl as SaslMechanism)) mail.sasl = value.sasl as SaslMechanism;
    else problems.add('mail.sasl', `must be ${listNames(SASL_MECHANISMS)}, got ${describe(value.sasl)}`);
  }
  for (const protocol of MAIL_PROTOCOLS) {
    const server = value[protocol];
    if (server === undefined) continue;
    const field = `mail.${protocol}`;
    if (!isRecord(server)) {
      problems.add(field, `must be an object with "host", "port" and "tls", got ${describe(server)}`);
      continue;
    }
    for (const key of Object.keys(server)) {
      if (!['host', 'port', 'tls'].includes(key))
        problems.add(`${field}.${key}`, 'is not a mail server field');
    }
    const { host, port, tls } = server;
    let valid = true;
    if (typeof host !== 'string' || host === '') {
      problems.add(`${field}.host`, `must be a host name, got ${describe(host)}`);
      valid = false;
    } else {
      checkTemplate(
        `${field}.host`,
        host,
        parameters,
        problems,
        (filled) => (isHostname(filled) ? undefined : `must be a host name, got ${describe(filled)}`),
        'text',
      );
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      problems.add(`${field}.port`, `must be an integer from 1 to 65535, got ${describe(port)}`);
      valid = false;
    }
    if (!TLS_MODES.includes(tls as TlsMode)) {
      problems.add(`${field}.tls`, `must be ${listNames(TLS_MODES)}, got ${describe(tls)}`);
      valid = false;
    }
    if (valid && tls === 'none') {
      // Bearer tokens would cross the network in clear: only a server on this machine may skip TLS.
      checkTemplate(
        `${field}.tls`,
        host as string,
        parameters,
        problems,
        (filled) =>
          isLoopbackHost(filled)
            ? undefined
            : `is "none", which is only allowed for a loopback host, got ${describe(filled)}`,
        'text',
      );
    }
    if (valid) mail[protocol] = { host, port, tls } as MailServerDefinition;
  }
  return mail;
}

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

  const endpoints: Partial<Record<(typeof ENDPOINT_FIELDS)[number], string>> = {};
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

  const warnings = checkWarnings(input.warnings, problems);
  for (const [index, warning] of warnings.entries()) {
    for (const flow of warning.flows ?? []) {
      if (!flows.includes(flow))
        problems.add(`warnings.${index}.flows`, `names the flow "${flow}", which is not one of "flows"`);
    }
  }
  const hooks = checkHooks(input.hooks, problems);
  const emailDomains = checkEmailDomains(input.emailDomains, parameters, problems);
  const mail = checkMail(input.mail, parameters, problems);

  // Consistency between fields. A preset that gives no endpoint at all leaves them to the user
  // (like `custom`); one that gives some must give what each of its flows needs.
  const hasEndpoints = Object.keys(endpoints).length > 0;
  if (hasEndpoints && !endpoints.issuer) {
    if (!endpoints.tokenUrl) problems.add('tokenUrl', 'is required (or an "issuer" to discover it from)');
    if (flows.includes('code') && !endpoints.authorizationUrl)
      problems.add(
        'authorizationUrl',
        'is required for the "code" flow (or an "issuer" to discover it from)',
      );
    if (flows.includes('device') && !endpoints.deviceAuthorizationUrl)
      problems.add(
        'deviceAuthorizationUrl',
        'is required for the "device" flow (or an "issuer" to discover it from)',
      );
  }
  if (flows.length > 0) {
    if (endpoints.authorizationUrl && !flows.includes('code'))
      problems.add('authorizationUrl', 'is set but "flows" does not include "code"');
    if (endpoints.deviceAuthorizationUrl && !flows.includes('device'))
      problems.add('deviceAuthorizationUrl', 'is set but "flows" does not include "device"');
    if (redirectUrl && !flows.includes('code'))
      problems.add('redirectUrl', 'is set but "flows" does not include "code"');
    if (Object.keys(authorizationParams).length > 0 && !flows.includes('code'))
      problems.add('authorizationParams', 'are set but "flows" does not include "code"');
  }
  if (clientSecret !== undefined && clientId === undefined)
    problems.add('clientSecret', 'is set without a "clientId"');
  if (clientAuth === 'none' && clientSecret !== undefined)
    problems.add('clientAuth', 'is "none" but the preset has a client secret');
  if (clientAuth === 'none' && flows.includes('client_credentials'))
    problems.add('clientAuth', 'is "none", but the "client_credentials" flow authenticates the client');
  if (clientAuth === 'none' && clientSecretRequired.length > 0)
    problems.add('clientAuth', 'is "none", but "clientSecretRequired" asks for a secret');

  const label = typeof id === 'string' && id !== '' ? `preset "${id}"` : 'a preset without a valid "id"';
  if (problems.list.length > 0) {
    const details = problems.list.map((problem) => `"${problem.field}" ${problem.message}`).join('; ');
    throw new PresetError(PRESET_INVALID, `${label} is invalid: ${details}`, {
      presetId: typeof id === 'string' ? id : undefined,
      fields: [...new Set(problems.list.map((problem) => problem.field))],
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
    parameters,
    warnings,
    hooks,
    emailDomains,
    ...(mail !== undefined && { mail }),
  };
  return deepFreeze(preset) as Preset & { readonly id: D['id'] };
}
