import { AuthorizerError, type AuthorizerErrorOptions } from '@oauth-authorizer/core';

/** A preset definition is invalid: a field is missing, malformed or inconsistent with another. */
export const PRESET_INVALID = 'PRESET_INVALID';
/** The user gave a field again that the preset fixes (an endpoint, the client ID, client authentication…). */
export const PRESET_FIXED_FIELD = 'PRESET_FIXED_FIELD';
/** Fields needed to run the chosen flow are missing; the error lists all of them at once. */
export const PRESET_MISSING_FIELDS = 'PRESET_MISSING_FIELDS';
/** A value the user gave is malformed: a parameter, a scope, a URL, an unknown scope set. */
export const PRESET_INVALID_INPUT = 'PRESET_INVALID_INPUT';
/** The preset does not support the flow asked for. */
export const PRESET_UNSUPPORTED_FLOW = 'PRESET_UNSUPPORTED_FLOW';
/** One of the preset's own checks refused the request (e.g. Google's Gmail scope in the device flow). */
export const PRESET_REQUEST_REJECTED = 'PRESET_REQUEST_REJECTED';
/** No built-in preset, installed package or file goes by that name. */
export const PRESET_NOT_FOUND = 'PRESET_NOT_FOUND';
/** A preset file or package could not be read or imported: unreadable, not JSON, a syntax error, it threw. */
export const PRESET_LOAD_FAILED = 'PRESET_LOAD_FAILED';
/** A preset module or file loaded but exports nothing that looks like a preset. */
export const PRESET_NO_PRESETS = 'PRESET_NO_PRESETS';
/** A loaded preset uses the id of a built-in preset, or a module declares one id twice. */
export const PRESET_ID_CLASH = 'PRESET_ID_CLASH';
/** A module exports several presets and none was chosen. */
export const PRESET_AMBIGUOUS = 'PRESET_AMBIGUOUS';

/** Every stable code defined by `@oauth-authorizer/presets`. */
export type PresetErrorCode =
  | typeof PRESET_INVALID
  | typeof PRESET_FIXED_FIELD
  | typeof PRESET_MISSING_FIELDS
  | typeof PRESET_INVALID_INPUT
  | typeof PRESET_UNSUPPORTED_FLOW
  | typeof PRESET_REQUEST_REJECTED
  | typeof PRESET_NOT_FOUND
  | typeof PRESET_LOAD_FAILED
  | typeof PRESET_NO_PRESETS
  | typeof PRESET_ID_CLASH
  | typeof PRESET_AMBIGUOUS;

/** Options of {@link PresetError}. */
export interface PresetErrorOptions extends AuthorizerErrorOptions {
  /** The id of the preset concerned, when known. */
  presetId?: string | undefined;
  /** The fields concerned (`tokenUrl`, `parameters.tenant`, `mail.imap.port`…). Default: none */
  fields?: readonly string[];
  /** Where the preset came from: a file path or a package name. */
  source?: string | undefined;
}

/**
 * An error about a preset: its definition, its resolution with user input, or its loading. The
 * message names the preset and the fields; `fields` lists them for programs. Messages never
 * contain a client secret.
 *
 * @example
 * ```ts
 * try {
 *   resolvePreset(google, { clientId, tokenUrl: 'https://example.com/token' });
 * } catch (error) {
 *   if (error instanceof PresetError && error.code === PRESET_FIXED_FIELD) console.error(error.fields);
 * }
 * ```
 */
export class PresetError extends AuthorizerError {
  /** The id of the preset concerned, when known. */
  readonly presetId: string | undefined;
  /** The fields concerned. */
  readonly fields: readonly string[];
  /** The file path or package name the preset came from, when it was loaded. */
  readonly source: string | undefined;

  constructor(code: PresetErrorCode, message: string, options: PresetErrorOptions = {}) {
    const { presetId, fields, source, ...rest } = options;
    super(code, message, rest);
    this.name = 'PresetError';
    this.presetId = presetId;
    this.fields = Object.freeze([...(fields ?? [])]);
    this.source = source;
  }
}
