import type { AuthorizerError, AuthorizerErrorOptions } from '@oauth-authorizer/core';

/*
 * Core is an optional peer dependency: installing the listener alone adds no package, and it works
 * on its own. Where core is installed (always, when its `authorizeWithCode` drives the listener),
 * the listener's errors are core's own `AuthorizerError`s, so `instanceof` and `isAuthorizerError()`
 * hold. Core is therefore loaded at `listen()`, not imported statically.
 */

/** Core's codes that the listener uses; a test checks they equal core's constants. */
export const OAUTH_LISTENER_FAILED = 'OAUTH_LISTENER_FAILED';
export const OAUTH_LISTENER_TIMEOUT = 'OAUTH_LISTENER_TIMEOUT';
export const OAUTH_ABORTED = 'OAUTH_ABORTED';
export const OAUTH_INVALID_CONFIGURATION = 'OAUTH_INVALID_CONFIGURATION';

type AuthorizerErrorConstructor = new (
  code: string,
  message: string,
  options?: AuthorizerErrorOptions,
) => AuthorizerError;

/** The same shape as core's `AuthorizerError`, for when core is not installed. */
class StandaloneAuthorizerError extends Error {
  readonly code: string;
  readonly transient: boolean;
  readonly retryAfter: number | undefined;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: AuthorizerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthorizerError';
    this.code = code;
    this.transient = options.transient ?? false;
    this.retryAfter = options.retryAfter;
    this.hint = options.hint;
  }
}

let errorClass: AuthorizerErrorConstructor | undefined;
let loading: Promise<void> | undefined;

/** Whether core itself is not installed (not: a file inside an installed core is missing). */
function isCoreMissing(error: unknown): boolean {
  const { code, message } = (error ?? {}) as NodeJS.ErrnoException;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String(message).includes("'@oauth-authorizer/core'")
  );
}

/** Set by tsup: true in the CommonJS build, false in the ES module build; absent when run from source. */
declare const __REDIRECT_LISTENER_CJS__: boolean | undefined;

async function importCore(): Promise<{ AuthorizerError: AuthorizerErrorConstructor }> {
  // The CommonJS build must load core's CommonJS build: an app that require()s core would otherwise
  // hold a second AuthorizerError class, and `instanceof` would fail (the dual package hazard).
  if (typeof __REDIRECT_LISTENER_CJS__ !== 'undefined' && __REDIRECT_LISTENER_CJS__) {
    return require('@oauth-authorizer/core');
  }
  return await import('@oauth-authorizer/core');
}

/** Loads core's `AuthorizerError` once; without core installed, the listener's own stand-in is used. */
export function loadAuthorizerError(): Promise<void> {
  loading ??= importCore().then(
    (core) => {
      errorClass = core.AuthorizerError;
    },
    (error: unknown) => {
      if (!isCoreMissing(error)) throw error;
      errorClass = StandaloneAuthorizerError as unknown as AuthorizerErrorConstructor;
    },
  );
  return loading;
}

/** Makes an `AuthorizerError` (core's class once {@link loadAuthorizerError} has resolved). */
export function authorizerError(
  code: string,
  message: string,
  options: AuthorizerErrorOptions = {},
): AuthorizerError {
  const ErrorClass = errorClass ?? (StandaloneAuthorizerError as unknown as AuthorizerErrorConstructor);
  return new ErrorClass(code, message, options);
}
