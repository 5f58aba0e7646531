import { isAuthorizerError } from '@oauth-authorizer/core';
import {
  builtInPresets,
  type Flow,
  findPresetForAddress,
  fixedFieldsOf,
  PRESET_MISSING_FIELDS,
  type Preset,
  type PresetError,
  type PresetInput,
  type ResolvedPreset,
  resolvePreset,
} from '@oauth-authorizer/presets';
import { CLIENT_SECRET_VARIABLE, type SecretOrigin } from './account-settings.js';
import { CLI_CLIENT_SECRET_MISSING, CLI_MISSING_VALUES, cliError } from './errors.js';
import { assertFlowAllowed, FLOW_WORDS, flowRefusal } from './flow-choice.js';
import { describeFixedField, flagOf, inFlagNames } from './preset-wording.js';
import type { Prompter } from './prompts.js';

/** The flows the dialog offers; client credentials (no person signs in) is asked for with --flow. */
export type InteractiveFlow = Extract<Flow, 'code' | 'device'>;

const FIELD_QUESTIONS: Record<string, string> = {
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  issuer: 'Issuer (endpoints are discovered from it)',
  authorizationUrl: 'Authorization URL',
  deviceAuthorizationUrl: 'Device code URL',
  tokenUrl: 'Token exchange URL',
  revocationUrl: 'Revocation URL (empty: none)',
};

function urlProblem(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'give an https: URL';
  } catch {
    return 'give a whole URL, e.g. https://login.example.com/oauth2/token';
  }
}

/** The preset the user picked, and the parameters the account's address implies for it. */
export interface PickedPreset {
  spec: string;
  /** E.g. `tenant=consumers` for an Outlook.com address with the Microsoft preset. */
  parameters: Record<string, string>;
}

/** How long the dialog waits for the MX records of an address's domain before it offers `custom`. */
const MX_LOOKUP_TIMEOUT_MS = 3000;

/**
 * Asks which preset to use; built-ins are listed, anything else can be typed (a package or a
 * file). The default comes from the account's address, as `presets find` finds it: the providers'
 * own domains (`me@gmail.com` → `google`), else the domain's MX records (a company on Google
 * Workspace → `google`), else `custom`, with the reason shown.
 *
 * @example
 * ```ts
 * const { spec } = await pickPreset(prompter, 'me@gmail.com'); // 'google' when Enter is pressed
 * ```
 */
export async function pickPreset(prompter: Prompter, account: string): Promise<PickedPreset> {
  const found = account.includes('@')
    ? await findPresetForAddress(account, { signal: AbortSignal.timeout(MX_LOOKUP_TIMEOUT_MS) })
    : undefined;
  const match = found?.via === 'none' ? undefined : found;
  const width = Math.max(...builtInPresets.map((preset) => preset.id.length));
  prompter.say('Presets fix what they know about a provider; "custom" lets you give every setting.');
  builtInPresets.forEach((preset, index) => {
    prompter.say(`  ${String(index + 1).padStart(2)}) ${preset.id.padEnd(width)}  ${preset.name}`);
  });
  if (match) prompter.say(`  (${match.reason}: press Enter for "${match.preset.id}")`);
  else if (found) prompter.say(`  (${found.reason})`);
  const answer = await prompter.ask('Preset (a number, an id, a preset package or a file)', {
    default: match?.preset.id ?? 'custom',
    validate: (text) =>
      /^\d+$/.test(text) && !builtInPresets[Number(text) - 1]
        ? `choose a number from 1 to ${builtInPresets.length}`
        : undefined,
  });
  const spec = /^\d+$/.test(answer) ? (builtInPresets[Number(answer) - 1] as Preset).id : answer;
  return { spec, parameters: match && spec === match.preset.id ? { ...match.parameters } : {} };
}

/**
 * Shows what the preset fixes, so that the user sees why it is not asked.
 *
 * @example
 * ```ts
 * showFixedFields(prompter, await loadPresetSpec('google', process.cwd()));
 * ```
 */
export function showFixedFields(prompter: Prompter, preset: Preset): void {
  const fields = fixedFieldsOf(preset);
  if (fields.length === 0) return;
  prompter.say(`${preset.name} fixes:`);
  for (const field of fields) prompter.say(`  ${describeFixedField(preset, field)}`);
}

/**
 * The question for the client secret: whether the preset requires one for the flows that may
 * run (then an empty answer is not taken), or only for some of them.
 */
function secretQuestion(preset: Preset, flows: readonly Flow[]): { question: string; required: boolean } {
  const requiredFor = flows.filter((flow) => preset.clientSecretRequired.includes(flow));
  if (requiredFor.length > 0 && requiredFor.length === flows.length)
    return { question: `Client secret (${preset.name} requires one)`, required: true };
  if (requiredFor.length > 0)
    return {
      question: `Client secret (${preset.name} requires one for the ${requiredFor.map((flow) => FLOW_WORDS[flow].replace(/ \(.*\)$/, '')).join(' and the ')}; empty for a public client)`,
      required: false,
    };
  return { question: 'Client secret (empty for a public client)', required: false };
}

/**
 * The terminal version of the authorizer dialog: asks, in the dialog's order, for what is not
 * given yet — client ID, client secret (hidden), scopes, flow, then the endpoints the preset
 * does not fix and the parameters it needs — and returns the completed input.
 *
 * @example
 * ```ts
 * const input = await completeInteractively(prompter, preset, { clientId: undefined });
 * const resolved = resolvePreset(preset, input);
 * ```
 */
export async function completeInteractively(
  prompter: Prompter,
  preset: Preset,
  given: PresetInput,
): Promise<PresetInput> {
  const input: PresetInput = { ...given };
  if (preset.clientId === undefined && !input.clientId) input.clientId = await prompter.ask('Client ID');
  const flows = preset.flows.filter((flow): flow is InteractiveFlow => flow === 'code' || flow === 'device');
  if (preset.clientSecret === undefined && input.clientSecret === undefined && input.clientAuth !== 'none') {
    const { question, required } = secretQuestion(preset, input.flow ? [input.flow] : flows);
    const secret = await prompter.ask(question, { hidden: true, optional: !required });
    if (secret !== '') input.clientSecret = secret;
  }
  if (input.scopes === undefined && input.scopeSet === undefined) {
    const defaults = (preset.scopes.default ?? []).join(' ');
    const sets = Object.keys(preset.scopes).filter((name) => name !== 'default');
    if (sets.length > 0) prompter.say(`  (or the name of a scope set: ${sets.join(', ')})`);
    const answer = await prompter.ask('Scopes, separated by spaces', {
      ...(defaults !== '' && { default: defaults }),
      optional: true,
    });
    if (Object.hasOwn(preset.scopes, answer) && answer !== 'default') input.scopeSet = answer;
    else if (answer !== defaults) input.scopes = answer.split(/[\s,]+/).filter((scope) => scope !== '');
  }
  // Only the flows the provider allows with these scopes; decided now, before the next question.
  const allowed = flows.filter((flow) => {
    const refusal = flowRefusal(preset, input, flow);
    if (refusal !== undefined && flows.length > 1)
      prompter.say(`  The ${FLOW_WORDS[flow]} is not offered: ${refusal}.`);
    return refusal === undefined;
  });
  assertFlowAllowed(preset, input);
  if (input.flow === undefined && allowed.length === 1 && flows.length > 1) {
    input.flow = allowed[0] as InteractiveFlow;
    prompter.say(`  Flow: the ${FLOW_WORDS[input.flow]}.`);
  }
  if (input.flow === undefined && allowed.length > 1) {
    input.flow = await prompter.choose(
      'Flow',
      allowed.map((flow) => ({
        value: flow,
        label:
          flow === 'code'
            ? 'authorization code: sign in with a browser on this machine'
            : 'device code: sign in on any device with a code',
      })),
      allowed.includes(preset.preferredFlow as InteractiveFlow)
        ? (preset.preferredFlow as InteractiveFlow)
        : allowed[0],
    );
  }
  const flow = input.flow ?? preset.preferredFlow;
  if (preset.issuer === undefined && preset.tokenUrl === undefined && !input.issuer && !input.tokenUrl) {
    const issuer = await prompter.ask('Issuer, to discover the endpoints (empty: type them in)', {
      optional: true,
      validate: urlProblem,
    });
    if (issuer !== '') input.issuer = issuer;
  }
  if (!input.issuer && preset.issuer === undefined) {
    const needed = [
      ...(flow === 'code' ? (['authorizationUrl'] as const) : []),
      ...(flow === 'device' ? (['deviceAuthorizationUrl'] as const) : []),
      'tokenUrl' as const,
    ];
    for (const field of needed) {
      if (preset[field] === undefined && !input[field])
        input[field] = await prompter.ask(FIELD_QUESTIONS[field] as string, { validate: urlProblem });
    }
    if (preset.revocationUrl === undefined && input.revocationUrl === undefined) {
      const revocation = await prompter.ask(FIELD_QUESTIONS.revocationUrl as string, {
        optional: true,
        validate: urlProblem,
      });
      if (revocation !== '') input.revocationUrl = revocation;
    }
  }
  return askParameters(prompter, preset, input);
}

async function askParameters(prompter: Prompter, preset: Preset, input: PresetInput): Promise<PresetInput> {
  const parameters: Record<string, string | undefined> = { ...input.parameters };
  for (const [name, parameter] of Object.entries(preset.parameters)) {
    if (parameters[name] !== undefined || parameter.default !== undefined) continue;
    const choices = parameter.choices ? Object.keys(parameter.choices) : undefined;
    prompter.say(`  ${parameter.description}${choices ? ` (${choices.join(', ')})` : ''}`);
    parameters[name] = await prompter.ask(name, {
      validate: (text) =>
        choices && !choices.includes(text) ? `choose one of: ${choices.join(', ')}` : undefined,
    });
  }
  return { ...input, parameters };
}

/**
 * Asks for exactly the fields a preset reported missing (`PRESET_MISSING_FIELDS`): what the
 * dialog could not know was needed, such as a secret the provider insists on for this flow.
 *
 * @example
 * ```ts
 * input = await askMissingFields(prompter, preset, input, error.fields); // after PRESET_MISSING_FIELDS
 * ```
 */
export async function askMissingFields(
  prompter: Prompter,
  preset: Preset,
  input: PresetInput,
  fields: readonly string[],
): Promise<PresetInput> {
  const completed: PresetInput = { ...input, parameters: { ...input.parameters } };
  for (const field of fields) {
    if (field.startsWith('parameters.')) {
      const name = field.slice('parameters.'.length);
      const parameter = preset.parameters[name];
      if (parameter) prompter.say(`  ${parameter.description}`);
      (completed.parameters as Record<string, string>)[name] = await prompter.ask(name);
    } else if (field === 'clientSecret') {
      completed.clientSecret = await prompter.ask(`Client secret (${preset.name} needs one for this flow)`, {
        hidden: true,
      });
    } else if (field === 'clientId') {
      completed.clientId = await prompter.ask('Client ID');
    } else if (field in FIELD_QUESTIONS) {
      const key = field as 'authorizationUrl' | 'deviceAuthorizationUrl' | 'tokenUrl' | 'issuer';
      completed[key] = await prompter.ask(FIELD_QUESTIONS[field] as string, { validate: urlProblem });
    }
  }
  return completed;
}

/** What {@link resolveWithDialog} starts from. */
export interface DialogStart {
  /** `undefined` when stdin is not a terminal: nothing can be asked. */
  prompter: Prompter | undefined;
  account: string;
  preset: Preset;
  input: PresetInput;
  secretSource: SecretOrigin;
  /** The user picked the preset in the dialog: the rest of the dialog follows. */
  picked: boolean;
  /** The account was authorized before with a secret read from the environment. */
  secretExpected: boolean;
}

/** The input the preset resolved with, and where its secret came from. */
export interface DialogOutcome {
  resolved: ResolvedPreset;
  input: PresetInput;
  secretSource: SecretOrigin;
}

/**
 * Resolves the preset with the user's input, asking on a terminal for what is missing: the whole
 * dialog after a picked preset, then (once) the fields the preset still reports missing. Without
 * a terminal, what is missing is a `CLI_MISSING_VALUES` error that names the flags.
 *
 * @throws {AuthorizerError} `CLI_MISSING_VALUES`, `CLI_CLIENT_SECRET_MISSING`, or the preset's errors.
 *
 * @example
 * ```ts
 * const { resolved, input } = await resolveWithDialog({ prompter, account, preset, input, secretSource, picked: false, secretExpected: false });
 * ```
 */
export async function resolveWithDialog(start: DialogStart): Promise<DialogOutcome> {
  const { prompter, account, preset } = start;
  let { input, secretSource } = start;
  // The account was authorized with a secret that was not stored: going on without one would
  // silently turn it into a public client.
  if (secretSource === undefined && start.secretExpected) {
    if (!prompter) {
      throw cliError(
        CLI_CLIENT_SECRET_MISSING,
        `account "${account}" was authorized with a client secret, and ${CLIENT_SECRET_VARIABLE} is not set`,
        { hint: `set ${CLIENT_SECRET_VARIABLE}, or give --client-secret` },
      );
    }
    input = { ...input, clientSecret: await prompter.ask('Client secret', { hidden: true }) };
    secretSource = 'prompt';
  }

  assertFlowAllowed(preset, input);
  let resolved: ResolvedPreset | undefined;
  let missing: readonly string[] = [];
  try {
    resolved = resolvePreset(preset, input);
  } catch (error) {
    if (!isAuthorizerError(error, PRESET_MISSING_FIELDS)) throw inFlagNames(error);
    missing = (error as PresetError).fields;
  }
  if (prompter && (start.picked || missing.length > 0)) {
    const before = input.clientSecret;
    input = await completeInteractively(prompter, preset, input);
    if (input.clientSecret !== before) secretSource = 'prompt';
    resolved = undefined;
  }
  for (let attempt = 0; resolved === undefined; attempt++) {
    try {
      resolved = resolvePreset(preset, input);
    } catch (error) {
      if (!isAuthorizerError(error, PRESET_MISSING_FIELDS)) throw inFlagNames(error);
      const fields = (error as PresetError).fields;
      if (!prompter || attempt > 0) {
        throw cliError(
          CLI_MISSING_VALUES,
          `authorize: ${preset.id === 'custom' ? 'the custom preset' : `preset "${preset.id}"`} needs ${fields.map(flagOf).join(', ')}${prompter ? '' : ' (stdin is not a terminal, so they cannot be asked for)'}`,
          { hint: `give them as options; see: oauth-authorizer authorize --help` },
        );
      }
      const before = input.clientSecret;
      input = await askMissingFields(prompter, preset, input, fields);
      if (input.clientSecret !== before) secretSource = 'prompt';
    }
  }
  return { resolved, input, secretSource };
}

/**
 * Presets whose client secret, for the desktop ("installed") apps the CLI is registered as, is
 * not confidential: Google says of installed apps that "the client secret is obviously not
 * treated as a secret" (https://developers.google.com/identity/protocols/oauth2/native-app),
 * yet requires it at every refresh.
 */
const NON_CONFIDENTIAL_SECRET_PRESETS: ReadonlySet<string> = new Set(['google']);

/**
 * Why a preset's client secret is stored by default, or `undefined` when it is not (see
 * `NON_CONFIDENTIAL_SECRET_PRESETS`).
 */
function reasonToStoreSecret(preset: Preset): string | undefined {
  if (!NON_CONFIDENTIAL_SECRET_PRESETS.has(preset.id)) return undefined;
  return `${preset.name} gives desktop apps a client secret that is not confidential, and every refresh needs it; kept in the account file (readable only by you), it lets "token" go on working for mail clients after the first hour`;
}

/**
 * Whether to store the client secret in the account file: `--save-client-secret`, a secret that
 * was stored before, or, on a terminal, the user's answer. A secret from the environment stays
 * there; a preset's published secret is kept anyway. For a provider whose desktop secret is not
 * confidential (Google), storing it is the default, with the reason said (on a terminal the
 * question defaults to yes; without one it is stored).
 *
 * @example
 * ```ts
 * const save = await chooseSecretStorage({ prompter, preset, secret, saveFlag: false, secretSource, say: (text) => output.info(text) });
 * ```
 */
export async function chooseSecretStorage(options: {
  prompter: Prompter | undefined;
  preset: Preset;
  secret: string | undefined;
  saveFlag: boolean;
  secretSource: SecretOrigin;
  /** Shows a line of explanation (stderr). */
  say: (text: string) => void;
}): Promise<boolean> {
  const { prompter, preset, secret, secretSource } = options;
  const save = options.saveFlag || secretSource === 'stored';
  if (secret === undefined || preset.clientSecret !== undefined || save || secretSource === 'environment')
    return save;
  const reason = reasonToStoreSecret(preset);
  if (!prompter) {
    if (reason) options.say(`The client secret is stored: ${reason}.`);
    return reason !== undefined;
  }
  if (reason) prompter.say(`  ${reason}.`);
  return prompter.confirm(
    'Store the client secret in the account file (readable only by you)?',
    reason !== undefined,
  );
}
