import {
  AuthorizerError,
  type ClientAuthMethod,
  ENDPOINT_FIELDS,
  type EndpointField,
  type HttpSettings,
  isLoopbackHost,
  type ProviderConfig,
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
import {
  PRESET_FIXED_FIELD,
  PRESET_INVALID_INPUT,
  PRESET_MISSING_FIELDS,
  PRESET_REQUEST_REJECTED,
  PRESET_UNSUPPORTED_FLOW,
  PresetError,
} from './errors.js';
import {
  FLOWS,
  type Flow,
  MAIL_PROTOCOLS,
  type MailServerDefinition,
  type Preset,
  type SaslMechanism,
} from './preset.js';
import { fillTemplate, placeholdersOf } from './template.js';

/**
 * The redirect URL of the code flow when neither the user nor the preset names one: the IPv4
 * loopback literal, as RFC 8252 §7.3 recommends over `localhost`, on any free port.
 */
export const DEFAULT_REDIRECT_URL = 'http://127.0.0.1/callback';

/**
 * What the user gives when using a preset: at least the client ID for most presets, everything
 * for `custom`. `undefined` values count as not given, so options can be passed straight through.
 */
export interface PresetInput {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  clientAuth?: ClientAuthMethod | undefined;
  /** Default: the preset's `preferredFlow` */
  flow?: Flow | undefined;
  /** The scopes to ask for, instead of a scope set. */
  scopes?: readonly string[] | undefined;
  /** The name of one of the preset's scope sets (`imap`, `smtp`, `all`…). Default: the flow's set, else `default` */
  scopeSet?: string | undefined;
  /** Default: the preset's `redirectUrl`, else {@link DEFAULT_REDIRECT_URL} */
  redirectUrl?: string | undefined;
  /** Values of the preset's parameters (`tenant`, `dataCenter`…). */
  parameters?: Readonly<Record<string, string | undefined>> | undefined;
  issuer?: string | undefined;
  authorizationUrl?: string | undefined;
  deviceAuthorizationUrl?: string | undefined;
  tokenUrl?: string | undefined;
  revocationUrl?: string | undefined;
  /** Authorization parameters to add (`login_hint`, `domain_hint`…); the preset's own cannot be changed. */
  authorizationParams?: Readonly<Record<string, string>> | undefined;
  /** Token-endpoint headers to add; the preset's own cannot be changed. */
  tokenHeaders?: Readonly<Record<string, string>> | undefined;
  /** HTTP settings handed to core (dispatcher, timeout…). */
  http?: HttpSettings | undefined;
}

/** A mail server with its placeholders filled in. */
export interface MailServer extends MailServerDefinition {}

/** The preset's mail servers for this user. */
export interface ResolvedMail {
  readonly imap?: MailServer;
  readonly smtp?: MailServer;
  readonly pop3?: MailServer;
  readonly sasl: SaslMechanism;
}

/** A preset applied to a user's input: everything needed to run a flow and to connect to the mail servers. */
export interface ResolvedPreset {
  readonly preset: Preset;
  /** Core's provider configuration: endpoints, client, scopes, extra parameters and headers. */
  readonly provider: ProviderConfig;
  readonly flow: Flow;
  /** The scopes to ask for (also `provider.scopes`). */
  readonly scopes: readonly string[];
  /** The redirect URL, for the code flow only. */
  readonly redirectUrl?: string;
  /** Every parameter's value, defaults filled in. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly mail?: ResolvedMail;
  /** The preset's warnings that apply to this flow and these scopes. */
  readonly warnings: readonly string[];
}

function given<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null;
}

function sameHeaders(
  fixed: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>>,
): { merged: Record<string, string>; conflicts: string[] } {
  const merged: Record<string, string> = { ...fixed };
  const conflicts: string[] = [];
  const fixedByName = new Map(Object.keys(fixed).map((name) => [name.toLowerCase(), name]));
  for (const [name, value] of Object.entries(extra)) {
    const fixedName = fixedByName.get(name.toLowerCase());
    if (fixedName === undefined) merged[name] = value;
    else if (fixed[fixedName] !== value) conflicts.push(`tokenHeaders.${fixedName}`);
  }
  return { merged, conflicts };
}

/**
 * Applies a preset to what the user gave: fills the `{parameter}` placeholders, checks that no
 * fixed field is given a different value, checks every value, chooses the flow and scopes, runs
 * the preset's hooks, and returns core's provider configuration with the mail servers and the
 * warnings that apply.
 *
 * Checks run in this order, each reporting everything it finds at once: the flow, fixed fields,
 * malformed values, missing fields, then the preset's hooks. Giving a fixed field its own value
 * again is accepted, so settings saved from an earlier run can be passed back as they are.
 *
 * @param preset A preset made by {@link definePreset} (a built-in or a loaded one).
 * @param input The user's values. Default: none
 * @throws {PresetError} `PRESET_UNSUPPORTED_FLOW`, `PRESET_FIXED_FIELD` (the CLI exits with 2),
 *   `PRESET_INVALID_INPUT`, `PRESET_MISSING_FIELDS` (all of them in `fields`), `PRESET_REQUEST_REJECTED`.
 * @example
 * ```ts
 * import { microsoft, resolvePreset } from '@oauth-authorizer/presets';
 *
 * const { provider, flow, scopes, mail } = resolvePreset(microsoft, {
 *   clientId: '00000000-0000-0000-0000-000000000000',
 *   parameters: { tenant: 'contoso.onmicrosoft.com' },
 *   scopeSet: 'imap',
 * });
 * ```
 */
export function resolvePreset(preset: Preset, input: PresetInput = {}): ResolvedPreset {
  if (!isRecord(preset as unknown) || typeof preset.id !== 'string' || !Array.isArray(preset.flows)) {
    throw new TypeError('resolvePreset() takes a preset made by definePreset()');
  }
  if (!isRecord(input as unknown)) throw new TypeError('resolvePreset() takes an input object');
  const label = `preset "${preset.id}"`;
  const presetId = preset.id;
  const invalid: { field: string; message: string }[] = [];
  const missing: string[] = [];

  // Parameters first: the fixed URLs are compared after their placeholders are filled.
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.parameters ?? {})) {
    if (!given(value)) continue;
    const parameter = Object.hasOwn(preset.parameters, name) ? preset.parameters[name] : undefined;
    const known = Object.keys(preset.parameters);
    const problem = !parameter
      ? `is not a parameter of ${label}${known.length > 0 ? ` (it has ${listNames(known)})` : ' (it has none)'}`
      : typeof value !== 'string'
        ? `must be a string, got ${describe(value)}`
        : checkParameterValue(parameter, value);
    if (problem) invalid.push({ field: `parameters.${name}`, message: problem });
    else values[name] = value;
  }
  for (const [name, parameter] of Object.entries(preset.parameters)) {
    if (Object.hasOwn(values, name)) continue;
    if (parameter.default !== undefined) values[name] = parameter.default;
    else if (!invalid.some((problem) => problem.field === `parameters.${name}`))
      missing.push(`parameters.${name}`);
  }
  const filled = (template: string, context: 'url' | 'text'): string | undefined =>
    placeholdersOf(template).every((name) => Object.hasOwn(values, name))
      ? fillTemplate(template, preset.parameters, values, context)
      : undefined;

  const flow = input.flow ?? preset.preferredFlow;
  if (!preset.flows.includes(flow)) {
    const what = (FLOWS as readonly string[]).includes(flow)
      ? `the "${flow}" flow`
      : `a flow called ${describe(flow)}`;
    throw new PresetError(
      PRESET_UNSUPPORTED_FLOW,
      `${label} does not support ${what}; it supports ${listNames(preset.flows)}`,
      {
        presetId,
        fields: ['flow'],
        hint: `choose one of: ${preset.flows.join(', ')}`,
      },
    );
  }

  // Fixed fields: what the preset sets, the user may repeat but not change.
  const conflicts: string[] = [];
  const fixedEndpoints: Partial<Record<EndpointField, string>> = {};
  for (const field of ENDPOINT_FIELDS) {
    const template = preset[field];
    if (template === undefined) continue;
    const value = filled(template, 'url');
    if (value !== undefined) fixedEndpoints[field] = value;
    if (given(input[field]) && input[field] !== (value ?? template)) conflicts.push(field);
  }
  for (const field of ['clientId', 'clientSecret', 'clientAuth'] as const) {
    if (preset[field] !== undefined && given(input[field]) && input[field] !== preset[field])
      conflicts.push(field);
  }
  const authorizationParams: Record<string, string> = {};
  for (const [key, template] of Object.entries(preset.authorizationParams)) {
    authorizationParams[key] = filled(template, 'text') ?? template;
  }
  for (const [key, value] of Object.entries(input.authorizationParams ?? {})) {
    if (!Object.hasOwn(preset.authorizationParams, key)) authorizationParams[key] = value;
    else if (authorizationParams[key] !== value) conflicts.push(`authorizationParams.${key}`);
  }
  const headers = sameHeaders(preset.tokenHeaders, input.tokenHeaders ?? {});
  conflicts.push(...headers.conflicts);
  if (conflicts.length > 0) {
    throw new PresetError(
      PRESET_FIXED_FIELD,
      `${label} fixes ${listNames(conflicts)}; leave ${conflicts.length > 1 ? 'them' : 'it'} out, or use the "custom" preset to give every setting yourself`,
      {
        presetId,
        fields: conflicts,
        hint: `remove ${conflicts.join(', ')} from the options, or use --preset custom`,
      },
    );
  }

  // Scopes: an explicit list, a named set, the flow's set, or the default set.
  let scopes: string[] = [];
  if (given(input.scopes) && given(input.scopeSet)) {
    invalid.push({ field: 'scopeSet', message: 'cannot be combined with "scopes": give one or the other' });
  } else if (given(input.scopes)) {
    if (!Array.isArray(input.scopes))
      invalid.push({ field: 'scopes', message: `must be an array, got ${describe(input.scopes)}` });
    else {
      const bad = input.scopes.filter((scope) => typeof scope !== 'string' || !SCOPE_TOKEN.test(scope));
      if (bad.length > 0)
        invalid.push({
          field: 'scopes',
          message: `has a scope that is empty or contains a space, a quote or a backslash: ${describe(bad[0])}`,
        });
      else scopes = [...new Set(input.scopes)];
    }
  } else {
    const setName = input.scopeSet ?? preset.flowScopes[flow] ?? 'default';
    const set = Object.hasOwn(preset.scopes, setName) ? preset.scopes[setName] : undefined;
    if (set) scopes = [...set];
    else
      invalid.push({
        field: 'scopeSet',
        message: `names no scope set of ${label}: ${describe(setName)} (it has ${listNames(Object.keys(preset.scopes))})`,
      });
  }

  // Endpoints: the preset's, else the user's, checked the way core will check them.
  const insecureAllowed = input.http?.dangerouslyAllowInsecureHttp === true;
  const endpoints: Partial<Record<EndpointField, string>> = { ...fixedEndpoints };
  for (const field of ENDPOINT_FIELDS) {
    const value = endpoints[field] ?? input[field];
    if (!given(value)) continue;
    const problem =
      typeof value === 'string' ? urlProblem(value, 'endpoint') : `must be a URL, got ${describe(value)}`;
    const plainHttpAllowed = insecureAllowed && typeof value === 'string' && value.startsWith('http://');
    if (problem && !plainHttpAllowed) invalid.push({ field, message: problem });
    else endpoints[field] = value;
  }

  let redirectUrl: string | undefined;
  if (flow === 'code') {
    redirectUrl = input.redirectUrl ?? preset.redirectUrl ?? DEFAULT_REDIRECT_URL;
    const problem = urlProblem(redirectUrl, 'redirect');
    if (problem) invalid.push({ field: 'redirectUrl', message: problem });
  }

  // The client: a secret is needed for app-only access, where the provider insists, or where the
  // user asked for a secret-based client authentication; without one the client is public.
  const clientId = preset.clientId ?? input.clientId;
  const clientSecret =
    preset.clientSecret ??
    (given(input.clientSecret) && input.clientSecret !== '' ? input.clientSecret : undefined);
  if (!given(clientId) || clientId === '') missing.push('clientId');
  const declaredAuth = preset.clientAuth ?? input.clientAuth;
  const userAsksForSecret =
    preset.clientAuth === undefined && given(input.clientAuth) && input.clientAuth !== 'none';
  if (
    !clientSecret &&
    (flow === 'client_credentials' || preset.clientSecretRequired.includes(flow) || userAsksForSecret)
  ) {
    missing.push('clientSecret');
  }
  if (clientSecret && declaredAuth === 'none') {
    invalid.push({
      field: 'clientSecret',
      message: `is given, but the client authentication is "none" (a public client); leave it out`,
    });
  }
  const clientAuth: ClientAuthMethod | undefined = clientSecret ? declaredAuth : 'none';

  // An endpoint the preset gives is not missing even when a parameter it needs is: the
  // parameter is what the user has to supply.
  const lacks = (field: EndpointField) =>
    !endpoints[field] && preset[field] === undefined && !invalid.some((problem) => problem.field === field);
  if (!endpoints.issuer && preset.issuer === undefined) {
    if (lacks('tokenUrl')) missing.push('tokenUrl');
    if (flow === 'code' && lacks('authorizationUrl')) missing.push('authorizationUrl');
    if (flow === 'device' && lacks('deviceAuthorizationUrl')) missing.push('deviceAuthorizationUrl');
  }

  let mail: ResolvedMail | undefined;
  if (preset.mail) {
    const servers: { -readonly [P in keyof ResolvedMail]: ResolvedMail[P] } = { sasl: preset.mail.sasl };
    for (const protocol of MAIL_PROTOCOLS) {
      const server = preset.mail[protocol];
      if (!server) continue;
      const host = filled(server.host, 'text');
      if (host === undefined) continue;
      if (!isHostname(host))
        invalid.push({
          field: `mail.${protocol}.host`,
          message: `must be a host name, got ${describe(host)}`,
        });
      else if (server.tls === 'none' && !isLoopbackHost(host))
        invalid.push({
          field: `mail.${protocol}.tls`,
          message: `is "none", which is only allowed for a loopback host, got ${describe(host)}`,
        });
      else servers[protocol] = { host, port: server.port, tls: server.tls };
    }
    mail = servers;
  }

  if (invalid.length > 0) {
    const details = invalid.map((problem) => `"${problem.field}" ${problem.message}`).join('; ');
    throw new PresetError(PRESET_INVALID_INPUT, `${label}: ${details}`, {
      presetId,
      fields: [...new Set(invalid.map((problem) => problem.field))],
    });
  }
  if (missing.length > 0) {
    throw new PresetError(
      PRESET_MISSING_FIELDS,
      `${label} needs ${listNames(missing)} to run the "${flow}" flow`,
      {
        presetId,
        fields: missing,
        hint: `give ${missing.join(', ')}`,
      },
    );
  }

  const hook = preset.hooks.validateRequest;
  if (hook) {
    let refusal: unknown;
    try {
      refusal = hook({
        presetId,
        flow,
        scopes: Object.freeze([...scopes]),
        parameters: Object.freeze({ ...values }),
        hasClientSecret: clientSecret !== undefined,
      });
    } catch (error) {
      if (error instanceof AuthorizerError) throw error;
      refusal = error instanceof Error ? error.message : String(error);
    }
    if (typeof refusal === 'string' && refusal !== '') {
      throw new PresetError(PRESET_REQUEST_REJECTED, `${label} refuses this request: ${refusal}`, {
        presetId,
      });
    }
  }

  const provider: ProviderConfig = {
    ...endpoints,
    clientId: clientId as string,
    ...(clientSecret !== undefined && { clientSecret }),
    ...(clientAuth !== undefined && { clientAuth }),
    scopes: [...scopes],
    ...(Object.keys(authorizationParams).length > 0 && { authorizationParams }),
    ...(Object.keys(headers.merged).length > 0 && { tokenHeaders: headers.merged }),
    ...(input.http && { http: input.http }),
  };
  const warnings = preset.warnings
    .filter((warning) => !warning.flows || warning.flows.includes(flow))
    .filter((warning) => !warning.scopes || warning.scopes.some((scope) => scopes.includes(scope)))
    .map((warning) => warning.message);

  return {
    preset,
    provider,
    flow,
    scopes: Object.freeze([...scopes]),
    ...(redirectUrl !== undefined && { redirectUrl }),
    parameters: Object.freeze({ ...values }),
    ...(mail && { mail }),
    warnings: Object.freeze(warnings),
  };
}

/**
 * The fields a preset fixes, which users cannot give other values for: set endpoints, the
 * published client, client authentication, and each authorization parameter and token header.
 * What `oauth-authorizer presets show <id>` lists.
 *
 * @example
 * ```ts
 * fixedFieldsOf(google); // ['authorizationUrl', 'deviceAuthorizationUrl', 'tokenUrl', …, 'authorizationParams.access_type', …]
 * ```
 */
export function fixedFieldsOf(preset: Preset): string[] {
  return [
    ...ENDPOINT_FIELDS.filter((field) => preset[field] !== undefined),
    ...(['clientId', 'clientSecret', 'clientAuth'] as const).filter((field) => preset[field] !== undefined),
    ...Object.keys(preset.authorizationParams).map((key) => `authorizationParams.${key}`),
    ...Object.keys(preset.tokenHeaders).map((key) => `tokenHeaders.${key}`),
  ];
}
