import {
  authorizeWithCode,
  authorizeWithDeviceCode,
  type ProviderConfig,
  requestClientCredentials,
  type TokenSet,
} from '@oauth-authorizer/core';
import type { ResolvedPreset } from '@oauth-authorizer/presets';
import type { CommandContext } from './command-context.js';
import { CLI_AUTHORIZATION_TIMEOUT, CLI_INTERRUPTED, cliError } from './errors.js';
import { PastedRedirectReceiver } from './pasted-redirect-receiver.js';
import { TerminalUserAgent } from './terminal-user-agent.js';

/** Options of {@link runAuthorizationFlow}. */
export interface FlowOptions {
  /** Print the URL, do not start a browser (`--no-open`). */
  noOpen: boolean;
  /** `--timeout` in seconds. */
  timeout: number | undefined;
  loginHint: string | undefined;
}

/**
 * Runs the resolved preset's flow and resolves with the tokens: client credentials, the device
 * flow with the terminal's user agent, or the code flow with the loopback listener (and, with
 * `noOpen`, a pasted redirect on stdin).
 *
 * @throws {AuthorizerError} `CLI_AUTHORIZATION_TIMEOUT` after `--timeout`, `CLI_INTERRUPTED` on
 *   Ctrl-C, or the flow's own errors.
 *
 * @example
 * ```ts
 * const tokens = await runAuthorizationFlow(context, provider, resolved, { noOpen: false, timeout: undefined, loginHint: undefined });
 * ```
 */
export async function runAuthorizationFlow(
  context: CommandContext,
  provider: ProviderConfig,
  resolved: ResolvedPreset,
  options: FlowOptions,
): Promise<TokenSet> {
  const { output } = context;
  let userAgent: TerminalUserAgent | undefined;
  const deadline = options.timeout === undefined ? undefined : AbortSignal.timeout(options.timeout * 1000);
  const signal = deadline ? AbortSignal.any([context.signal, deadline]) : context.signal;
  const scopes = [...resolved.scopes];
  try {
    if (resolved.flow === 'client_credentials')
      return await requestClientCredentials(provider, { scopes, signal });
    if (resolved.flow === 'device') {
      const deviceAgent = new TerminalUserAgent({
        output,
        noOpen: options.noOpen,
        env: context.env,
        platform: context.platform,
      });
      userAgent = deviceAgent;
      return await authorizeWithDeviceCode(provider, {
        userAgent: deviceAgent,
        scopes,
        signal,
        onPoll: (event) => deviceAgent.onPoll(event),
      });
    }
    const { RedirectListener } = await import('@oauth-authorizer/redirect-listener');
    const listener = new RedirectListener(resolved.redirectUrl as string, {
      signal: context.signal,
      ...(options.timeout !== undefined && { timeout: options.timeout * 1000 }),
    });
    await listener.listen();
    const receiver = options.noOpen
      ? new PastedRedirectReceiver(listener, context.streams.stdin, output)
      : listener;
    const waiting = `Waiting for the redirect on ${listener.redirectUri}.`;
    userAgent = new TerminalUserAgent({
      output,
      noOpen: options.noOpen,
      env: context.env,
      platform: context.platform,
      authorizationNote: options.noOpen
        ? `${waiting}\nOn another machine? Paste the whole address the browser was sent to (it begins with ${listener.redirectUri}) here and press Enter.`
        : waiting,
    });
    return await authorizeWithCode(provider, {
      receiver,
      userAgent,
      scopes,
      signal: context.signal,
      ...(options.loginHint !== undefined && { loginHint: options.loginHint }),
    });
  } catch (error) {
    if (deadline?.aborted) {
      throw cliError(
        CLI_AUTHORIZATION_TIMEOUT,
        `the authorization did not finish within ${options.timeout} s`,
        {
          hint: 'authorize again, or give more time with --timeout',
          cause: error,
        },
      );
    }
    if (context.signal.aborted)
      throw cliError(CLI_INTERRUPTED, 'the authorization was interrupted', { cause: error });
    throw error;
  } finally {
    userAgent?.stop();
  }
}
