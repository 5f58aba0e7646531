import { Resolver } from 'node:dns/promises';
import {
  builtInPresets,
  findPresetForAddress,
  fixedFieldsOf,
  getBuiltInPreset,
  type Preset,
  providerErrorTableOf,
} from '@oauth-authorizer/presets';
import type { CommandContext } from '../command-context.js';
import { parseCommandLine } from '../command-line.js';
import { shellQuote, usageError } from '../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadPresetSpec } from '../preset-spec.js';

/** The `--help` text of `oauth-authorizer presets`, with examples. */
export const help = `Usage: oauth-authorizer presets [--json]
       oauth-authorizer presets show <preset> [--json]
       oauth-authorizer presets find <email> [--json] [--dns-server <ip[:port]>]

Lists the built-in presets, or shows one preset: the fields it fixes (endpoints, client,
parameters), its scope sets, flows, parameters to fill and mail servers. <preset> is a built-in
id, an installed package (oauth-authorizer-preset-<name>, @scope/oauth-authorizer-preset-<name>)
or a path to a .js, .mjs or .json file; "<module>#<id>" picks one of several presets.

"presets find" names the preset for an address: by the provider's own domains (gmail.com,
outlook.com, yahoo.co.uk…), else by the domain's MX records (Google Workspace, Microsoft 365,
Fastmail, Zoho, Yandex 360), with the parameters it implies (the Microsoft tenant, the Zoho data
centre). Anything else is "custom", with the reason. --dns-server asks that DNS server instead
of the system's.

Examples:
  oauth-authorizer presets
  oauth-authorizer presets show microsoft
  oauth-authorizer presets show ./acme.json --json
  oauth-authorizer presets show oauth-authorizer-preset-acme
  oauth-authorizer presets find me@contoso.com
`;

/** Where the provider guides of the built-in presets are, in the repository: one `<id>.md` each. */
const PROVIDER_GUIDES = 'docs/providers';

/** The JSON form of a preset: every field but the hooks (code). */
function presetJson(preset: Preset): Record<string, unknown> {
  const { hooks: _hooks, ...fields } = preset;
  return { ...fields, fixedFields: fixedFieldsOf(preset) };
}

function showPreset(context: CommandContext, preset: Preset): void {
  const { output } = context;
  const s = output.style;
  const lines: string[] = [`${s.bold(preset.name)} ${s.dim(`(${preset.id})`)}`];
  if (preset.description) lines.push(preset.description);
  if (preset.documentationUrl) lines.push(`Documentation: ${preset.documentationUrl}`);
  if (getBuiltInPreset(preset.id) === preset)
    lines.push(`Guide: ${PROVIDER_GUIDES}/${preset.id}.md (in the OAuth Authorizer repository)`);
  const errorTable = providerErrorTableOf(preset);
  if (errorTable !== undefined)
    lines.push(
      `Provider errors explained from: the documented errors of ${getBuiltInPreset(errorTable)?.name ?? errorTable}${preset.errorsOf === undefined ? '' : ` ("errorsOf": "${preset.errorsOf}")`}`,
    );
  lines.push('', s.bold('Fixed by the preset:'));
  const fixed: [string, string | undefined][] = [
    ['Issuer', preset.issuer],
    ['Authorization URL', preset.authorizationUrl],
    ['Device code URL', preset.deviceAuthorizationUrl],
    ['Token URL', preset.tokenUrl],
    ['Revocation URL', preset.revocationUrl],
    ['Client ID', preset.clientId],
    ['Client secret', preset.clientSecret === undefined ? undefined : "(the provider's published secret)"],
    ['Client authentication', preset.clientAuth],
    ...Object.entries(preset.authorizationParams).map(([key, value]): [string, string] => [
      `Authorization parameter ${key}`,
      value,
    ]),
    ...Object.entries(preset.tokenHeaders).map(([key, value]): [string, string] => [
      `Token request header ${key}`,
      value,
    ]),
  ];
  const shown = fixed.filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (shown.length === 0) lines.push('  nothing: give every setting yourself');
  for (const [label, value] of shown) lines.push(`  ${label}: ${value}`);
  lines.push('', s.bold('Defaults:'));
  lines.push(`  Flows: ${preset.flows.join(', ')} (preferred: ${preset.preferredFlow})`);
  for (const [name, scopes] of Object.entries(preset.scopes)) {
    lines.push(`  Scopes (${name}): ${scopes.length > 0 ? scopes.join(' ') : '(none)'}`);
  }
  if (preset.redirectUrl) lines.push(`  Redirect URL: ${preset.redirectUrl}`);
  if (preset.exactRedirect && preset.redirectUrl)
    lines.push(`  register exactly this redirect URL: ${preset.redirectUrl}`);
  const parameters = Object.entries(preset.parameters);
  if (parameters.length > 0) {
    lines.push('', s.bold('Parameters (--tenant, or --param <name>=<value>):'));
    for (const [name, parameter] of parameters) {
      const choices = parameter.choices ? ` Choices: ${Object.keys(parameter.choices).join(', ')}.` : '';
      const fallback = parameter.default !== undefined ? ` Default: ${parameter.default}.` : ' Required.';
      lines.push(`  ${name}: ${parameter.description}.${fallback}${choices}`);
    }
  }
  if (preset.mail) {
    lines.push('', s.bold('Mail servers:'));
    for (const protocol of ['imap', 'smtp', 'pop3'] as const) {
      const server = preset.mail[protocol];
      if (server) lines.push(`  ${protocol.toUpperCase()}: ${server.host}:${server.port} (${server.tls})`);
    }
    for (const override of preset.mailOverrides) {
      const when = Object.entries(override.parameters)
        .map(([name, value]) => `${name}=${value}`)
        .join(', ');
      for (const protocol of ['imap', 'smtp', 'pop3'] as const) {
        const server = override[protocol];
        if (server)
          lines.push(
            `  ${protocol.toUpperCase()} with ${when}: ${server.host}:${server.port} (${server.tls})`,
          );
      }
    }
    lines.push(`  SASL: ${preset.mail.sasl}`);
  }
  if (preset.warnings.length > 0) {
    lines.push('', s.bold('Notes:'));
    for (const warning of preset.warnings) {
      const when = [
        ...(warning.flows ? [`the ${warning.flows.join('/')} flow`] : []),
        ...(warning.scopes ? [`scopes ${warning.scopes.join(', ')}`] : []),
      ];
      lines.push(`  - ${warning.message}${when.length > 0 ? s.dim(` (with ${when.join(' and ')})`) : ''}`);
    }
  }
  output.data(lines.join('\n'));
}

/** `presets find <email>`: the preset for an address, and why. */
async function findPreset(
  context: CommandContext,
  address: string,
  options: { json: boolean; dnsServer: string | undefined },
): Promise<void> {
  let resolver: Resolver | undefined;
  if (options.dnsServer !== undefined) {
    resolver = new Resolver({ timeout: 5000, tries: 2 });
    try {
      resolver.setServers([options.dnsServer]);
    } catch {
      throw usageError(
        `presets find: --dns-server must be an IP address with an optional port, got "${options.dnsServer}"`,
        'presets',
      );
    }
  }
  const match = await findPresetForAddress(address, {
    ...(resolver && { resolveMx: (domain: string) => (resolver as Resolver).resolveMx(domain) }),
    signal: context.signal,
  });
  const { output } = context;
  if (options.json) {
    output.json({
      address,
      domain: match.domain,
      preset: match.preset.id,
      name: match.preset.name,
      parameters: match.parameters,
      via: match.via,
      ...(match.mx !== undefined && { mx: match.mx }),
      reason: match.reason,
    });
    return;
  }
  const parameters = Object.entries(match.parameters)
    .map(([name, value]) =>
      name === 'tenant' ? `--tenant ${shellQuote(value)}` : `--param ${shellQuote(`${name}=${value}`)}`,
    )
    .join(' ');
  output.data(
    [
      `${match.preset.id}  ${match.preset.name}`,
      `  ${match.reason}`,
      `  authorize with: oauth-authorizer authorize ${shellQuote(address)} --preset ${match.preset.id}${parameters ? ` ${parameters}` : ''}`,
    ].join('\n'),
  );
}

/**
 * Lists the built-in presets, or shows one (`oauth-authorizer presets`); resolves with the exit code, throws the errors that
 * `main()` reports.
 *
 * @example
 * ```ts
 * const code = await run({ ...context, args: ['show', 'microsoft'] });
 * ```
 */
export async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'presets',
    context.args,
    { json: { type: 'boolean' }, 'dns-server': { type: 'string' } },
    { max: 2 },
  );
  const [action, spec] = positionals;
  const { output } = context;
  if (action === undefined || action === 'list') {
    if (values.json) output.json(builtInPresets.map(presetJson));
    else {
      const width = Math.max(...builtInPresets.map((preset) => preset.id.length));
      for (const preset of builtInPresets) {
        output.data(
          `${preset.id.padEnd(width)}  ${preset.name}  ${output.style.dim(`[${preset.flows.join(', ')}]`)}`,
        );
      }
      output.info(
        output.errorStyle.dim(
          'Community presets: --preset oauth-authorizer-preset-<name> (installed with npm) or --preset ./file.json',
        ),
      );
    }
    return EXIT_OK;
  }
  if (action === 'find') {
    if (spec === undefined)
      throw usageError(
        'presets find: give the e-mail address, e.g. oauth-authorizer presets find me@example.com',
        'presets',
      );
    await findPreset(context, spec, {
      json: values.json === true,
      dnsServer: values['dns-server'] as string | undefined,
    });
    return EXIT_OK;
  }
  if (action !== 'show')
    throw usageError(
      `presets: unknown action "${action}"; use "presets", "presets show <preset>" or "presets find <email>"`,
      'presets',
    );
  if (spec === undefined)
    throw usageError('presets show: name the preset, e.g. oauth-authorizer presets show google', 'presets');
  const preset = await loadPresetSpec(spec, context.cwd);
  if (values.json) output.json(presetJson(preset));
  else showPreset(context, preset);
  return EXIT_OK;
}
