import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Where Debian's `chromium` package puts the browser. Playwright's own browser downloads are never used.
 *
 * @example
 * ```ts
 * console.log(`tests drive ${CHROMIUM_PATH}`);
 * ```
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags that let Debian's Chromium run headless as root in a container and keep it off the
 * network: no background services, no QUIC, and every host name except `localhost` unresolvable,
 * so a page can reach loopback addresses only.
 *
 * @example
 * ```ts
 * const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] });
 * ```
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--no-pings',
  '--no-proxy-server',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE ::1',
];

/**
 * Whether the Chromium that {@link launchChromium} needs is installed.
 *
 * @example
 * ```ts
 * if (!isChromiumInstalled()) console.error('run pnpm test:setup');
 * ```
 */
export function isChromiumInstalled(executablePath: string = CHROMIUM_PATH): boolean {
  return existsSync(executablePath);
}

/**
 * Options of {@link launchChromium}.
 *
 * @example
 * ```ts
 * const browser = await launchChromium({ timeout: 30_000 });
 * ```
 */
export interface ChromiumOptions {
  /** The browser binary. Default: {@link CHROMIUM_PATH} */
  executablePath?: string;
  /** Milliseconds Playwright waits for each action and navigation. Default: 30 000 */
  timeout?: number;
}

/**
 * A running headless Chromium with a fresh profile.
 *
 * @example
 * ```ts
 * const browser: HeadlessChromium = await launchChromium();
 * await browser.context.clearCookies();
 * await browser.close();
 * ```
 */
export interface HeadlessChromium {
  /** The browser context (one profile: cookies and storage start empty). */
  context: BrowserContext;
  /** A page ready to navigate. */
  page: Page;
  /** Closes the browser and deletes its profile directory. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium headless through `playwright-core`, with a new temporary
 * `--user-data-dir`, so tests can click through real login and consent pages.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * try {
 *   await browser.page.goto(authorizationUrl);
 *   await browser.page.fill('#login', 'user@example.test');
 * } finally {
 *   await browser.close();
 * }
 * ```
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<HeadlessChromium> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  if (!isChromiumInstalled(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath} (pnpm test:setup installs it)`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'oauth-authorizer-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      // Starting takes about a second, far longer on a loaded CI machine.
      timeout: 90_000,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(options.timeout ?? 30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  let closing: Promise<void> | undefined;
  return {
    context,
    page,
    close() {
      closing ??= (async () => {
        try {
          await context.close();
        } finally {
          await rm(userDataDir, { recursive: true, force: true });
        }
      })();
      return closing;
    },
  };
}
