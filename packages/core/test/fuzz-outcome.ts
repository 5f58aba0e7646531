import { AuthorizerError } from '@oauth-authorizer/core';
import { expect } from 'vitest';

/** Every text an error exposes: message, stack, string fields and JSON, along the cause chain. */
export function exposedText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(record)) {
      const value = record[key];
      if (typeof value === 'string') parts.push(value);
    }
    parts.push(JSON.stringify(record));
    current = record.cause;
  }
  return parts.join('\n');
}

/**
 * Runs `parse` and checks the fuzzing contract: it returns, or throws an `AuthorizerError` or a
 * `TypeError` (anything else fails the property), and no secret appears in what the error exposes.
 *
 * @returns the result, or `undefined` when it threw as allowed.
 */
export function parseOrTypedError<T>(parse: () => T, secrets: readonly string[]): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof AuthorizerError) && !(error instanceof TypeError)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
    const text = exposedText(error);
    for (const secret of secrets) {
      if (secret.length < 8) continue;
      expect(text.includes(secret), `secret in ${error.message}`).toBe(false);
      expect(text.includes(JSON.stringify(secret).slice(1, -1)), `escaped secret in ${error.message}`).toBe(
        false,
      );
    }
    return undefined;
  }
}
