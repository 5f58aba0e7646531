import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  google,
  loadPreset,
  loadPresets,
  PRESET_AMBIGUOUS,
  PRESET_ID_CLASH,
  PRESET_INVALID,
  PRESET_LOAD_FAILED,
  PRESET_NO_PRESETS,
  PRESET_NOT_FOUND,
  PresetError,
} from '@oauth-authorizer/presets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let root: string;
/** A project directory with its own node_modules, and a sub-directory to start from. */
let project: string;
let subdirectory: string;

const acme = {
  id: 'acme',
  name: 'Acme Mail',
  authorizationUrl: 'https://id.acme.example/authorize',
  tokenUrl: 'https://id.acme.example/token',
  scopes: ['mail'],
  flows: ['code'],
};
const beta = { ...acme, id: 'beta', name: 'Beta Mail' };

async function write(path: string, text: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

async function writePackage(name: string, files: Record<string, string>, base = project): Promise<void> {
  for (const [file, text] of Object.entries(files)) await write(join(base, 'node_modules', name, file), text);
}

async function failure(promise: Promise<unknown>): Promise<PresetError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PresetError);
    return error as PresetError;
  }
  throw new Error('loading succeeded where it should fail');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'presets-load-'));
  project = join(root, 'project');
  subdirectory = join(project, 'config', 'mail');
  await mkdir(subdirectory, { recursive: true });
  const files: Record<string, string> = {
    'acme.mjs': `export default ${JSON.stringify(acme)};\n`,
    'several.mjs': `export const acme = ${JSON.stringify(acme)};\nexport const beta = ${JSON.stringify(beta)};\nexport const helper = () => 1;\nexport const answer = 42;\n`,
    'listed.mjs': `export default [${JSON.stringify(acme)}, ${JSON.stringify(beta)}];\n`,
    'same-twice.mjs': `const acme = ${JSON.stringify(acme)};\nexport const first = acme;\nexport default acme;\n`,
    'acme.json': `${JSON.stringify(acme, null, 2)}\n`,
    'listed.json': JSON.stringify([acme, beta]),
    'syntax-error.mjs': 'export default { id: "acme", name: \n',
    'throws.mjs': 'throw new Error("the preset module is broken on purpose");\n',
    'nothing.mjs': 'export const answer = 42;\nexport function helper() { return "no preset here"; }\n',
    'invalid.mjs': `export default ${JSON.stringify({ ...acme, tokenUrl: 'http://id.acme.example/token' })};\n`,
    'clash.mjs': `export default ${JSON.stringify({ ...acme, id: 'google', name: 'Not Google' })};\n`,
    'duplicate.mjs': `export const one = ${JSON.stringify(acme)};\nexport const two = ${JSON.stringify({ ...acme, name: 'Acme again' })};\n`,
    'not-objects.mjs': `export default [${JSON.stringify(acme)}, "beta"];\n`,
    'broken.json':
      '{\n  "id": "acme",\n  "clientSecret": "hush-0123456789",\n  "name": "Acme" "flows": ["code"]\n}\n',
    'truncated.json': '{ "id": "acme", "clientSecret": "hush-0123456789"',
    'number.json': '42\n',
    'acme.yaml': 'id: acme\n',
  };
  for (const [name, text] of Object.entries(files)) await write(join(subdirectory, name), text);
  await mkdir(join(subdirectory, 'folder.json'));

  await writePackage('oauth-authorizer-preset-acme', {
    'package.json': JSON.stringify({
      name: 'oauth-authorizer-preset-acme',
      version: '1.0.0',
      type: 'module',
      exports: {
        '.': {
          import: { types: './dist/index.d.ts', default: './dist/index.js' },
          require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
        },
        './package.json': './package.json',
      },
    }),
    'dist/index.js': `export const acme = ${JSON.stringify(acme)};\nexport default acme;\n`,
  });
  await writePackage('@example/oauth-authorizer-preset-mail', {
    'package.json': JSON.stringify({
      name: '@example/oauth-authorizer-preset-mail',
      version: '1.0.0',
      main: 'lib/presets.mjs',
    }),
    'lib/presets.mjs': `export default [${JSON.stringify(acme)}, ${JSON.stringify(beta)}];\n`,
  });
  await writePackage('oauth-authorizer-preset-json', {
    'package.json': JSON.stringify({
      name: 'oauth-authorizer-preset-json',
      version: '1.0.0',
      main: 'preset.json',
    }),
    'preset.json': JSON.stringify(beta),
  });
  await writePackage('oauth-authorizer-preset-missing-entry', {
    'package.json': JSON.stringify({
      name: 'oauth-authorizer-preset-missing-entry',
      version: '1.0.0',
      main: 'gone.js',
    }),
  });
  await writePackage('oauth-authorizer-preset-bad-manifest', { 'package.json': '{ "name": ' });
  await writePackage('oauth-authorizer-preset-throws', {
    'package.json': JSON.stringify({
      name: 'oauth-authorizer-preset-throws',
      type: 'module',
      exports: './index.js',
    }),
    'index.js': 'throw new TypeError("cannot start");\n',
  });
  await writePackage(
    'oauth-authorizer-preset-elsewhere',
    {
      'package.json': JSON.stringify({
        name: 'oauth-authorizer-preset-elsewhere',
        type: 'module',
        exports: './index.js',
      }),
      'index.js': `export default ${JSON.stringify({ ...acme, id: 'elsewhere' })};\n`,
    },
    join(root, 'global'),
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loading presets that work', () => {
  it('loadPreset() gives the built-in preset for a built-in id', async () => {
    expect(await loadPreset('google')).toBe(google);
  });

  it('loadPreset() loads the default export of an .mjs file, relative to cwd', async () => {
    const preset = await loadPreset('./acme.mjs', { cwd: subdirectory });
    expect(preset).toMatchObject({ id: 'acme', flows: ['code'], scopes: { default: ['mail'] } });
    expect(Object.isFrozen(preset)).toBe(true);
  });

  it('loadPreset() loads a .json file holding one preset, by absolute path', async () => {
    const preset = await loadPreset(join(subdirectory, 'acme.json'));
    expect(preset.tokenUrl).toBe('https://id.acme.example/token');
  });

  it('loadPresets() returns every preset of a module with several named exports, ignoring other exports', async () => {
    const presets = await loadPresets('./several.mjs', { cwd: subdirectory });
    expect(presets.map((preset) => preset.id)).toEqual(['acme', 'beta']);
  });

  it('loadPresets() returns every preset of an exported array and of a JSON array', async () => {
    expect((await loadPresets('./listed.mjs', { cwd: subdirectory })).map((p) => p.id)).toEqual([
      'acme',
      'beta',
    ]);
    expect((await loadPresets('./listed.json', { cwd: subdirectory })).map((p) => p.id)).toEqual([
      'acme',
      'beta',
    ]);
  });

  it('loadPreset() chooses by id among several presets', async () => {
    expect((await loadPreset('./several.mjs', { cwd: subdirectory, id: 'beta' })).name).toBe('Beta Mail');
  });

  it('loadPreset() counts one object exported under two names once', async () => {
    expect((await loadPreset('./same-twice.mjs', { cwd: subdirectory })).id).toBe('acme');
  });

  it('loadPreset() loads a package from node_modules found walking up from cwd, through its exports map', async () => {
    const preset = await loadPreset('oauth-authorizer-preset-acme', { cwd: subdirectory });
    expect(preset.id).toBe('acme');
  });

  it('loadPresets() loads a scoped package through its main field', async () => {
    const presets = await loadPresets('@example/oauth-authorizer-preset-mail', { cwd: project });
    expect(presets.map((preset) => preset.id)).toEqual(['acme', 'beta']);
  });

  it('loadPreset() loads a package whose entry is a JSON preset', async () => {
    expect((await loadPreset('oauth-authorizer-preset-json', { cwd: project })).id).toBe('beta');
  });

  it('loadPreset() looks in the search paths after cwd, for globally installed presets', async () => {
    const preset = await loadPreset('oauth-authorizer-preset-elsewhere', {
      cwd: project,
      searchPaths: [join(root, 'global')],
    });
    expect(preset.id).toBe('elsewhere');
  });
});

describe('loading presets that fail', () => {
  it('loadPreset() names the known built-in ids for an unknown id', async () => {
    const error = await failure(loadPreset('gmail'));
    expect(error.code).toBe(PRESET_NOT_FOUND);
    expect(error.message).toContain('unknown preset "gmail"');
    expect(error.message).toContain(
      'google, microsoft, yahoo, aol, fastmail, zoho, yandex, mailru, github, custom',
    );
    expect(error.hint).toContain('oauth-authorizer-preset-gmail');
  });

  it('loadPreset() says a package is not installed, and how to install it', async () => {
    const error = await failure(loadPreset('oauth-authorizer-preset-nowhere', { cwd: project }));
    expect(error.code).toBe(PRESET_NOT_FOUND);
    expect(error.message).toContain('preset package "oauth-authorizer-preset-nowhere" is not installed');
    expect(error.hint).toBe('install it first: npm install oauth-authorizer-preset-nowhere');
  });

  it('loadPreset() says a file does not exist, naming the full path', async () => {
    const error = await failure(loadPreset('./missing.json', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_NOT_FOUND);
    expect(error.message).toContain(join(subdirectory, 'missing.json'));
  });

  it('loadPreset() refuses a file type it cannot load', async () => {
    const error = await failure(loadPreset('./acme.yaml', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_LOAD_FAILED);
    expect(error.message).toContain('must end in .js, .mjs, .cjs or .json');
  });

  it('loadPreset() reports a module with a syntax error, naming the file', async () => {
    const error = await failure(loadPreset('./syntax-error.mjs', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_LOAD_FAILED);
    expect(error.message).toContain(
      `preset file "${join(subdirectory, 'syntax-error.mjs')}" could not be imported`,
    );
    expect(error.source).toBe(`preset file "${join(subdirectory, 'syntax-error.mjs')}"`);
  });

  it('loadPreset() reports a module that throws while it is imported, with what it threw', async () => {
    const error = await failure(loadPreset('./throws.mjs', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_LOAD_FAILED);
    expect(error.message).toContain('the preset module is broken on purpose');
  });

  it('loadPreset() reports a package that throws while it is imported, naming the package', async () => {
    const error = await failure(loadPreset('oauth-authorizer-preset-throws', { cwd: project }));
    expect(error.code).toBe(PRESET_LOAD_FAILED);
    expect(error.message).toContain(
      'preset package "oauth-authorizer-preset-throws" could not be imported: TypeError: cannot start',
    );
  });

  it('loadPreset() reports a module that exports no preset', async () => {
    const error = await failure(loadPreset('./nothing.mjs', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_NO_PRESETS);
    expect(error.message).toContain('exports no preset');
  });

  it('loadPreset() reports an invalid preset, naming the file, the preset and the field', async () => {
    const error = await failure(loadPreset('./invalid.mjs', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_INVALID);
    expect(error.fields).toEqual(['tokenUrl']);
    expect(error.presetId).toBe('acme');
    expect(error.message).toContain(
      `preset file "${join(subdirectory, 'invalid.mjs')}": preset "acme" is invalid: "tokenUrl"`,
    );
  });

  it('loadPreset() refuses a preset whose id is a built-in id', async () => {
    const error = await failure(loadPreset('./clash.mjs', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_ID_CLASH);
    expect(error.message).toContain('"google" is a built-in preset');
  });

  it('loadPresets() refuses a module that declares one id twice', async () => {
    const error = await failure(loadPresets('./duplicate.mjs', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_ID_CLASH);
    expect(error.message).toContain('declares the preset id "acme" twice');
  });

  it('loadPresets() refuses an exported array with something else than preset objects', async () => {
    const error = await failure(loadPresets('./not-objects.mjs', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_INVALID);
    expect(error.message).toContain('item 2 is not a preset object');
  });

  it('loadPreset() asks to choose when a module exports several presets', async () => {
    const error = await failure(loadPreset('./several.mjs', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_AMBIGUOUS);
    expect(error.message).toContain('exports 2 presets (acme, beta)');
    const unknown = await failure(loadPreset('./several.mjs', { cwd: subdirectory, id: 'gamma' }));
    expect(unknown.code).toBe(PRESET_NOT_FOUND);
    expect(unknown.message).toContain('has no preset "gamma"; it has acme, beta');
  });

  it('loadPreset() reports JSON that does not parse with its position, without quoting the file', async () => {
    const error = await failure(loadPreset('./broken.json', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_LOAD_FAILED);
    expect(error.message).toMatch(/is not valid JSON/);
    expect(error.message).toContain('line 4');
    expect(error.message).not.toContain('hush');
    const truncated = await failure(loadPreset('./truncated.json', { cwd: subdirectory }));
    expect(truncated.code).toBe(PRESET_LOAD_FAILED);
    expect(truncated.message).not.toContain('hush');
  });

  it('loadPreset() refuses a JSON file that holds no preset object', async () => {
    expect((await failure(loadPreset('./number.json', { cwd: subdirectory }))).code).toBe(PRESET_NO_PRESETS);
  });

  it('loadPreset() refuses a path that is a directory, not a file', async () => {
    const error = await failure(loadPreset('./folder.json', { cwd: subdirectory }));
    expect(error.code).toBe(PRESET_LOAD_FAILED);
    expect(error.message).toContain('is not a file');
  });

  it('loadPreset() reports a package whose entry file is missing or whose package.json is broken', async () => {
    const missing = await failure(loadPreset('oauth-authorizer-preset-missing-entry', { cwd: project }));
    expect(missing.code).toBe(PRESET_LOAD_FAILED);
    expect(missing.message).toContain('names an entry that does not exist: gone.js');
    const manifest = await failure(loadPreset('oauth-authorizer-preset-bad-manifest', { cwd: project }));
    expect(manifest.code).toBe(PRESET_LOAD_FAILED);
    expect(manifest.message).toContain('(its package.json) is not valid JSON');
  });
});
