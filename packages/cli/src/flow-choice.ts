/**
 * Which flows a preset allows with the scopes chosen, decided while the dialog runs: a flow the
 * provider would refuse (Google's device flow with the Gmail scope) is not offered, and a flow
 * given with `--flow` that it would refuse fails before any question is asked.
 *
 * @module
 */
import {
  type Flow,
  PRESET_REQUEST_REJECTED,
  type Preset,
  PresetError,
  type PresetInput,
} from '@oauth-authorizer/presets';

/** A flow in plain words. */
export const FLOW_WORDS: Record<Flow, string> = {
  code: 'authorization code flow (a browser on this machine)',
  device: 'device code flow (sign in on any device with a code)',
  client_credentials: 'client credentials flow (app-only, no person signs in)',
};

/**
 * The scopes `input` asks for in `flow`: its own, its named set, the flow's set, or the default set.
 *
 * @example
 * ```ts
 * scopesFor(google, {}, 'device'); // ['https://mail.google.com/']
 * ```
 */
export function scopesFor(preset: Preset, input: PresetInput, flow: Flow): readonly string[] {
  if (input.scopes !== undefined) return input.scopes;
  const name = input.scopeSet ?? preset.flowScopes[flow] ?? 'default';
  return (Object.hasOwn(preset.scopes, name) ? preset.scopes[name] : undefined) ?? [];
}

/**
 * Why the provider would refuse `flow` with the scopes of `input` (the preset's own
 * `validateRequest` hook), or `undefined` when it would not.
 *
 * @example
 * ```ts
 * flowRefusal(google, { scopeSet: 'imap' }, 'device'); // 'Google does not allow the Gmail scope …'
 * ```
 */
export function flowRefusal(preset: Preset, input: PresetInput, flow: Flow): string | undefined {
  const hook = preset.hooks.validateRequest;
  if (!hook) return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(preset.parameters)) {
    const value = input.parameters?.[name] ?? parameter.default;
    if (value !== undefined) parameters[name] = value;
  }
  try {
    const refusal = hook({
      presetId: preset.id,
      flow,
      scopes: scopesFor(preset, input, flow),
      parameters,
      hasClientSecret: preset.clientSecret !== undefined || Boolean(input.clientSecret),
    });
    return typeof refusal === 'string' && refusal !== '' ? refusal : undefined;
  } catch {
    // A hook that throws is reported when the preset is resolved, with its own error.
    return undefined;
  }
}

/**
 * Fails at once when the flow of `input` (given with `--flow`) is one the provider refuses with
 * its scopes, before the dialog asks anything: the error resolving would give after every answer.
 *
 * @throws {PresetError} `PRESET_REQUEST_REJECTED` (exit code 2).
 *
 * @example
 * ```ts
 * assertFlowAllowed(google, { flow: 'device' }); // throws: Google does not allow the Gmail scope …
 * ```
 */
export function assertFlowAllowed(preset: Preset, input: PresetInput): void {
  if (input.flow === undefined || !preset.flows.includes(input.flow)) return;
  const refusal = flowRefusal(preset, input, input.flow);
  if (refusal === undefined) return;
  const others = preset.flows.filter(
    (flow) => flow !== input.flow && flowRefusal(preset, input, flow) === undefined,
  );
  throw new PresetError(PRESET_REQUEST_REJECTED, `preset "${preset.id}" refuses this request: ${refusal}`, {
    presetId: preset.id,
    fields: ['flow'],
    hint:
      others.length > 0
        ? `use ${others.map((flow) => `--flow ${flow}`).join(' or ')}, or other scopes (--scope, --scope-set)`
        : 'choose other scopes (--scope, --scope-set)',
  });
}
