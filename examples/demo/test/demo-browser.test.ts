import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, launchChromium } from '@oauth-authorizer/test-servers';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

// `pnpm demo --browser`: the demo waits for a person, who signs in on the authorization server's
// pages in a real browser (headless Chromium here, clicking as a person would). A missing Chromium
// fails the test, as any missing system server does (`pnpm test:setup` installs it).
describe(`pnpm demo --browser, with a person in Chromium (${CHROMIUM_PATH})`, () => {
  it('waits for the sign-in in the browser, then sends every message and exits 0', async () => {
    // `true` stands for a browser that cannot be opened from here: the URL is printed anyway.
    const demo = spawn(
      process.execPath,
      [main, '--browser', '--messages', '2', '--token-lifetime', '5', '--spacing', '500'],
      {
        env: { ...process.env, BROWSER: 'true', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    demo.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    demo.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => demo.on('exit', resolve));
    const browser = await launchChromium();
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no authorization URL in:\n${output}`)), 30_000);
        const look = setInterval(() => {
          const found = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(output)?.[1];
          if (found) {
            clearInterval(look);
            clearTimeout(timer);
            resolve(found);
          }
        }, 100);
      });
      expect(output).toContain('Waiting for you: sign in as demo@example.test');
      await browser.page.goto(url);
      // The login is pre-filled from login_hint, as real providers do.
      expect(await browser.page.inputValue('#login')).toBe('demo@example.test');
      await browser.page.fill('#password', 'any password');
      await browser.page.click('#sign-in');
      await browser.page.click('#allow');
      await browser.page.waitForSelector('text=/close this window|Authorization complete/i', {
        timeout: 15_000,
      });
      expect(await exited).toBe(0);
      expect(output).toContain('messages sent: 2 of 2, failed: 0');
    } finally {
      demo.kill();
      await browser.close();
    }
  }, 90_000);
});
