import {
  AuthorizerError,
  type AuthorizeWithCodeOptions,
  authorizeWithCode,
  authorizeWithDeviceCode,
  isAuthorizerError,
  OAUTH_LISTENER_FAILED,
  type ProviderConfig,
  requestClientCredentials,
  type TokenSet,
} from '@oauth-authorizer/core';
import type { ResolvedPreset } from '@oauth-authorizer/presets';
import { sshTunnelCommand, sshWithoutDisplay } from './browser.js';
import type { CommandContext } from './command-context.js';
import { CLI_AUTHORIZATION_TIMEOUT, CLI_INTERRUPTED, cliError } from './errors.js';
import { loopbackCertificate } from './loopback-certificate.js';
import { PastedRedirectReceiver } from './pasted-redirect-receiver.js';
import { TerminalUserAgent } from './terminal-user-agent.js';

/**
 * A fixed redirect port that another program holds: the error names the port and the way out,
 * `--redirect-url` with a URL registered at the provider. Other errors pass unchanged.
 */
function fixedPortBusy(error: unknown, redirectUrl: string): unknown {
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (!isAuthorizerError(error, OAUTH_LISTENER_FAILED) || cause?.code !== 'EADDRINUSE') return error;
  const port = new URL(redirectUrl).port;
  return new AuthorizerError(
    OAUTH_LISTENER_FAILED,
    `port ${port} of the preset's redirect URL ${redirectUrl} is in use by another program`,
    {
      hint: `end the program that holds port ${port} and authorize again, or register another redirect URL at the provider and give it with --redirect-url`,
      cause: error,
    },
  );
}

/** Options of {@link runAuthorizationFlow}. */
export interface FlowOptions {
  /** Print the URL, do not start a browser (`--no-open`). */
  noOpen: boolean;
  /** `--timeout` in seconds. */
  timeout: number | undefined;
  loginHint: string | undefined;
  /** Copy the device code or the authorization URL to the clipboard (`--clipboard`). */
  clipboard: boolean;
  /**
   * The preset fixes the redirect URL, port and all (providers that compare it exactly): say to
   * register exactly that URL, and name `--redirect-url` when its port is taken.
   */
  fixedRedirect: boolean;
  /** The provider to redeem the code with, chosen from the redirect (Zoho's data centre). */
  exchangeWith?: AuthorizeWithCodeOptions['exchangeWith'];
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
 * const tokens = await runAuthorizationFlow(context, provider, resolved, { noOpen: false, timeout: undefined, loginHint: undefined, clipboard: false, fixedRedirect: false });
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
  // Over SSH without a display, a browser would open on a screen nobody looks at (or not at all).
  // An explicit $BROWSER (a console browser, say) is still used.
  const remote = sshWithoutDisplay(context.env) && !context.env.BROWSER?.trim();
  const noOpen = options.noOpen || remote;
  if (remote && !options.noOpen)
    output.info(
      output.errorStyle.dim('This is an SSH session without a display, so no browser is opened here.'),
    );
  try {
    if (resolved.flow === 'client_credentials')
      return await requestClientCredentials(provider, { scopes, signal });
    if (resolved.flow === 'device') {
      const deviceAgent = new TerminalUserAgent({
        output,
        noOpen,
        env: context.env,
        platform: context.platform,
        clipboard: options.clipboard,
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
    const redirectUrl = resolved.redirectUrl as string;
    const https = redirectUrl.startsWith('https:') ? await loopbackCertificate(context.home) : undefined;
    const listener = new RedirectListener(redirectUrl, {
      signal: context.signal,
      ...(options.timeout !== undefined && { timeout: options.timeout * 1000 }),
      ...(https && { https: { key: https.key, cert: https.cert } }),
    });
    try {
      await listener.listen();
    } catch (error) {
      throw options.fixedRedirect ? fixedPortBusy(error, redirectUrl) : error;
    }
    const redirectUri = listener.redirectUri;
    if (options.fixedRedirect)
      output.info(
        `${output.errorStyle.bold('Register exactly this redirect URL at the provider:')} ${redirectUri}`,
      );
    if (https)
      output.info(
        output.errorStyle.dim(
          `The redirect comes back over https with a self-signed certificate ${https.created ? 'made just now' : 'made'} for this machine (${https.certFile}). The browser warns that the connection is not private: that is this certificate; continue to 127.0.0.1 to finish the sign-in (or trust the file in the browser once).`,
        ),
      );
    const receiver = new PastedRedirectReceiver(listener, context.streams.stdin, output, {
      acceptPaste: noOpen,
    });
    const paste = `the whole address the browser was sent to (it begins with ${redirectUri}) here and press Enter.`;
    const notes = [`Waiting for the redirect on ${redirectUri}.`];
    if (noOpen) notes.push(`On another machine? Paste ${paste}`);
    if (remote)
      notes.push(
        `Or forward the port from the machine with the browser, then open the URL there: ${sshTunnelCommand(redirectUri, context.env)}`,
      );
    userAgent = new TerminalUserAgent({
      output,
      noOpen,
      env: context.env,
      platform: context.platform,
      authorizationNote: notes.join('\n'),
      clipboard: options.clipboard,
      onOpenFailed: () => {
        receiver.acceptPaste();
        output.info(
          output.errorStyle.dim(
            `No browser was opened, so the redirect can be pasted too: open the URL in a browser on any machine, sign in, and paste ${paste}`,
          ),
        );
      },
    });
    return await authorizeWithCode(provider, {
      receiver,
      userAgent,
      scopes,
      ...(options.exchangeWith && { exchangeWith: options.exchangeWith }),
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
