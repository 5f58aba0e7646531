/**
 * Node-style package resolution for community presets: finding `node_modules/<name>` from a
 * directory up, and the package's main entry through `exports` (conditions `node`, `import`,
 * `default`) or `main`, as Node's ESM loader would pick it.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { isRecord } from './checks.js';

/** The export conditions a preset package is loaded with: Node, ESM. */
const CONDITIONS = ['node', 'import', 'default'];

/** Whether `path` is a file (not a directory, not missing). */
async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Picks the target of an `exports` entry for Node's ESM loader: the first matching condition, in the map's order. */
function exportTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = exportTarget(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isRecord(target)) {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.includes(condition)) continue;
      const found = exportTarget(value);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The main entry of a package: `exports["."]` (or the `exports` sugar), else `main`, else `index.js`. */
export function packageEntry(manifest: Record<string, unknown>): string | undefined {
  const { exports } = manifest;
  if (exports !== undefined && exports !== null) {
    if (isRecord(exports) && Object.keys(exports).some((key) => key.startsWith('.'))) {
      return exportTarget(exports['.']);
    }
    return exportTarget(exports);
  }
  return typeof manifest.main === 'string' && manifest.main !== '' ? manifest.main : 'index.js';
}

/** Finds `node_modules/<name>` walking up from each start directory, as Node's resolution does. */
export async function findPackageDirectory(
  name: string,
  starts: readonly string[],
): Promise<string | undefined> {
  for (const start of starts) {
    let directory = resolve(start);
    for (;;) {
      const candidate = join(directory, 'node_modules', name);
      if (await isFile(join(candidate, 'package.json'))) return candidate;
      const parent = dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
  }
  return undefined;
}

/**
 * The file a package's entry names, inside `directory`: the path itself, or, as CommonJS allows
 * for `main`, with `.js` added or as a directory's `index.js`. `outside` when the entry leaves the
 * package, `undefined` when no such file exists.
 */
export async function entryFile(directory: string, entry: string): Promise<string | 'outside' | undefined> {
  const path = resolve(directory, entry);
  if (path !== directory && !path.startsWith(directory + sep)) return 'outside';
  for (const candidate of [path, `${path}.js`, join(path, 'index.js')]) {
    if (await isFile(candidate)) return candidate;
  }
  return undefined;
}
