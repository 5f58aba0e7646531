/**
 * `--clipboard`: the device code or the authorization URL copied for the person, as `gh` does —
 * with the platform's clipboard tool, or with the terminal's OSC 52 sequence where there is none
 * (which also reaches the clipboard of the machine an SSH session comes from).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A clipboard tool and the arguments that make it read the text from stdin. */
interface ClipboardTool {
  command: string;
  args: string[];
}

/** How long a clipboard tool may take to take the text. */
const TOOL_TIMEOUT_MS = 3000;

/**
 * The clipboard tools to try, in order: `pbcopy` on macOS, `clip` on Windows; elsewhere
 * `wl-copy` under Wayland and `xclip` under X11 (each needs its display, so without one neither
 * is tried).
 *
 * @example
 * ```ts
 * clipboardTools({ DISPLAY: ':0' }, 'linux'); // [{ command: 'xclip', args: ['-selection', 'clipboard'] }]
 * ```
 */
export function clipboardTools(
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): ClipboardTool[] {
  if (platform === 'darwin') return [{ command: 'pbcopy', args: [] }];
  if (platform === 'win32') return [{ command: 'clip', args: [] }];
  const tools: ClipboardTool[] = [];
  if (env.WAYLAND_DISPLAY) tools.push({ command: 'wl-copy', args: [] });
  if (env.DISPLAY) tools.push({ command: 'xclip', args: ['-selection', 'clipboard'] });
  return tools;
}

/** The path of `command` on `$PATH`, or `undefined` (Windows: with `.exe`). */
function findOnPath(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): string | undefined {
  const names = platform === 'win32' ? [`${command}.exe`, command] : [command];
  for (const directory of (env.PATH ?? '').split(delimiter)) {
    if (directory === '') continue;
    for (const name of names) {
      const path = join(directory, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/** Writes `text` to the tool's stdin; resolves when it exited with success. */
function runTool(path: string, args: readonly string[], text: string): Promise<boolean> {
  return new Promise((resolve) => {
    // xclip and wl-copy stay in the background to serve the selection: only their exit is waited for.
    const child = spawn(path, args, { stdio: ['pipe', 'ignore', 'ignore'], windowsHide: true });
    const timer = setTimeout(() => {
      child.kill();
      resolve(false);
    }, TOOL_TIMEOUT_MS);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}

/**
 * The OSC 52 sequence that sets the terminal's clipboard to `text` (xterm's "manipulate selection
 * data": `ESC ] 52 ; c ; <base64> BEL`).
 *
 * @example
 * ```ts
 * osc52('ABCD-EFGH'); // '\u001b]52;c;QUJDRC1FRkdI\u0007'
 * ```
 */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}

/** Options of {@link copyToClipboard}. */
export interface CopyOptions {
  env: Readonly<Record<string, string | undefined>>;
  platform: string;
  /** Where OSC 52 is written when no tool took the text; only when it is a terminal. */
  terminal: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Copies `text` to the clipboard: with the first clipboard tool that is installed and works (see
 * {@link clipboardTools}), else with OSC 52 when `terminal` is a terminal. Resolves with what
 * copied it (`xclip`, `OSC 52`…), or `undefined` when nothing could. Never throws.
 *
 * @example
 * ```ts
 * const by = await copyToClipboard(userCode, { env: process.env, platform: process.platform, terminal: process.stderr });
 * ```
 */
export async function copyToClipboard(text: string, options: CopyOptions): Promise<string | undefined> {
  for (const tool of clipboardTools(options.env, options.platform)) {
    const path = findOnPath(tool.command, options.env, options.platform);
    if (path !== undefined && (await runTool(path, tool.args, text))) return tool.command;
  }
  if (options.terminal.isTTY !== true) return undefined;
  options.terminal.write(osc52(text));
  return 'OSC 52';
}
