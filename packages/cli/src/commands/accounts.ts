import { isAuthorizerError, type StoredAccount } from '@oauth-authorizer/core';
import { openTokenStore } from '../account-store.js';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine } from '../command-line.js';
import { EXIT_OK } from '../exit-codes.js';
import { describeExpiry, isoOrNull, tokenStatusOf } from '../token-status.js';

/** The `--help` text of `oauth-authorizer accounts`, with examples. */
export const help = `Usage: oauth-authorizer accounts [--json] [--reveal]

Lists the stored accounts with their preset, flow, token status and expiry. Tokens are not
shown unless --reveal is given.

Status: valid · expired (refreshed on the next "token") · authorization-required (run
"authorize" again) · not-authorized (no tokens, e.g. after "revoke") · unreadable.

Options:
  --json     print an array of {"account","preset","flow","status","expires_at","scope"}
  --reveal   also print each account's access and refresh token

Examples:
  oauth-authorizer accounts
  oauth-authorizer accounts --json
`;

interface AccountRow {
  account: string;
  preset: string | null;
  flow: string | null;
  status: string;
  expires_at: string | null;
  scope: string | null;
  access_token?: string | null;
  refresh_token?: string | null;
}

function rowOf(
  account: string,
  record: StoredAccount | undefined,
  reveal: boolean,
  problem?: string,
): AccountRow {
  const settings = record?.settings ?? {};
  const row: AccountRow = {
    account,
    preset: typeof settings.presetId === 'string' ? settings.presetId : null,
    flow: typeof settings.flow === 'string' ? settings.flow : null,
    status: problem ? 'unreadable' : record ? tokenStatusOf(record) : 'not-authorized',
    expires_at: isoOrNull(record?.tokens?.expiresAt),
    scope: record?.tokens?.scope ?? null,
  };
  if (reveal) {
    row.access_token = record?.tokens?.accessToken ?? null;
    row.refresh_token = record?.tokens?.refreshToken ?? null;
  }
  return row;
}

/**
 * Lists the stored accounts (`oauth-authorizer accounts`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['--json'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values } = parseCommandLine(
    'accounts',
    context.args,
    { json: { type: 'boolean' }, reveal: { type: 'boolean' } },
    { max: 0 },
  );
  const store = openTokenStore(context);
  const rows: AccountRow[] = [];
  for (const account of await store.list({ signal: context.signal })) {
    try {
      rows.push(rowOf(account, await store.get(account), values.reveal === true));
    } catch (error) {
      if (!isAuthorizerError(error)) throw error;
      rows.push(rowOf(account, undefined, false, error.message));
      context.output.warn(error.message);
    }
  }
  const { output } = context;
  if (values.json) {
    output.json(rows);
    return EXIT_OK;
  }
  if (rows.length === 0) {
    output.info('No accounts yet. Add one with: oauth-authorizer authorize <account> --preset <preset>');
    return EXIT_OK;
  }
  const s = output.style;
  const table = [
    ['ACCOUNT', 'PRESET', 'FLOW', 'STATUS', 'EXPIRES'],
    ...rows.map((row) => [
      row.account,
      row.preset ?? '-',
      row.flow ?? '-',
      row.status,
      row.expires_at ? describeExpiry(Date.parse(row.expires_at)) : '-',
    ]),
  ];
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((line) => (line[column] ?? '').length))) ?? [];
  table.forEach((line, index) => {
    const text = line
      .map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ');
    output.data(index === 0 ? s.bold(text) : text);
    const row = rows[index - 1];
    if (index > 0 && values.reveal && row) {
      output.data(`  access token:  ${row.access_token ?? '-'}`);
      output.data(`  refresh token: ${row.refresh_token ?? '-'}`);
    }
  });
  return EXIT_OK;
}
