/**
 * `pnpm demo`: the whole product on one machine, with no provider account and no network.
 *
 * 1. A real OAuth2 authorization server (oidc-provider) and a real SMTP server (smtp-server,
 *    checking each XOAUTH2 token by introspection) start on 127.0.0.1.
 * 2. The `oauth-authorizer` CLI authorizes an account against them with a preset file, and shows
 *    the bearer and refresh tokens.
 * 3. This program sends mail through nodemailer and the mail adapter while the access tokens
 *    expire every few seconds, printing each automatic refresh.
 * 4. It prints a summary, stops everything it started, and exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore, TokenManager } from '@oauth-authorizer/core';
import { loadPreset, resolvePreset } from '@oauth-authorizer/presets';
import {
  type AuthorizationServer,
  clients,
  DEVICE_GRANT,
  startAuthorizationServer,
  startSmtpServer,
} from '@oauth-authorizer/test-servers';
import { authorizeWithCli } from './authorize-with-cli.js';
import { writeDemoPreset } from './demo-preset.js';
import { parseDemoOptions, USAGE } from './options.js';
import { sendWhileTokensExpire } from './send-while-tokens-expire.js';
import { terminalLine } from './terminal-line.js';

const ACCOUNT = 'demo@example.test';
const log = (line: string) => process.stdout.write(terminalLine(line));
const step = (line: string) => log(`\n▶ ${line}`);

async function main(): Promise<number> {
  const options = parseDemoOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(USAGE);
    return 0;
  }
  const home = mkdtempSync(join(tmpdir(), 'oauth-authorizer-demo-'));
  const server = await startAuthorizationServer({ accessTokenTtl: options.tokenLifetime, deviceInterval: 1 });
  const smtp = await startSmtpServer({ introspect: (token) => server.introspect(token) });
  try {
    step('Servers on loopback');
    log(
      `  OAuth2 authorization server (oidc-provider): ${server.issuer}  — access tokens live ${options.tokenLifetime} s`,
    );
    log(`  SMTP server (smtp-server, XOAUTH2 checked by introspection): ${smtp.host}:${smtp.port}`);
    const presetFile = writeDemoPreset(home, server, smtp);
    log(`  preset file: ${presetFile}`);
    log(`  OAUTH_AUTHORIZER_HOME=${home}`);

    step(
      `oauth-authorizer authorize ${ACCOUNT} --preset ${presetFile} --client-id ${clients.native.clientId} --flow ${options.device ? 'device' : 'code'}`,
    );
    log(
      options.browser
        ? `  Waiting for you: sign in as ${ACCOUNT} (any password) and allow access in the browser.`
        : '  Signing in by itself (a stand-in for you in $BROWSER fills in the login page and consents; --browser to do it yourself).',
    );
    await authorizeWithCli(options, {
      home,
      presetFile,
      account: ACCOUNT,
      clientId: clients.native.clientId,
    });

    step(`Sending ${options.messages} messages through nodemailer + @oauth-authorizer/mail-adapters`);
    const { provider, mail } = resolvePreset(await loadPreset(presetFile), {
      clientId: clients.native.clientId,
    });
    // The same token store the CLI wrote: refreshes here rotate the tokens the CLI sees too.
    // A 2 s margin: the server truncates expiry to the second, so a token can die up to 1 s early.
    const manager = new TokenManager({
      account: ACCOUNT,
      store: new FileTokenStore({ directory: join(home, 'accounts') }),
      provider,
      minValidity: 2,
    });
    const result = await sendWhileTokensExpire(manager, mail ?? {}, smtp, {
      user: ACCOUNT,
      count: options.messages,
      spacing: options.spacing,
      log,
    });

    step('Summary');
    log(`  messages sent: ${result.sent} of ${options.messages}, failed: ${result.failed}`);
    log(`  messages the SMTP server accepted: ${smtp.messages.length}`);
    log(
      `  automatic refreshes: ${result.refreshes} in ${result.elapsedSeconds.toFixed(1)} s (tokens live ${options.tokenLifetime} s)`,
    );
    const requests = countTokenRequests(server);
    log(
      `  token requests at the authorization server: ${requests.total} — ${requests.exchanges} ${options.device ? 'device code redeemed' : 'code exchange'}, ${requests.refreshes} refreshes${options.device ? `, ${requests.polls} polls while you approved` : ''}`,
    );
    return result.failed === 0 && result.sent === options.messages ? 0 : 1;
  } finally {
    await smtp.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
    log('\nStopped both servers and removed the demo home. Done.');
  }
}

/** The token requests the server answered, by what they were: polls, the exchange, refreshes. */
function countTokenRequests(server: AuthorizationServer) {
  const polls = server.tokenRequests.filter(
    (request) => request.grantType === DEVICE_GRANT && request.status !== 200,
  ).length;
  const exchanges = server.tokenRequests.filter(
    (request) =>
      (request.grantType === 'authorization_code' || request.grantType === DEVICE_GRANT) &&
      request.status === 200,
  ).length;
  return {
    total: server.tokenRequests.length,
    polls,
    exchanges,
    refreshes: server.countTokenRequests('refresh_token'),
  };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(terminalLine(`demo: ${error instanceof Error ? error.message : String(error)}`));
    process.exitCode = 1;
  },
);
