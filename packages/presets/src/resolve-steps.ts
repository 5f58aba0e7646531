/**
 * The steps of resolvePreset, in the order it runs them: parameters, flow, fixed fields, scopes,
 * endpoints, redirect, client, missing endpoints, mail servers, hooks. Problems with the user's
 * values are collected in one {@link Problems}, so the error lists them all.
 *
 * @module
 */
import { AuthorizerError, type ClientAuthMethod, isLoopbackHost } from '@oauth-authorizer/core';
import { checkParameterValue, describe, isHostname, listNames, SCOPE_TOKEN, urlProblem } from './checks.js';
import {
  PRESET_FIXED_FIELD,
  PRESET_REQUEST_REJECTED,
  PRESET_UNSUPPORTED_FLOW,
  PresetError,
} from './errors.js';
import { FLOWS, type Flow, MAIL_PROTOCOLS, type Preset } from './preset.js';
import { ENDPOINT_FIELDS, type EndpointField } from './preset-fields.js';
import type { Problems } from './problems.js';
import type { PresetInput, ResolvedMail } from './resolve-preset.js';
import { fillTemplate, placeholdersOf } from './template.js';

/**
 * The redirect URL of the code flow when neither the user nor the preset names one: the IPv4
 * loopback literal, as RFC 8252 §7.3 recommends over `localhost`, on any free port.
 */
export const DEFAULT_REDIRECT_URL = 'http://127.0.0.1/callback';

/** What every step reads: the preset, the user's input, and where problems go. */
export interface ResolveContext {
  readonly preset: Preset;
  readonly input: PresetInput;
  /** `preset "<id>"`, for messages. */
  readonly label: string;
  /** Malformed values. */
  readonly invalid: Problems;
  /** Fields that are needed and not given. */
  readonly missing: string[];
}

/** A template filled with the parameter values, or `undefined` while one of its parameters has none. */
export type Fill = (template: string, context: 'url' | 'text') => string | undefined;

export function given<T>(value: T | undefined | null): value is T {
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

/** Parameters first: the fixed URLs are compared after their placeholders are filled. */
export function resolveParameters(context: ResolveContext): { values: Record<string, string>; filled: Fill } {
  const { preset, input, label, invalid, missing } = context;
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
    if (problem) invalid.add(`parameters.${name}`, problem);
    else values[name] = value;
  }
  for (const [name, parameter] of Object.entries(preset.parameters)) {
    if (Object.hasOwn(values, name)) continue;
    if (parameter.default !== undefined) values[name] = parameter.default;
    else if (!invalid.has(`parameters.${name}`)) missing.push(`parameters.${name}`);
  }
  const filled = (template: string, context: 'url' | 'text'): string | undefined =>
    placeholdersOf(template).every((name) => Object.hasOwn(values, name))
      ? fillTemplate(template, preset.parameters, values, context)
      : undefined;
  return { values, filled };
}

/** The flow: the user's, else the preset's preferred one; one the preset lacks is an error at once. */
export function chooseFlow(context: ResolveContext): Flow {
  const { preset, input, label } = context;
  const presetId = preset.id;
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
  return flow;
}

/** Fixed fields: what the preset sets, the user may repeat but not change. */
export function checkFixedFields(
  context: ResolveContext,
  filled: Fill,
): {
  fixedEndpoints: Partial<Record<EndpointField, string>>;
  authorizationParams: Record<string, string>;
  headers: Record<string, string>;
} {
  const { preset, input, label } = context;
  const presetId = preset.id;
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
  return { fixedEndpoints, authorizationParams, headers: headers.merged };
}

/** Scopes: an explicit list, a named set, the flow's set, or the default set. */
export function chooseScopes(context: ResolveContext, flow: Flow): string[] {
  const { preset, input, label, invalid } = context;
  let scopes: string[] = [];
  if (given(input.scopes) && given(input.scopeSet)) {
    invalid.add('scopeSet', 'cannot be combined with "scopes": give one or the other');
  } else if (given(input.scopes)) {
    if (!Array.isArray(input.scopes))
      invalid.add('scopes', `must be an array, got ${describe(input.scopes)}`);
    else {
      const bad = input.scopes.filter((scope) => typeof scope !== 'string' || !SCOPE_TOKEN.test(scope));
      if (bad.length > 0)
        invalid.add(
          'scopes',
          `has a scope that is empty or contains a space, a quote or a backslash: ${describe(bad[0])}`,
        );
      else scopes = [...new Set(input.scopes)];
    }
  } else {
    const setName = input.scopeSet ?? preset.flowScopes[flow] ?? 'default';
    const set = Object.hasOwn(preset.scopes, setName) ? preset.scopes[setName] : undefined;
    if (set) scopes = [...set];
    else
      invalid.add(
        'scopeSet',
        `names no scope set of ${label}: ${describe(setName)} (it has ${listNames(Object.keys(preset.scopes))})`,
      );
  }
  return scopes;
}

/** Endpoints: the preset's, else the user's, checked the way core will check them. */
export function resolveEndpoints(
  context: ResolveContext,
  fixedEndpoints: Partial<Record<EndpointField, string>>,
): Partial<Record<EndpointField, string>> {
  const { input, invalid } = context;
  const insecureAllowed = input.http?.dangerouslyAllowInsecureHttp === true;
  const endpoints: Partial<Record<EndpointField, string>> = { ...fixedEndpoints };
  for (const field of ENDPOINT_FIELDS) {
    const value = endpoints[field] ?? input[field];
    if (!given(value)) continue;
    const problem =
      typeof value === 'string' ? urlProblem(value, 'endpoint') : `must be a URL, got ${describe(value)}`;
    const plainHttpAllowed = insecureAllowed && typeof value === 'string' && value.startsWith('http://');
    if (problem && !plainHttpAllowed) invalid.add(field, problem);
    else endpoints[field] = value;
  }
  return endpoints;
}

/** The redirect URL of the code flow: the user's, the preset's, or the default. */
export function resolveRedirect(context: ResolveContext, flow: Flow): string | undefined {
  const { preset, input, invalid } = context;
  let redirectUrl: string | undefined;
  if (flow === 'code') {
    redirectUrl = input.redirectUrl ?? preset.redirectUrl ?? DEFAULT_REDIRECT_URL;
    const problem = urlProblem(redirectUrl, 'redirect');
    if (problem) invalid.add('redirectUrl', problem);
    else if (preset.exactRedirect && new URL(redirectUrl).port === '')
      invalid.add(
        'redirectUrl',
        `must name its port: ${preset.name} compares redirect URLs exactly, port included, got ${describe(redirectUrl)}`,
      );
  }
  return redirectUrl;
}

/**
 * The client: a secret is needed for app-only access, where the provider insists, or where the
 * user asked for a secret-based client authentication; without one the client is public.
 */
export function resolveClient(
  context: ResolveContext,
  flow: Flow,
): {
  clientId: string | undefined;
  clientSecret: string | undefined;
  clientAuth: ClientAuthMethod | undefined;
} {
  const { preset, input, invalid, missing } = context;
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
    invalid.add(
      'clientSecret',
      `is given, but the client authentication is "none" (a public client); leave it out`,
    );
  }
  const clientAuth: ClientAuthMethod | undefined = clientSecret ? declaredAuth : 'none';
  return { clientId, clientSecret, clientAuth };
}

/**
 * The endpoints the flow needs and nobody gave. An endpoint the preset gives is not missing even
 * when a parameter it needs is: the parameter is what the user has to supply.
 */
export function findMissingEndpoints(
  context: ResolveContext,
  flow: Flow,
  endpoints: Partial<Record<EndpointField, string>>,
): void {
  const { preset, invalid, missing } = context;
  const lacks = (field: EndpointField) =>
    !endpoints[field] && preset[field] === undefined && !invalid.has(field);
  if (!endpoints.issuer && preset.issuer === undefined) {
    if (lacks('tokenUrl')) missing.push('tokenUrl');
    if (flow === 'code' && lacks('authorizationUrl')) missing.push('authorizationUrl');
    if (flow === 'device' && lacks('deviceAuthorizationUrl')) missing.push('deviceAuthorizationUrl');
  }
}

/** The mail servers with their placeholders filled, a matching override applied. */
export function resolveMail(
  context: ResolveContext,
  values: Readonly<Record<string, string>>,
  filled: Fill,
): ResolvedMail | undefined {
  const { preset, invalid } = context;
  let mail: ResolvedMail | undefined;
  if (preset.mail) {
    const servers: { -readonly [P in keyof ResolvedMail]: ResolvedMail[P] } = { sasl: preset.mail.sasl };
    const override = preset.mailOverrides.find((candidate) =>
      Object.entries(candidate.parameters).every(([name, value]) => values[name] === value),
    );
    for (const protocol of MAIL_PROTOCOLS) {
      const server = override?.[protocol] ?? preset.mail[protocol];
      if (!server) continue;
      const host = filled(server.host, 'text');
      if (host === undefined) continue;
      if (!isHostname(host))
        invalid.add(`mail.${protocol}.host`, `must be a host name, got ${describe(host)}`);
      else if (server.tls === 'none' && !isLoopbackHost(host))
        invalid.add(
          `mail.${protocol}.tls`,
          `is "none", which is only allowed for a loopback host, got ${describe(host)}`,
        );
      else servers[protocol] = { host, port: server.port, tls: server.tls };
    }
    mail = servers;
  }
  return mail;
}

/** The preset's hooks, last: a request the provider would refuse fails here, naming the preset. */
export function runHooks(
  context: ResolveContext,
  request: {
    flow: Flow;
    scopes: readonly string[];
    values: Readonly<Record<string, string>>;
    hasClientSecret: boolean;
  },
): void {
  const { preset, label } = context;
  const presetId = preset.id;
  const { flow, scopes, values } = request;
  const hook = preset.hooks.validateRequest;
  if (hook) {
    let refusal: unknown;
    try {
      refusal = hook({
        presetId,
        flow,
        scopes: Object.freeze([...scopes]),
        parameters: Object.freeze({ ...values }),
        hasClientSecret: request.hasClientSecret,
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
}
