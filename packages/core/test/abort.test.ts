import { AuthorizerError, abortError, OAUTH_ABORTED, sleep, throwIfAborted } from '@oauth-authorizer/core';
import { describe, expect, it } from 'vitest';

describe('sleep()', () => {
  it('rejects at once with OAUTH_ABORTED for an already aborted signal, without waiting', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const started = performance.now();
    const error = await sleep(10_000, controller.signal, 'waiting for the token store lock').catch((e) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(AuthorizerError);
    expect(error.code).toBe(OAUTH_ABORTED);
    expect(error.message).toBe('waiting for the token store lock was aborted');
    expect(error.cause).toBe(controller.signal.reason);
  });

  it('rejects when the signal aborts during the wait, and resolves after ms otherwise', async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(), 5);
    await expect(waiting).rejects.toMatchObject({ code: OAUTH_ABORTED, message: 'waiting was aborted' });
    const started = performance.now();
    await sleep(20, undefined);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });
});

describe('abortError() and throwIfAborted()', () => {
  it('build the one OAUTH_ABORTED error, with the reason as cause', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    controller.abort('why');
    expect(() => throwIfAborted(controller.signal, 'reading the account')).toThrow(
      expect.objectContaining({ code: OAUTH_ABORTED, message: 'reading the account was aborted' }),
    );
    expect(abortError(controller.signal, 'x')).toMatchObject({ code: OAUTH_ABORTED, cause: 'why' });
  });
});
