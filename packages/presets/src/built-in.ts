import { PRESET_NOT_FOUND, PresetError } from './errors.js';
import type { Preset } from './preset.js';
import { aol } from './providers/aol.js';
import { custom } from './providers/custom.js';
import { fastmail } from './providers/fastmail.js';
import { github } from './providers/github.js';
import { google } from './providers/google.js';
import { mailru } from './providers/mailru.js';
import { microsoft } from './providers/microsoft.js';
import { yahoo } from './providers/yahoo.js';
import { yandex } from './providers/yandex.js';
import { zoho } from './providers/zoho.js';

/**
 * Every built-in preset, `custom` last.
 *
 * @example
 * ```ts
 * for (const preset of builtInPresets) console.log(preset.id, preset.name);
 * ```
 */
export const builtInPresets: readonly Preset[] = Object.freeze([
  google,
  microsoft,
  yahoo,
  aol,
  fastmail,
  zoho,
  yandex,
  mailru,
  github,
  custom,
]);

/**
 * The built-in preset with this id, or `undefined`.
 *
 * @example
 * ```ts
 * const preset = getBuiltInPreset('google');
 * ```
 */
export function getBuiltInPreset(id: string): Preset | undefined {
  return builtInPresets.find((preset) => preset.id === id);
}

/**
 * The built-in preset with this id; throws when there is none.
 *
 * @throws {PresetError} `PRESET_NOT_FOUND`, listing the ids there are.
 * @example
 * ```ts
 * const preset = requireBuiltInPreset(options.preset ?? 'custom');
 * ```
 */
export function requireBuiltInPreset(id: string): Preset {
  const preset = getBuiltInPreset(id);
  if (preset) return preset;
  throw new PresetError(
    PRESET_NOT_FOUND,
    `there is no built-in preset "${id}"; the built-in presets are ${builtInPresets.map((p) => p.id).join(', ')}`,
    {
      hint: 'name a built-in preset, an installed oauth-authorizer-preset-<name> package, or a .js/.mjs/.json file',
    },
  );
}
