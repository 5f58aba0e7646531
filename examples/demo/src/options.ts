import { parseArgs } from 'node:util';

/** What the demo was asked to do. */
export interface DemoOptions {
  /** Wait for a person to sign in in a browser instead of signing in by itself. */
  browser: boolean;
  /** Authorize with the device flow instead of the authorization code flow. */
  device: boolean;
  /** Messages to send. */
  messages: number;
  /** Access token lifetime at the demo's authorization server, in seconds. */
  tokenLifetime: number;
  /** Milliseconds between messages. */
  spacing: number;
}

export const USAGE = `Usage: pnpm demo [-- options]

Starts a real OAuth2 authorization server (oidc-provider) and a real SMTP server (smtp-server,
checking every XOAUTH2 token by introspection) on 127.0.0.1, authorizes an account with the
oauth-authorizer CLI, then sends mail through nodemailer and the mail adapter while the access
tokens expire every few seconds, showing each automatic refresh. Stops everything it started.

Options:
  --browser              wait for you to sign in in your browser ($BROWSER, else the
                         platform's; any password) instead of signing in by itself
  --device               use the device flow instead of the authorization code flow
  --messages <n>         messages to send (default 6)
  --token-lifetime <s>   access token lifetime in seconds (default 4)
  --spacing <ms>         time between messages (default 1500)
  --help                 this text

Approving without a person: with --browser the demo opens what $BROWSER names, so a program
can stand in for you. The one the demo itself uses signs in and approves the device code:
  BROWSER="node tools/test-servers/dist/browser.js" TEST_BROWSER_LOGIN=demo@example.test \
    pnpm demo -- --device --browser
`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new Error(`--${name} must be a positive whole number, got "${value}"`);
  return number;
}

/** Reads the command line; `undefined` when only help was asked for. */
export function parseDemoOptions(argv: string[]): DemoOptions | undefined {
  const { values } = parseArgs({
    // `pnpm demo -- --device` (the form this usage shows) hands the script a literal `--` first.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      browser: { type: 'boolean', default: false },
      device: { type: 'boolean', default: false },
      messages: { type: 'string' },
      'token-lifetime': { type: 'string' },
      spacing: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) return undefined;
  return {
    browser: values.browser ?? false,
    device: values.device ?? false,
    messages: positive('messages', values.messages, 6),
    tokenLifetime: positive('token-lifetime', values['token-lifetime'], 4),
    spacing: positive('spacing', values.spacing, 1500),
  };
}
