import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  definePreset,
  findPresetByEmail,
  loadPreset,
  loadPresets,
  PRESET_REQUEST_REJECTED,
  type Preset,
  PresetError,
  resolvePreset,
} from '@oauth-authorizer/presets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')) as Record<
  string,
  unknown
>;
let project: string;

beforeAll(async () => {
  // Users get the built package: test that, not the TypeScript source.
  expect(
    existsSync(join(packageDirectory, 'dist', 'index.js')),
    'build the template first: `pnpm build` at the root, or `npx tsup` in examples/community-preset',
  ).toBe(true);
  // A project that has installed the package, the way npm links it into node_modules.
  project = await mkdtemp(join(tmpdir(), 'community-preset-'));
  await mkdir(join(project, 'node_modules'));
  await symlink(packageDirectory, join(project, 'node_modules', 'oauth-authorizer-preset-acme'), 'dir');
});

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the community preset template', () => {
  it('loadPreset() loads the template by its package name, as the CLI does for --preset', async () => {
    const preset = await loadPreset('oauth-authorizer-preset-acme', { cwd: project });
    expect(preset).toMatchObject({ id: 'acme', name: 'Acme Mail', flows: ['code', 'device'] });
    expect(typeof preset.hooks.validateRequest).toBe('function');
    expect(Object.isFrozen(preset)).toBe(true);
  });

  it('loadPresets() counts the default and the named export of the same preset once', async () => {
    const presets = await loadPresets('oauth-authorizer-preset-acme', { cwd: project });
    expect(presets.map((preset) => preset.id)).toEqual(['acme']);
  });

  it("resolvePreset() fills the template's region into its endpoints and mail servers", async () => {
    const preset = await loadPreset('oauth-authorizer-preset-acme', { cwd: project });
    const resolved = resolvePreset(preset, { clientId: 'my-app', parameters: { region: 'eu' } });
    expect(resolved.provider.tokenUrl).toBe('https://id.eu.acme.example/oauth2/token');
    expect(resolved.provider.scopes).toEqual(['https://mail.acme.example/mail', 'offline_access']);
    expect(resolved.mail).toEqual({
      imap: { host: 'imap.eu.acme.example', port: 993, tls: 'implicit' },
      smtp: { host: 'smtp.eu.acme.example', port: 587, tls: 'starttls' },
      pop3: { host: 'pop.eu.acme.example', port: 995, tls: 'implicit' },
      sasl: 'OAUTHBEARER',
    });
    expect(resolved.redirectUrl).toBe('http://127.0.0.1/callback');
  });

  it("the template's hook refuses, at resolution, a request Acme would refuse", async () => {
    const preset = await loadPreset('oauth-authorizer-preset-acme', { cwd: project });
    try {
      resolvePreset(preset, { clientId: 'my-app', flow: 'device', scopes: ['pop'] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PresetError);
      expect((error as PresetError).code).toBe(PRESET_REQUEST_REJECTED);
      expect((error as PresetError).message).toContain('preset "acme" refuses this request');
    }
  });

  it('findPresetByEmail() suggests the loaded template, with the region its domain implies', async () => {
    const preset: Preset = await loadPreset('oauth-authorizer-preset-acme', { cwd: project });
    expect(findPresetByEmail('me@acme.eu.example', { presets: [preset] })?.parameters).toEqual({
      region: 'eu',
    });
  });

  it('the CommonJS build exports the same preset for require()', () => {
    const required = createRequire(join(project, 'index.js'))('oauth-authorizer-preset-acme') as {
      acme: Preset;
      default: Preset;
    };
    expect(required.default).toBe(required.acme);
    expect(definePreset(required.acme).tokenUrl).toBe('https://id.{region}.acme.example/oauth2/token');
  });

  it('package.json follows the naming and dependency rules of community presets', () => {
    expect(manifest.name).toMatch(/^(?:@[a-z0-9-]+\/)?oauth-authorizer-preset-[a-z0-9-]+$/);
    expect(manifest.peerDependencies).toEqual({ '@oauth-authorizer/presets': '^0.1.0' });
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.keywords).toContain('oauth-authorizer-preset');
    expect(manifest.files).toEqual(['dist']);
  });
});
