import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtInPresets, getBuiltInPreset } from './built-in.js';
import { isRecord } from './checks.js';
import { definePreset } from './define-preset.js';
import {
  PRESET_AMBIGUOUS,
  PRESET_ID_CLASH,
  PRESET_INVALID,
  PRESET_LOAD_FAILED,
  PRESET_NO_PRESETS,
  PRESET_NOT_FOUND,
  PresetError,
} from './errors.js';
import { entryFile, findPackageDirectory, packageEntry } from './package-entry.js';
import type { Preset, PresetDefinition } from './preset.js';

/** Options of {@link loadPresets}. */
export interface LoadPresetsOptions {
  /** Where relative paths start and where `node_modules` are looked for first. Default: `process.cwd()` */
  cwd?: string;
  /**
   * More directories to look for packages from, walking up each one's `node_modules` as Node
   * does: e.g. the CLI's own installation, so that globally installed presets are found too.
   * Default: none
   */
  searchPaths?: readonly string[];
}

/** Options of {@link loadPreset}. */
export interface LoadPresetOptions extends LoadPresetsOptions {
  /** Which preset to take when the module exports several. */
  id?: string;
}

/** `oauth-authorizer-preset-<name>` or `@scope/oauth-authorizer-preset-<name>`. */
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?oauth-authorizer-preset-[a-z0-9][a-z0-9._~-]*$/;
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];
interface Loaded {
  presets: readonly Preset[];
  /** How messages name where the presets came from. */
  source: string;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = text.split('\n')[0] ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * Describes a JSON syntax error without quoting the text: a preset file may hold a client
 * secret, and V8 quotes a piece of the input in some of its messages.
 */
function jsonSyntaxProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input/i.test(message)) return 'is not valid JSON: it ends too early';
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return 'is not valid JSON';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `is not valid JSON (line ${line}, column ${column})`;
}

function looksLikePreset(value: unknown): boolean {
  return isRecord(value) && typeof value.id === 'string';
}

/**
 * Everything a module exports that may be a preset: the default export (a preset, an array of
 * presets, or a CommonJS `module.exports` object holding them) and every named export that is a
 * preset or an array. Other exports (helpers, constants) are left alone.
 */
function candidatesOfModule(module: Record<string, unknown>): unknown[] {
  const found = new Set<unknown>();
  const add = (value: unknown) => {
    if (Array.isArray(value)) for (const item of value) found.add(item);
    else if (looksLikePreset(value)) found.add(value);
  };
  if (Object.hasOwn(module, 'default')) {
    const fallback = module.default;
    if (Array.isArray(fallback) || looksLikePreset(fallback)) add(fallback);
    else if (isRecord(fallback)) for (const value of Object.values(fallback)) add(value);
  }
  for (const [name, value] of Object.entries(module)) {
    if (name !== 'default' && name !== 'module.exports') add(value);
  }
  return [...found];
}

function candidatesOfJson(value: unknown, source: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value)) return [value];
  throw new PresetError(
    PRESET_NO_PRESETS,
    `${source} holds no preset: it must hold a preset object or an array of preset objects`,
    { source },
  );
}

/** Validates every candidate and checks the ids: unique, and none taken by a built-in preset. */
function validate(candidates: readonly unknown[], source: string): Preset[] {
  if (candidates.length === 0) {
    throw new PresetError(
      PRESET_NO_PRESETS,
      `${source} exports no preset: export one made with definePreset() (as the default or a named export), or an array of them`,
      { source },
    );
  }
  const presets = candidates.map((candidate, index) => {
    if (!isRecord(candidate)) {
      throw new PresetError(
        PRESET_INVALID,
        `${source}: item ${index + 1} is not a preset object, got ${Array.isArray(candidate) ? 'an array' : typeof candidate}`,
        { source },
      );
    }
    try {
      // Presets made by another copy of this package are defined again: validation is
      // idempotent, and nothing else can tell a real preset from a look-alike.
      return definePreset(candidate as unknown as PresetDefinition);
    } catch (error) {
      if (error instanceof PresetError) {
        throw new PresetError(error.code as typeof PRESET_INVALID, `${source}: ${error.message}`, {
          presetId: error.presetId,
          fields: error.fields,
          source,
        });
      }
      throw error;
    }
  });
  const seen = new Set<string>();
  for (const preset of presets) {
    if (getBuiltInPreset(preset.id)) {
      throw new PresetError(
        PRESET_ID_CLASH,
        `${source} declares the preset "${preset.id}", but "${preset.id}" is a built-in preset; give it another id`,
        { presetId: preset.id, fields: ['id'], source },
      );
    }
    if (seen.has(preset.id)) {
      throw new PresetError(PRESET_ID_CLASH, `${source} declares the preset id "${preset.id}" twice`, {
        presetId: preset.id,
        fields: ['id'],
        source,
      });
    }
    seen.add(preset.id);
  }
  return presets;
}

async function importModule(path: string, source: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PresetError(PRESET_LOAD_FAILED, `${source} could not be imported: ${firstLine(error)}`, {
      source,
      cause: error,
    });
  }
}

async function readJson(path: string, source: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PresetError(PRESET_LOAD_FAILED, `${source} could not be read${code ? ` (${code})` : ''}`, {
      source,
    });
  }
  text = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PresetError(PRESET_LOAD_FAILED, `${source} ${jsonSyntaxProblem(error, text)}`, { source });
  }
}

async function loadFile(spec: string, cwd: string): Promise<Loaded> {
  const path = spec.startsWith('file:') ? fileURLToPath(spec) : resolve(cwd, spec);
  const source = `preset file "${path}"`;
  const extension = extname(path).toLowerCase();
  if (extension !== '.json' && !MODULE_EXTENSIONS.includes(extension)) {
    throw new PresetError(PRESET_LOAD_FAILED, `${source} must end in .js, .mjs, .cjs or .json`, { source });
  }
  let kind: 'file' | 'other' | 'missing';
  try {
    kind = (await stat(path)).isFile() ? 'file' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new PresetError(PRESET_LOAD_FAILED, `${source} could not be read (${code ?? 'unknown error'})`, {
        source,
      });
    }
    kind = 'missing';
  }
  if (kind === 'missing') {
    throw new PresetError(PRESET_NOT_FOUND, `there is no ${source}`, {
      source,
      hint: 'check the path; a relative path starts from the current directory',
    });
  }
  if (kind === 'other') throw new PresetError(PRESET_LOAD_FAILED, `${source} is not a file`, { source });
  const candidates =
    extension === '.json'
      ? candidatesOfJson(await readJson(path, source), source)
      : candidatesOfModule(await importModule(path, source));
  return { presets: validate(candidates, source), source };
}

async function loadPackage(name: string, cwd: string, searchPaths: readonly string[]): Promise<Loaded> {
  const source = `preset package "${name}"`;
  const directory = await findPackageDirectory(name, [cwd, ...searchPaths]);
  if (!directory) {
    throw new PresetError(
      PRESET_NOT_FOUND,
      `${source} is not installed (looked in node_modules from ${cwd} up)`,
      {
        source,
        hint: `install it first: npm install ${name}`,
      },
    );
  }
  const manifest = await readJson(join(directory, 'package.json'), `${source} (its package.json)`);
  if (!isRecord(manifest)) {
    throw new PresetError(PRESET_LOAD_FAILED, `${source} has a package.json that is not an object`, {
      source,
    });
  }
  const entry = packageEntry(manifest);
  if (entry === undefined) {
    throw new PresetError(
      PRESET_LOAD_FAILED,
      `${source} has no main entry for Node's import (check "exports")`,
      {
        source,
      },
    );
  }
  const path = await entryFile(directory, entry);
  if (path === 'outside') {
    throw new PresetError(PRESET_LOAD_FAILED, `${source} points its entry outside the package`, { source });
  }
  if (path === undefined) {
    throw new PresetError(PRESET_LOAD_FAILED, `${source} names an entry that does not exist: ${entry}`, {
      source,
    });
  }
  const candidates =
    extname(path).toLowerCase() === '.json'
      ? candidatesOfJson(await readJson(path, source), source)
      : candidatesOfModule(await importModule(path, source));
  return { presets: validate(candidates, source), source };
}

function looksLikePath(spec: string): boolean {
  return (
    spec.startsWith('.') ||
    spec.startsWith('file:') ||
    isAbsolute(spec) ||
    spec.includes('/') ||
    spec.includes('\\') ||
    /\.(?:m?js|cjs|json)$/i.test(spec)
  );
}

async function load(spec: string, options: LoadPresetsOptions): Promise<Loaded> {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new TypeError('a preset is named by a built-in id, a package name or a file path');
  }
  const cwd = options.cwd ?? process.cwd();
  const builtIn = getBuiltInPreset(spec);
  if (builtIn) return { presets: [builtIn], source: `built-in preset "${spec}"` };
  if (PACKAGE_NAME.test(spec)) return loadPackage(spec, cwd, options.searchPaths ?? []);
  if (looksLikePath(spec)) return loadFile(spec, cwd);
  const ids = builtInPresets.map((preset) => preset.id).join(', ');
  throw new PresetError(
    PRESET_NOT_FOUND,
    `unknown preset "${spec}": the built-in presets are ${ids}; community presets are named oauth-authorizer-preset-<name> or given as a path to a .js, .mjs or .json file`,
    {
      hint: /^[a-z0-9][a-z0-9._-]*$/.test(spec)
        ? `for a community preset, try oauth-authorizer-preset-${spec}`
        : 'give a preset id, a package name or a file path',
    },
  );
}

/**
 * Loads every preset that a built-in id, an installed package or a file names.
 *
 * - A built-in id (`google`) gives that preset.
 * - A package name (`oauth-authorizer-preset-acme`, `@scope/oauth-authorizer-preset-acme`) is
 *   looked for in `node_modules` from `cwd` up (then from each of `searchPaths`) and imported
 *   through its `exports` (conditions `node`, `import`, `default`) or `main`.
 * - A path (`./acme.mjs`, `/etc/acme.json`, relative to `cwd`) to a `.js`, `.mjs`, `.cjs` or
 *   `.json` file is imported, or parsed as JSON.
 *
 * A module's default export and named exports may each be a preset or an array of presets; a
 * JSON file holds one preset object or an array. Each is validated with {@link definePreset},
 * so plain objects work as well as presets made with it.
 *
 * @throws {PresetError} `PRESET_NOT_FOUND` (the message lists the built-in ids), `PRESET_LOAD_FAILED`
 *   (unreadable, not JSON, a syntax error, the module threw), `PRESET_NO_PRESETS`, `PRESET_INVALID`,
 *   `PRESET_ID_CLASH` (a built-in id, or one id twice). Messages name the file or package.
 * @example
 * ```ts
 * const presets = await loadPresets('oauth-authorizer-preset-acme');
 * console.log(presets.map((preset) => preset.id));
 * ```
 */
export async function loadPresets(
  spec: string,
  options: LoadPresetsOptions = {},
): Promise<readonly Preset[]> {
  return Object.freeze([...(await load(spec, options)).presets]);
}

/**
 * Loads one preset by built-in id, package name or file path (see {@link loadPresets}). When the
 * module exports several presets, `id` chooses one.
 *
 * @throws {PresetError} as {@link loadPresets}; also `PRESET_AMBIGUOUS` when several presets are
 *   exported and no `id` was given, and `PRESET_NOT_FOUND` when none has that `id`.
 * @example
 * ```ts
 * const preset = await loadPreset('./presets/acme.json');
 * const { provider } = resolvePreset(preset, { clientId: 'my-app' });
 * ```
 */
export async function loadPreset(spec: string, options: LoadPresetOptions = {}): Promise<Preset> {
  const { presets, source } = await load(spec, options);
  const ids = presets.map((preset) => preset.id);
  if (options.id !== undefined) {
    const chosen = presets.find((preset) => preset.id === options.id);
    if (chosen) return chosen;
    throw new PresetError(
      PRESET_NOT_FOUND,
      `${source} has no preset "${options.id}"; it has ${ids.join(', ')}`,
      {
        presetId: options.id,
        source,
      },
    );
  }
  const [only] = presets;
  if (presets.length === 1 && only) return only;
  throw new PresetError(
    PRESET_AMBIGUOUS,
    `${source} exports ${presets.length} presets (${ids.join(', ')}); choose one by its id`,
    { source, hint: `choose one of: ${ids.join(', ')}` },
  );
}
