import {
  EXIT_AUTHORIZATION_REQUIRED,
  EXIT_FAILURE,
  EXIT_NETWORK,
  EXIT_OK,
  EXIT_USAGE,
} from './exit-codes.js';

/** Exit codes from the one that matters most to the one that matters least (a network blip heals by itself). */
const SEVERITY = [EXIT_FAILURE, EXIT_USAGE, EXIT_AUTHORIZATION_REQUIRED, EXIT_NETWORK, EXIT_OK];

/**
 * The exit code that matters most of several results (`refresh --all`'s accounts, `check`'s
 * servers): an unexpected failure, then a configuration error, then one that needs a person to
 * authorize, then a network error, then success. A code outside these counts as a failure.
 *
 * @example
 * ```ts
 * worstExitCode([0, 4, 3]); // 3
 * ```
 */
export function worstExitCode(codes: readonly number[]): number {
  let worst = EXIT_OK;
  for (const code of codes) {
    const rank = SEVERITY.indexOf(code);
    const effective = rank === -1 ? EXIT_FAILURE : code;
    if (SEVERITY.indexOf(effective) < SEVERITY.indexOf(worst)) worst = effective;
  }
  return worst;
}
