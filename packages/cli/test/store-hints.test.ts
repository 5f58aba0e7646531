import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizerError, FileTokenStore } from '@oauth-authorizer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hintWithCommand } from '../src/errors.js';

// Core's store hints name no command (a service using core may have no CLI); the CLI adds its own.

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-store-hints-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('hintWithCommand()', () => {
  it("adds the authorize command to core's neutral hint of a corrupt token file", async () => {
    const store = new FileTokenStore({ directory: join(root, 'accounts') });
    await mkdir(store.directory, { recursive: true, mode: 0o700 });
    await writeFile(store.pathOf("bob's mail"), 'garbage', { mode: 0o600 });
    const error = await store.get("bob's mail").then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AuthorizerError);
    const { hint } = error as AuthorizerError;
    expect(hint).not.toContain('oauth-authorizer');
    expect(hintWithCommand(hint, "bob's mail")).toBe(
      `inspect or move the file away, then authorize the account again: oauth-authorizer authorize 'bob'\\''s mail'`,
    );
    expect(hintWithCommand(hint, undefined)).toMatch(/: oauth-authorizer authorize <account>$/);
  });

  it("replaces the token manager's bare 'authorize the account again' by the command to run", () => {
    expect(hintWithCommand('authorize the account again', "bob's mail")).toBe(
      `run: oauth-authorizer authorize 'bob'\\''s mail'`,
    );
  });

  it('leaves every other hint as it is', () => {
    expect(hintWithCommand('check the network connection', 'me')).toBe('check the network connection');
    expect(hintWithCommand(undefined, 'me')).toBeUndefined();
  });
});
