import type { ProviderErrorEntry } from './entry.js';
import { githubErrors } from './github.js';
import { googleErrors } from './google.js';
import { microsoftErrors } from './microsoft.js';
import { yahooErrors } from './yahoo.js';
import { yandexErrors } from './yandex.js';
import { zohoErrors } from './zoho.js';

/**
 * The providers' error tables, by the id of the built-in preset they belong to; AOL runs on
 * Yahoo's service. A preset names one of these ids in `errorsOf`.
 */
const TABLES: Readonly<Record<string, readonly ProviderErrorEntry[]>> = Object.freeze({
  microsoft: microsoftErrors,
  google: googleErrors,
  yahoo: yahooErrors,
  aol: yahooErrors,
  zoho: zohoErrors,
  yandex: yandexErrors,
  github: githubErrors,
});

/** The ids that have an error table, in a fixed order. */
export const PROVIDER_ERROR_TABLES: readonly string[] = Object.freeze(Object.keys(TABLES));

/** The error table of a provider id, or `undefined` when it has none. */
export function providerErrorTable(id: string): readonly ProviderErrorEntry[] | undefined {
  return Object.hasOwn(TABLES, id) ? TABLES[id] : undefined;
}
