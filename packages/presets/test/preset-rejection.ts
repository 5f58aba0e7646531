import { PresetError } from '@oauth-authorizer/presets';
import { expect } from 'vitest';

/**
 * The PresetError `run` throws; a test failure when it throws another kind, or throws nothing
 * (then with `accepted` as the message).
 */
export function presetRejection(run: () => unknown, accepted = 'expected a PresetError'): PresetError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PresetError);
    return error as PresetError;
  }
  throw new Error(accepted);
}
