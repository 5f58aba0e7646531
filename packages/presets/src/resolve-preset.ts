import type { ClientAuthMethod, HttpSettings, ProviderConfig } from '@oauth-authorizer/core';
import { isRecord, listNames } from './checks.js';
import { PRESET_INVALID_INPUT, PRESET_MISSING_FIELDS, PresetError } from './errors.js';
import type { Flow, MailServerDefinition, Preset, SaslMechanism } from './preset.js';
import { ENDPOINT_FIELDS } from './preset-fields.js';

import { Problems } from './problems.js';
import {
  checkFixedFields,
  chooseFlow,
  chooseScopes,
  findMissingEndpoints,
  type ResolveContext,
  resolveClient,
  resolveEndpoints,
  resolveMail,
  resolveParameters,
  resolveRedirect,
  runHooks,
} from './resolve-steps.js';

export { DEFAULT_REDIRECT_URL } from './resolve-steps.js';

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
  /**
   * The redirect URL the user must register with the provider, character for character: set for
   * the code flow of a preset whose provider matches redirect URLs exactly (`exactRedirect`).
   * Programs show it before the browser opens ("register exactly this redirect URL: …").
   */
  readonly registerRedirectUrl?: string;
  /** Every parameter's value, defaults filled in. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly mail?: ResolvedMail;
  /** The preset's warnings that apply to this flow and these scopes. */
  readonly warnings: readonly string[];
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
  const invalid = new Problems();
  const missing: string[] = [];
  const context: ResolveContext = { preset, input, label, invalid, missing };

  const { values, filled } = resolveParameters(context);
  const flow = chooseFlow(context);
  const { fixedEndpoints, authorizationParams, headers } = checkFixedFields(context, filled);
  const scopes = chooseScopes(context, flow);
  const endpoints = resolveEndpoints(context, fixedEndpoints);
  const redirectUrl = resolveRedirect(context, flow);
  const { clientId, clientSecret, clientAuth } = resolveClient(context, flow);
  findMissingEndpoints(context, flow, endpoints);
  const mail = resolveMail(context, values, filled);

  if (invalid.list.length > 0) {
    throw new PresetError(PRESET_INVALID_INPUT, `${label}: ${invalid.details()}`, {
      presetId,
      fields: invalid.fields(),
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
  runHooks(context, { flow, scopes, values, hasClientSecret: clientSecret !== undefined });

  const provider: ProviderConfig = {
    ...endpoints,
    clientId: clientId as string,
    ...(clientSecret !== undefined && { clientSecret }),
    ...(clientAuth !== undefined && { clientAuth }),
    scopes: [...scopes],
    ...(Object.keys(authorizationParams).length > 0 && { authorizationParams }),
    ...(Object.keys(headers).length > 0 && { tokenHeaders: headers }),
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
    ...(redirectUrl !== undefined && preset.exactRedirect && { registerRedirectUrl: redirectUrl }),
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
