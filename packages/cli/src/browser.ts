import { spawn } from 'node:child_process';

/**
 * Splits a command line the way a POSIX shell splits words, without running a shell: whitespace
 * separates words, single quotes keep everything literally, double quotes keep everything but
 * `\"` and `\\`, a backslash outside quotes escapes the next character.
 *
 * @throws {TypeError} for an unterminated quote.
 *
 * @example
 * ```ts
 * splitCommandLine(`firefox --new-window "my profile"`); // ['firefox', '--new-window', 'my profile']
 * ```
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && (text[index + 1] === '"' || text[index + 1] === '\\')) word += text[++index];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\' && index + 1 < text.length) {
      word += text[++index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new TypeError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord) words.push(word);
  return words;
}

/**
 * The command that opens `url`: `$BROWSER` when set (split like a command line; the URL replaces
 * a `%s` or, without one, is added as the last argument), else the platform's opener
 * (`xdg-open`, `open`, or Windows' URL handler).
 *
 * @throws {TypeError} when `$BROWSER` cannot be split (an unterminated quote) or is empty.
 *
 * @example
 * ```ts
 * browserCommand('https://id.example/auth', { BROWSER: 'firefox --new-window' }, 'linux');
 * // { command: 'firefox', args: ['--new-window', 'https://id.example/auth'] }
 * ```
 */
export function browserCommand(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): { command: string; args: string[] } {
  const configured = env.BROWSER?.trim();
  if (configured) {
    const words = splitCommandLine(configured);
    const [command, ...rest] = words;
    if (!command) throw new TypeError('$BROWSER is empty');
    const hasPlaceholder = rest.some((word) => word.includes('%s'));
    const args = hasPlaceholder ? rest.map((word) => word.replaceAll('%s', url)) : [...rest, url];
    return { command, args };
  }
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // rundll32 takes the URL as one argument, so `&` in the query needs no cmd.exe escaping.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: [url] };
}

/**
 * How long an opener may take to fail before it counts as started: `xdg-open` without a browser,
 * or a `$BROWSER` that is not there, exits non-zero within this time; a browser that stays in the
 * foreground is taken as started once it passes.
 */
const OPENER_GRACE_MS = 1000;

/**
 * Opens `url` in the user's browser (see {@link browserCommand}) and resolves once the opener
 * started and did not fail within a second; the opener then runs on by itself, detached, so a
 * browser that stays in the foreground does not hold the CLI. The URL is passed as an argument,
 * never through a shell.
 *
 * @throws {Error} when the opener cannot be started (e.g. `xdg-open` is not installed) or exits
 *   with a failure at once (e.g. `xdg-open` finds no browser).
 *
 * @example
 * ```ts
 * await openInBrowser('https://id.example/auth?client_id=app');
 * ```
 */
export function openInBrowser(
  url: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
): Promise<string> {
  const { command, args } = browserCommand(url, env, platform);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'ENOENT'
            ? `"${command}" was not found`
            : `"${command}" failed: ${error.code ?? error.message}`,
        ),
      );
    });
    child.once('spawn', () => {
      const started = setTimeout(() => {
        child.removeListener('exit', onExit);
        child.unref();
        resolve(command);
      }, OPENER_GRACE_MS);
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(started);
        if (code === 0) resolve(command);
        else
          reject(
            new Error(`"${command}" failed (${code === null ? `killed by ${signal}` : `exit code ${code}`})`),
          );
      };
      child.once('exit', onExit);
    });
  });
}

/**
 * Whether this is an SSH session without a graphical display (`SSH_CONNECTION` set, neither
 * `DISPLAY` nor `WAYLAND_DISPLAY`): a browser started here would open on a screen nobody looks
 * at, or not at all.
 *
 * @example
 * ```ts
 * sshWithoutDisplay({ SSH_CONNECTION: '10.0.0.2 50000 10.0.0.5 22' }); // true
 * ```
 */
export function sshWithoutDisplay(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.SSH_CONNECTION) && !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

/**
 * The command that forwards a loopback redirect port through SSH from the machine with the
 * browser: `ssh -L PORT:127.0.0.1:PORT <host>`, with the address this SSH session came in on
 * (from `SSH_CONNECTION`) as the host, and `-p` when that is not port 22.
 *
 * @example
 * ```ts
 * sshTunnelCommand('http://127.0.0.1:41234/callback', { SSH_CONNECTION: '10.0.0.2 50000 10.0.0.5 22' });
 * // 'ssh -L 41234:127.0.0.1:41234 10.0.0.5'
 * ```
 */
export function sshTunnelCommand(
  redirectUri: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const url = new URL(redirectUri);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const [, , serverAddress, serverPort] = (env.SSH_CONNECTION ?? '').trim().split(/\s+/);
  const host = serverAddress && /^[\w.:-]+$/.test(serverAddress) ? serverAddress : '<host>';
  const sshPort = serverPort && /^\d+$/.test(serverPort) && serverPort !== '22' ? ` -p ${serverPort}` : '';
  return `ssh -L ${port}:${url.hostname}:${port}${sshPort} ${host}`;
}
