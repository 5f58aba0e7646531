/**
 * The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)
 * through `@napi-rs/keyring`, loaded only when an account that lives there is read or written:
 * the `token` hot path never loads it.
 *
 * @module
 */
import {
  CLI_KEYRING_FAILED,
  CLI_KEYRING_LOCKED,
  CLI_KEYRING_UNAVAILABLE,
  type CliErrorCode,
  cliError,
  shellQuote,
} from './errors.js';

/** The keyring service name of every entry the CLI writes; the entry's account name is the account. */
export const KEYRING_SERVICE = 'oauth-authorizer';

/** Where the CLI keeps one secret string per account. */
export interface SecretKeyring {
  /** The account's secret, or `undefined` when the keyring has no entry for it. */
  read(account: string): Promise<string | undefined>;
  write(account: string, secret: string): Promise<void>;
  /** Deletes the account's entry; no error when there is none. */
  remove(account: string): Promise<void>;
}

type KeyringModule = typeof import('@napi-rs/keyring');

/** Platforms where the library silently falls back to the kernel's non-persistent keyutils without Secret Service. */
const SECRET_SERVICE_PLATFORMS: ReadonlySet<string> = new Set(['linux', 'freebsd', 'openbsd']);

function keyringError(
  code: CliErrorCode,
  what: string,
  account: string,
  cause: unknown,
): ReturnType<typeof cliError> {
  const quoted = shellQuote(account);
  switch (code) {
    case CLI_KEYRING_UNAVAILABLE:
      return cliError(code, `${what}: there is no OS keyring here (${firstLine(cause)})`, {
        hint: `run it in a desktop session (or start gnome-keyring-daemon / KeePassXC's Secret Service), or keep the account in its file: oauth-authorizer authorize ${quoted} --store file, or oauth-authorizer store migrate ${quoted} --to file where the keyring works`,
        cause,
      });
    case CLI_KEYRING_LOCKED:
      return cliError(code, `${what}: the OS keyring is locked`, {
        hint: `unlock it (log in to the desktop session; without one, start gnome-keyring-daemon --unlock with the password on stdin), then run the command again; or authorize the account again into its file: oauth-authorizer authorize ${quoted} --store file`,
        cause,
      });
    default:
      return cliError(CLI_KEYRING_FAILED, `${what}: the OS keyring refused (${firstLine(cause)})`, {
        hint: 'run the command again with --debug for the details',
        cause,
      });
  }
}

/** The library's message without its stack backtrace; it names the store's failure, never a secret. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 200);
}

/** The code of a library failure, by its message (the library has one generic error code). */
function classify(error: unknown): CliErrorCode {
  const message = error instanceof Error ? error.message : String(error);
  if (
    /no secret service provider or dbus session|org\.freedesktop\.DBus\.Error\.(ServiceUnknown|NoServer)/i.test(
      message,
    )
  )
    return CLI_KEYRING_UNAVAILABLE;
  // No prebuilt binding for this platform: no keyring for this CLI either.
  if (/Cannot find (module|native binding)|Failed to load native binding/i.test(message))
    return CLI_KEYRING_UNAVAILABLE;
  if (/locked|unlock prompt was dismissed|prompt.*dismissed/i.test(message)) return CLI_KEYRING_LOCKED;
  return CLI_KEYRING_FAILED;
}

/**
 * The OS keyring of this machine. Every operation first makes sure that Secret Service answers
 * where the library would otherwise fall back to the kernel keyring silently (Linux, BSD), so
 * that a box without a keyring is {@link CLI_KEYRING_UNAVAILABLE}, never a secret lost at reboot.
 *
 * @throws {AuthorizerError} (from its methods) `CLI_KEYRING_UNAVAILABLE`, `CLI_KEYRING_LOCKED`,
 *   `CLI_KEYRING_FAILED`; the messages name the account and the keyring's failure, never a secret.
 * @example
 * ```ts
 * const keyring = osKeyring(process.platform);
 * await keyring.write('me@example.com', secret);
 * ```
 */
export function osKeyring(platform: string): SecretKeyring {
  let loaded: Promise<KeyringModule> | undefined;
  const load = (what: string, account: string): Promise<KeyringModule> => {
    loaded ??= (async () => {
      const module = await import('@napi-rs/keyring');
      // Any service name will do: the search fails when nobody owns org.freedesktop.secrets.
      if (SECRET_SERVICE_PLATFORMS.has(platform))
        await module.findCredentialsAsync(`${KEYRING_SERVICE}-probe`);
      return module;
    })();
    return loaded.catch((error: unknown) => {
      loaded = undefined;
      throw keyringError(classify(error), what, account, error);
    });
  };
  const attempt = async <T>(what: string, account: string, run: (module: KeyringModule) => Promise<T>) => {
    const module = await load(what, account);
    try {
      return await run(module);
    } catch (error) {
      throw keyringError(classify(error), what, account, error);
    }
  };
  return {
    read: (account) =>
      attempt(`reading the secrets of "${account}" from the OS keyring`, account, async (module) => {
        const secret = await new module.AsyncEntry(KEYRING_SERVICE, account).getPassword();
        if (typeof secret === 'string') return secret;
        // The library answers "nothing" for a locked keyring too; the search tells them apart (it
        // fails with IsLocked when the account's entry is there but locked).
        const found = await module.findCredentialsAsync(KEYRING_SERVICE);
        return found.find((credential) => credential.account === account)?.password;
      }),
    write: (account, secret) =>
      attempt(`writing the secrets of "${account}" to the OS keyring`, account, async (module) => {
        await new module.AsyncEntry(KEYRING_SERVICE, account).setPassword(secret);
      }),
    remove: (account) =>
      attempt(`deleting the secrets of "${account}" from the OS keyring`, account, async (module) => {
        await new module.AsyncEntry(KEYRING_SERVICE, account).deleteCredential();
      }),
  };
}
