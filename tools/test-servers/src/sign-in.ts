/**
 * Drives the test authorization server's pages over plain HTTP, as a person in a browser would:
 * follow the authorization URL, sign in, consent (or deny), and return the final redirect to the
 * client. For tests that do not need a real browser; the Chromium tests click the same pages.
 */

class CookieJar {
  private readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  store(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair?.indexOf('=') ?? -1;
      if (pair && index > 0) this.cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
  }
}

/** Options of {@link signIn} and {@link approveDeviceCode}. */
export interface SignInOptions {
  /** The login name; becomes the account id and the token's `email`. Default: `user@example.test` */
  login?: string;
  /** Deny consent instead of allowing it. Default: false */
  deny?: boolean;
}

async function request(jar: CookieJar, url: string, form?: Record<string, string>): Promise<Response> {
  const response = await fetch(url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: {
      cookie: jar.header(),
      ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    ...(form && { body: new URLSearchParams(form) }),
  });
  jar.store(response);
  return response;
}

/** Runs login and consent from `startUrl` on, following the server's redirects, until a redirect leaves the server. */
async function interact(
  jar: CookieJar,
  startUrl: string,
  origin: string,
  options: SignInOptions,
): Promise<{ url: string; html?: string }> {
  let url = startUrl;
  let form: Record<string, string> | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await request(jar, url, form);
    form = undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin !== origin) return { url: next.href };
      url = next.href;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`sign-in: ${url} answered ${response.status}: ${html.slice(0, 200)}`);
    if (html.includes('id="login"')) {
      form = { login: options.login ?? 'user@example.test', password: 'any', decision: 'login' };
    } else if (html.includes('id="allow"')) {
      form = { decision: options.deny ? 'deny' : 'allow' };
    } else {
      return { url, html };
    }
  }
  throw new Error('sign-in: too many steps');
}

/**
 * Follows an authorization URL through login and consent and returns the URL the server finally
 * redirects to (the client's redirect URI with `code`, `state` and `iss`, or an `error`). It does
 * not request that URL.
 */
export async function signIn(authorizationUrl: string, options: SignInOptions = {}): Promise<string> {
  const origin = new URL(authorizationUrl).origin;
  const { url, html } = await interact(new CookieJar(), authorizationUrl, origin, options);
  if (html !== undefined) throw new Error(`sign-in: the flow stopped at ${url}: ${html.slice(0, 200)}`);
  return url;
}

function hiddenInputs(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(match[0])?.[1];
    const value = /value="([^"]*)"/.exec(match[0])?.[1];
    if (name && value !== undefined) fields[name] = value;
  }
  return fields;
}

/**
 * Approves (or denies) a device authorization on the server's device pages: enters the user code,
 * confirms, signs in and consents. Resolves when the server shows its final page.
 *
 * @param verificationUri The `verification_uri` (the user code is typed in) or `verification_uri_complete`.
 */
export async function approveDeviceCode(
  verificationUri: string,
  userCode: string,
  options: SignInOptions = {},
): Promise<void> {
  const jar = new CookieJar();
  const origin = new URL(verificationUri).origin;
  const deviceUrl = `${origin}/device`;
  const entry = await request(jar, deviceUrl);
  const entryFields = hiddenInputs(await entry.text());
  const confirm = await request(jar, deviceUrl, { ...entryFields, user_code: userCode });
  const confirmHtml = await confirm.text();
  if (!confirmHtml.includes('confirm'))
    throw new Error(`device: user code not accepted: ${confirmHtml.slice(0, 300)}`);
  const confirmFields = hiddenInputs(confirmHtml);
  if (options.deny) {
    const aborted = await request(jar, deviceUrl, { ...confirmFields, user_code: userCode, abort: 'yes' });
    await aborted.text();
    return;
  }
  const confirmed = await request(jar, deviceUrl, { ...confirmFields, user_code: userCode, confirm: 'yes' });
  const location = confirmed.headers.get('location');
  if (!location) throw new Error(`device: confirm did not redirect (HTTP ${confirmed.status})`);
  const { html: text = '' } = await interact(jar, new URL(location, deviceUrl).href, origin, options);
  if (!options.deny && !/Sign-in Success/i.test(text))
    throw new Error(`device: unexpected final page: ${text.slice(0, 300)}`);
}
