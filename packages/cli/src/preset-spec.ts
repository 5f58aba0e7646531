import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAuthorizerError } from '@oauth-authorizer/core';
import {
  builtInPresets,
  loadPreset,
  PRESET_NOT_FOUND,
  type Preset,
  PresetError,
} from '@oauth-authorizer/presets';
import { closestWord } from './suggestions.js';

/**
 * Splits `spec#id` (a module that exports several presets, and the one to take) into its parts.
 */
function splitSpec(spec: string): { name: string; id: string | undefined } {
  const hash = spec.lastIndexOf('#');
  return hash > 0
    ? { name: spec.slice(0, hash), id: spec.slice(hash + 1) || undefined }
    : { name: spec, id: undefined };
}

function looksLikePath(name: string): boolean {
  if (name.startsWith('@')) return false;
  return name.startsWith('.') || isAbsolute(name) || /[\\/]/.test(name) || /\.(?:m?js|cjs|json)$/i.test(name);
}

/**
 * The preset spec as it is kept with an account: built-in ids and package names as given, file
 * paths made absolute, so that the account works from any directory.
 *
 * @example
 * ```ts
 * normalizePresetSpec('./acme.json', '/home/me'); // '/home/me/acme.json'
 * normalizePresetSpec('google', '/home/me'); // 'google'
 * ```
 */
export function normalizePresetSpec(spec: string, cwd: string): string {
  const { name, id } = splitSpec(spec.trim());
  const normalized = looksLikePath(name) && !name.startsWith('file:') ? resolve(cwd, name) : name;
  return id === undefined ? normalized : `${normalized}#${id}`;
}

/**
 * Loads a preset by built-in id, package name (`oauth-authorizer-preset-acme`) or file path, with
 * an optional `#id` to choose among several exported presets. Packages are looked for from `cwd`
 * up, then from the CLI's own installation (so globally installed presets are found).
 *
 * @throws {PresetError} the `PRESET_*` errors of `loadPreset` (exit code 2).
 *
 * @example
 * ```ts
 * const preset = await loadPresetSpec('oauth-authorizer-preset-acme#acme-eu', process.cwd());
 * ```
 */
export async function loadPresetSpec(spec: string, cwd: string): Promise<Preset> {
  const { name, id } = splitSpec(spec);
  try {
    return await loadPreset(name, {
      cwd,
      searchPaths: [dirname(fileURLToPath(import.meta.url))],
      ...(id !== undefined && { id }),
    });
  } catch (error) {
    throw withPresetSuggestion(error, name, id);
  }
}

/** An unknown bare preset name that is a typo of a built-in id (`gogle`) gets that id as its hint. */
function withPresetSuggestion(error: unknown, name: string, id: string | undefined): unknown {
  if (!isAuthorizerError(error, PRESET_NOT_FOUND) || id !== undefined || looksLikePath(name)) return error;
  const near = closestWord(
    name,
    builtInPresets.map((preset) => preset.id),
  );
  if (near === undefined) return error;
  return new PresetError(PRESET_NOT_FOUND, error.message, {
    hint: `did you mean "${near}"? (the built-in presets: oauth-authorizer presets)`,
    cause: error,
  });
}
