import { describe, expect, it, vi } from 'vitest';
import { LoginGuard } from '../src/login-guard.js';
import { hashPassword, verifyPassword } from '../src/password-hash.js';

// The guard's scrypt runs, counted: the real verifyPassword, behind a spy.
vi.mock('../src/password-hash.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/password-hash.js')>();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});

describe('LoginGuard', () => {
  it('answers a wrong password and an unknown user after the same fixed delay', async () => {
    const passwordHash = await hashPassword('right', { N: 1024 });
    const guard = new LoginGuard(
      { printer: { account: 'a', mailbox: 'a', passwordHash } },
      { authFailureDelay: 0.2, maxAuthFailureDelay: 10 },
    );
    for (const [address, user, password] of [
      ['10.0.0.1', 'printer', 'wrong'],
      ['10.0.0.2', 'nobody', 'right'],
      ['10.0.0.3', 'printer', ''],
    ] as const) {
      const started = Date.now();
      await expect(guard.check(address, user, password, undefined)).resolves.toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    }
    await expect(guard.check('10.0.0.4', 'printer', 'right', undefined)).resolves.toMatchObject({
      account: 'a',
    });
    await expect(guard.check('10.0.0.4', 'printer', 'right', ['someone-else'])).resolves.toBeUndefined();
  });

  it('doubles the delay with each failure from one address, up to the maximum, and forgets it on success', async () => {
    const passwordHash = await hashPassword('right', { N: 1024 });
    const guard = new LoginGuard(
      { printer: { account: 'a', mailbox: 'a', passwordHash } },
      { authFailureDelay: 0.01, maxAuthFailureDelay: 0.05 },
    );
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      delays.push(guard.failureDelay('10.0.0.9'));
      await guard.check('10.0.0.9', 'printer', 'wrong', undefined);
    }
    expect(delays).toEqual([10, 20, 40, 50, 50]);
    expect(guard.failureDelay('10.0.0.8')).toBe(10);
    await guard.check('10.0.0.9', 'printer', 'right', undefined);
    expect(guard.failureDelay('10.0.0.9')).toBe(10);
  });

  it('runs scrypt once for concurrent and repeated logins with the same password, and never accepts another one from memory', async () => {
    const passwordHash = await hashPassword('right', { N: 16_384 });
    const guard = new LoginGuard(
      { printer: { account: 'a', mailbox: 'a', passwordHash } },
      { authFailureDelay: 0, maxAuthFailureDelay: 0 },
    );
    const scryptRuns = vi.mocked(verifyPassword);
    scryptRuns.mockClear();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => guard.check('10.0.0.5', 'printer', 'right', undefined)),
    );
    expect(results.every((user) => user?.account === 'a')).toBe(true);
    expect(scryptRuns).toHaveBeenCalledTimes(1);
    await expect(guard.check('10.0.0.5', 'printer', 'right', undefined)).resolves.toBeDefined();
    expect(scryptRuns).toHaveBeenCalledTimes(1);
    await expect(guard.check('10.0.0.5', 'printer', 'righ', undefined)).resolves.toBeUndefined();
    await expect(guard.check('10.0.0.5', 'printer', 'right ', undefined)).resolves.toBeUndefined();
    expect(scryptRuns).toHaveBeenCalledTimes(3);
  });
});
