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
 *
 * Mail.ru and Fastmail have no table: neither documents error codes of its own. Mail.ru's OAuth
 * pages describe the requests and say only that an error description comes back on the redirect;
 * Fastmail's says its server conforms to RFC 6749. Their errors are the standard ones, which the
 * common table (`common.ts`) and the CLI's own hints explain.
 *
 * @see https://help.mail.ru/developers/oauth/about (Mail.ru: no error codes listed)
 * @see https://id.vk.com/about/business/go/docs/ru/vkid/latest/oauth/oauth-mail/index (OAuth Mail: no error codes listed)
 * @see https://biz.mail.ru/developer/oauth.html ("either an error description or the code" on the redirect, no codes)
 * @see https://www.fastmail.com/for-developers/oauth/ (Fastmail: "in conformance with" RFC 6749, no codes of its own)
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
