import { sleep } from '../abort.js';
import { requireEndpoint } from '../discovery.js';
import {
  AuthorizerError,
  OAUTH_AUTHORIZATION_DENIED,
  OAUTH_DEVICE_CODE_EXPIRED,
  OAuthResponseError,
} from '../errors.js';
import { optionalSeconds, requiredSeconds, requiredString } from '../field-assert.js';
import { postToEndpoint } from '../http.js';
import type { ProviderConfig } from '../provider.js';
import type { TokenSet } from '../token-set.js';
import type { DeviceCodePrompt, UserAgent } from '../user-agent.js';
import { requestTokens } from './token-request.js';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.2: the interval when the server names none. */
const DEFAULT_INTERVAL = 5;
/** RFC 8628 §3.5: what `slow_down` adds to the interval, for the rest of the flow. */
const SLOW_DOWN_STEP = 5;
/** Longest wait between polls after transport errors (RFC 8628 §3.5 asks for back-off). */
const MAX_BACKOFF_INTERVAL = 60;
/** Node fires a longer timer at once (a server's `interval: 1e20` would poll in a tight loop): waits are cut to this. */
const MAX_TIMER_MS = 2_147_483_647;

/** A started device authorization (RFC 8628 §3.2), with the expiry made absolute. */
export interface DeviceAuthorization {
  /** The device code; secret, sent only to the token endpoint. */
  deviceCode: string;
  /** The code the user types at the verification URL. */
  userCode: string;
  /** Where the user goes (`verification_uri`; Google's older `verification_url` is accepted). */
  verificationUri: string;
  /** The verification URL with the user code in it, when the server gives one. */
  verificationUriComplete?: string;
  /** When the device code expires, in ms since the epoch. */
  expiresAt: number;
  /** Seconds to wait between polls. */
  interval: number;
}

/** What {@link pollDeviceAuthorization} reports after each poll. */
export interface DevicePollEvent {
  /** The number of polls so far. */
  attempt: number;
  /** Why the flow goes on: the user has not approved yet, the server asked to slow down, or a transport error. */
  status: 'pending' | 'slow_down' | 'retry';
  /** The interval from now on, in seconds. */
  interval: number;
  /** When the device code expires, in ms since the epoch. */
  expiresAt: number;
}

/**
 * Starts a device authorization (RFC 8628 §3.1): asks the server for a device code and a user code.
 *
 * @param options.scopes Default: the provider's `scopes`
 * @param options.params Extra request parameters.
 * @throws {AuthorizerError} `OAUTH_INVALID_CONFIGURATION` when the provider has no device authorization endpoint,
 *   `OAUTH_INVALID_RESPONSE`, or the transport codes.
 * @example
 * ```ts
 * const authorization = await startDeviceAuthorization(provider, { scopes: ['mail'] });
 * console.log(`Go to ${authorization.verificationUri} and enter ${authorization.userCode}`);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export async function startDeviceAuthorization(
  provider: ProviderConfig,
  options: { scopes?: string[]; params?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<DeviceAuthorization> {
  const { provider: resolved, url } = await requireEndpoint(
    provider,
    'deviceAuthorizationUrl',
    'device authorization endpoint',
    options.signal,
  );
  const scopes = options.scopes ?? resolved.scopes ?? [];
  const now = Date.now();
  const { body } = await postToEndpoint({
    provider: resolved,
    endpoint: 'device authorization endpoint',
    url,
    fields: { ...options.params, ...(scopes.length > 0 && { scope: scopes.join(' ') }) },
    signal: options.signal,
  });
  return deviceAuthorizationFromResponse(body, now);
}

/**
 * Reads a parsed device authorization response (RFC 8628 §3.2) into a {@link DeviceAuthorization},
 * checking each field with the shared field asserts; Google's older `verification_url` is accepted.
 *
 * @internal used by {@link startDeviceAuthorization}; its own function so the format is tested
 *   (and fuzzed) without a server.
 * @param now The time the response arrived, in ms since the epoch.
 * @throws {AuthorizerError} `OAUTH_INVALID_RESPONSE` naming the field; never the device code.
 */
export function deviceAuthorizationFromResponse(
  body: Record<string, unknown>,
  now: number,
): DeviceAuthorization {
  const response = { body, what: 'device authorization response' };
  const verificationUri =
    body.verification_uri === undefined && body.verification_url !== undefined
      ? requiredString(response, 'verification_url')
      : requiredString(response, 'verification_uri');
  const complete = body.verification_uri_complete;
  return {
    deviceCode: requiredString(response, 'device_code'),
    userCode: requiredString(response, 'user_code'),
    verificationUri,
    ...(typeof complete === 'string' && complete !== '' && { verificationUriComplete: complete }),
    expiresAt: now + requiredSeconds(response, 'expires_in') * 1000,
    interval: optionalSeconds(response, 'interval') ?? DEFAULT_INTERVAL,
  };
}

function expired(): AuthorizerError {
  return new AuthorizerError(
    OAUTH_DEVICE_CODE_EXPIRED,
    'the device code expired before the authorization was approved',
    {
      hint: 'start the authorization again and approve it sooner',
    },
  );
}

/**
 * Polls the token endpoint until the user approves the device authorization (RFC 8628 §3.4–3.5):
 * never faster than `interval`; `slow_down` adds 5 s for the rest of the flow;
 * `authorization_pending` goes on; transport errors back off (the interval doubles); stops at
 * `access_denied`, `expired_token`, the expiry, or the signal.
 *
 * @throws {OAuthResponseError} `OAUTH_AUTHORIZATION_DENIED` when the user refused.
 * @throws {AuthorizerError} `OAUTH_DEVICE_CODE_EXPIRED`, `OAUTH_ABORTED`, or another error the server sent.
 * @example
 * ```ts
 * const authorization = await startDeviceAuthorization(provider, { scopes: ['openid', 'offline_access'] });
 * console.log(`Go to ${authorization.verificationUri} and enter ${authorization.userCode}`);
 * const tokens = await pollDeviceAuthorization(provider, authorization, {
 *   signal: AbortSignal.timeout(10 * 60_000),
 *   onPoll: ({ attempt, status, interval }) => console.error(`poll ${attempt}: ${status}, next in ${interval} s`),
 * });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export async function pollDeviceAuthorization(
  provider: ProviderConfig,
  authorization: DeviceAuthorization,
  options: { signal?: AbortSignal; onPoll?: (event: DevicePollEvent) => void } = {},
): Promise<TokenSet> {
  const { signal, onPoll } = options;
  // Resolved once, before the first wait: a missing token endpoint is reported at once.
  const { provider: resolved } = await requireEndpoint(provider, 'tokenUrl', 'token endpoint', signal);
  let interval = authorization.interval;
  let backoff = 0;
  for (let attempt = 1; ; attempt++) {
    const wait = (backoff || interval) * 1000;
    const left = authorization.expiresAt - Date.now();
    if (left <= 0) throw expired();
    await sleep(Math.min(wait, left, MAX_TIMER_MS), signal, 'the device authorization');
    if (Date.now() >= authorization.expiresAt) throw expired();
    let status: DevicePollEvent['status'];
    try {
      return await requestTokens(
        resolved,
        { grant_type: DEVICE_CODE_GRANT, device_code: authorization.deviceCode },
        signal,
      );
    } catch (error) {
      if (error instanceof OAuthResponseError) {
        if (error.error === 'authorization_pending') status = 'pending';
        else if (error.error === 'slow_down') {
          interval += SLOW_DOWN_STEP;
          status = 'slow_down';
        } else if (error.error === 'access_denied') {
          throw new OAuthResponseError(
            {
              error: error.error,
              error_description: error.errorDescription ?? 'the authorization was denied',
              error_uri: error.errorUri,
            },
            error.status,
            { code: OAUTH_AUTHORIZATION_DENIED },
          );
        } else if (error.error === 'expired_token') throw expired();
        else if (!error.transient) throw error;
        else status = 'retry';
      } else if (error instanceof AuthorizerError && error.transient) {
        status = 'retry';
      } else {
        throw error;
      }
      backoff = status === 'retry' ? Math.min(Math.max(backoff, interval) * 2, MAX_BACKOFF_INTERVAL) : 0;
      onPoll?.({ attempt, status, interval: backoff || interval, expiresAt: authorization.expiresAt });
    }
  }
}

/** Options of {@link authorizeWithDeviceCode}. */
export interface AuthorizeWithDeviceCodeOptions {
  /** Shows the user code and opens the verification URL. */
  userAgent: UserAgent;
  scopes?: string[];
  params?: Record<string, string>;
  signal?: AbortSignal;
  onPoll?: (event: DevicePollEvent) => void;
}

/**
 * Runs the whole device flow: start, show the code (and open `verification_uri_complete` when
 * given, else `verification_uri`), then poll until approved.
 *
 * @example
 * ```ts
 * const tokens = await authorizeWithDeviceCode(provider, {
 *   userAgent: { openUrl: () => {}, showDeviceCode: (a) => console.error(a.verificationUri, a.userCode) },
 * });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8628
 */
export async function authorizeWithDeviceCode(
  provider: ProviderConfig,
  options: AuthorizeWithDeviceCodeOptions,
): Promise<TokenSet> {
  const { userAgent, signal } = options;
  const authorization = await startDeviceAuthorization(provider, {
    ...(options.scopes && { scopes: options.scopes }),
    ...(options.params && { params: options.params }),
    ...(signal && { signal }),
  });
  // The UI gets what the user needs, never the device code (a secret for the token endpoint).
  const prompt: DeviceCodePrompt = {
    verificationUri: authorization.verificationUri,
    ...(authorization.verificationUriComplete !== undefined && {
      verificationUriComplete: authorization.verificationUriComplete,
    }),
    userCode: authorization.userCode,
    expiresAt: authorization.expiresAt,
  };
  await userAgent.showDeviceCode?.(prompt);
  await userAgent.openUrl(
    authorization.verificationUriComplete ?? authorization.verificationUri,
    'verification',
  );
  return pollDeviceAuthorization(provider, authorization, {
    ...(signal && { signal }),
    ...(options.onPoll && { onPoll: options.onPoll }),
  });
}
