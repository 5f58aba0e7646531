/**
 * The checks of a definition's mail servers (`mail`, `mailOverrides`) and of its e-mail domains
 * (`emailDomains`), which both name parameter values a preset implies.
 *
 * @module
 */
import { isLoopbackHost } from '@oauth-authorizer/core';
import { checkParameterValue, describe, isHostname, isRecord, listNames } from './checks.js';
import {
  type EmailDomain,
  MAIL_PROTOCOLS,
  type MailOverride,
  type MailServerDefinition,
  type PresetMail,
  type PresetParameter,
  type SaslMechanism,
  type TlsMode,
} from './preset.js';
import { DOMAIN, SASL_MECHANISMS, TLS_MODES } from './preset-fields.js';
import type { Problems } from './problems.js';
import { checkTemplate } from './template.js';

export function checkEmailDomains(
  value: unknown,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
): EmailDomain[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add('emailDomains', `must be an array of domains, got ${describe(value)}`);
    return [];
  }
  const domains: EmailDomain[] = [];
  value.forEach((entry, index) => {
    const field = `emailDomains.${index}`;
    const domain = typeof entry === 'string' ? entry : isRecord(entry) ? entry.domain : undefined;
    if (typeof domain !== 'string' || !DOMAIN.test(domain)) {
      problems.add(
        field,
        `must be a lower-case domain such as "example.com", got ${describe(domain ?? entry)}`,
      );
      return;
    }
    if (typeof entry === 'string') {
      domains.push({ domain });
      return;
    }
    const record = entry as Record<string, unknown>;
    const implied =
      record.parameters === undefined
        ? {}
        : checkImpliedParameters(`${field}.parameters`, record.parameters, parameters, problems);
    domains.push({ domain, ...(Object.keys(implied).length > 0 && { parameters: implied }) });
  });
  return domains;
}

/** Checks one mail server (`host`, `port`, `tls`); the server when it is valid. */
function checkMailServer(
  field: string,
  server: unknown,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
): MailServerDefinition | undefined {
  if (server === undefined) return undefined;
  if (!isRecord(server)) {
    problems.add(field, `must be an object with "host", "port" and "tls", got ${describe(server)}`);
    return undefined;
  }
  for (const key of Object.keys(server)) {
    if (!['host', 'port', 'tls'].includes(key)) problems.add(`${field}.${key}`, 'is not a mail server field');
  }
  const { host, port, tls } = server;
  let valid = true;
  if (typeof host !== 'string' || host === '') {
    problems.add(`${field}.host`, `must be a host name, got ${describe(host)}`);
    valid = false;
  } else {
    checkTemplate(
      `${field}.host`,
      host,
      parameters,
      problems,
      (filled) => (isHostname(filled) ? undefined : `must be a host name, got ${describe(filled)}`),
      'text',
    );
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    problems.add(`${field}.port`, `must be an integer from 1 to 65535, got ${describe(port)}`);
    valid = false;
  }
  if (!TLS_MODES.includes(tls as TlsMode)) {
    problems.add(`${field}.tls`, `must be ${listNames(TLS_MODES)}, got ${describe(tls)}`);
    valid = false;
  }
  if (valid && tls === 'none') {
    // Bearer tokens would cross the network in clear: only a server on this machine may skip TLS.
    checkTemplate(
      `${field}.tls`,
      host as string,
      parameters,
      problems,
      (filled) =>
        isLoopbackHost(filled)
          ? undefined
          : `is "none", which is only allowed for a loopback host, got ${describe(filled)}`,
      'text',
    );
  }
  return valid ? ({ host, port, tls } as MailServerDefinition) : undefined;
}

/** Checks the parameter values an e-mail domain or a mail override names. */
function checkImpliedParameters(
  field: string,
  value: unknown,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
): Record<string, string> {
  const implied: Record<string, string> = {};
  if (!isRecord(value)) {
    problems.add(field, `must be an object, got ${describe(value)}`);
    return implied;
  }
  for (const [name, parameterValue] of Object.entries(value)) {
    // Own names only: "constructor" or "__proto__" is no parameter of a preset.
    const parameter = Object.hasOwn(parameters, name) ? parameters[name] : undefined;
    const problem = !parameter
      ? 'is not a parameter of this preset'
      : typeof parameterValue !== 'string'
        ? `must be a string, got ${describe(parameterValue)}`
        : checkParameterValue(parameter, parameterValue);
    if (problem) problems.add(`${field}.${name}`, problem);
    else implied[name] = parameterValue as string;
  }
  return implied;
}

export function checkMailOverrides(
  value: unknown,
  mail: PresetMail | undefined,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
): MailOverride[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add('mailOverrides', `must be an array, got ${describe(value)}`);
    return [];
  }
  // An empty list is what a preset without mail holds: defining that preset again must work.
  if (!mail && value.length > 0) problems.add('mailOverrides', 'is set without "mail"');
  const overrides: MailOverride[] = [];
  value.forEach((entry, index) => {
    const field = `mailOverrides.${index}`;
    if (!isRecord(entry)) {
      problems.add(field, `must be an object with "parameters" and servers, got ${describe(entry)}`);
      return;
    }
    for (const key of Object.keys(entry)) {
      if (![...MAIL_PROTOCOLS, 'parameters'].includes(key))
        problems.add(`${field}.${key}`, 'is not a mail override field');
    }
    const implied = checkImpliedParameters(`${field}.parameters`, entry.parameters, parameters, problems);
    if (isRecord(entry.parameters) && Object.keys(entry.parameters).length === 0)
      problems.add(`${field}.parameters`, 'must name at least one parameter');
    const override: { -readonly [K in keyof MailOverride]: MailOverride[K] } = { parameters: implied };
    for (const protocol of MAIL_PROTOCOLS) {
      const server = checkMailServer(`${field}.${protocol}`, entry[protocol], parameters, problems);
      if (!server) continue;
      if (mail && !mail[protocol])
        problems.add(`${field}.${protocol}`, `replaces a server "mail" does not have (mail.${protocol})`);
      override[protocol] = server;
    }
    overrides.push(override);
  });
  return overrides;
}

export function checkMail(
  value: unknown,
  parameters: Record<string, PresetParameter>,
  problems: Problems,
): PresetMail | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problems.add('mail', `must be an object with "imap", "smtp", "pop3" and "sasl", got ${describe(value)}`);
    return undefined;
  }
  const mail: { -readonly [K in keyof PresetMail]: PresetMail[K] } = { sasl: 'XOAUTH2' };
  for (const key of Object.keys(value)) {
    if (![...MAIL_PROTOCOLS, 'sasl'].includes(key)) problems.add(`mail.${key}`, 'is not a mail field');
  }
  if (value.sasl !== undefined) {
    if (SASL_MECHANISMS.includes(value.sasl as SaslMechanism)) mail.sasl = value.sasl as SaslMechanism;
    else problems.add('mail.sasl', `must be ${listNames(SASL_MECHANISMS)}, got ${describe(value.sasl)}`);
  }
  for (const protocol of MAIL_PROTOCOLS) {
    const server = checkMailServer(`mail.${protocol}`, value[protocol], parameters, problems);
    if (server) mail[protocol] = server;
  }
  return mail;
}
