/**
 * The checks of definePreset that compare fields with each other: an endpoint for each flow,
 * nothing for a flow the preset lacks, a client secret that agrees with the client
 * authentication, warnings for flows the preset has, and an exact redirect with its port.
 *
 * @module
 */
import type { ClientAuthMethod } from '@oauth-authorizer/core';
import { describe, urlProblem } from './checks.js';
import type { Flow, PresetWarning } from './preset.js';
import type { EndpointField } from './preset-fields.js';
import type { Problems } from './problems.js';

/** The fields {@link checkFieldsAgree} compares, as definePreset has checked them one by one. */
export interface DefinedFields {
  readonly endpoints: Readonly<Partial<Record<EndpointField, string>>>;
  readonly flows: readonly Flow[];
  readonly redirectUrl: string | undefined;
  readonly authorizationParams: Readonly<Record<string, string>>;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly clientAuth: ClientAuthMethod | undefined;
  readonly clientSecretRequired: readonly Flow[];
}

/** `exactRedirect` needs a redirect URL that names its port. */
export function checkExactRedirect(
  redirectUrl: string | undefined,
  exactRedirect: boolean,
  problems: Problems,
): void {
  if (exactRedirect) {
    // An exact match includes the port: a listener on a random free port could never match.
    if (redirectUrl === undefined)
      problems.add('redirectUrl', 'is required when "exactRedirect" is true: it is the URL users register');
    else if (!urlProblem(redirectUrl, 'redirect') && new URL(redirectUrl).port === '')
      problems.add(
        'redirectUrl',
        `must name its port when "exactRedirect" is true, got ${describe(redirectUrl)}`,
      );
  }
}

/** A warning may only name flows the preset has. */
export function checkWarningFlows(
  warnings: readonly PresetWarning[],
  flows: readonly Flow[],
  problems: Problems,
): void {
  for (const [index, warning] of warnings.entries()) {
    for (const flow of warning.flows ?? []) {
      if (!flows.includes(flow))
        problems.add(`warnings.${index}.flows`, `names the flow "${flow}", which is not one of "flows"`);
    }
  }
}

/**
 * Consistency between fields. A preset that gives no endpoint at all leaves them to the user
 * (like `custom`); one that gives some must give what each of its flows needs.
 */
export function checkFieldsAgree(fields: DefinedFields, problems: Problems): void {
  const {
    endpoints,
    flows,
    redirectUrl,
    authorizationParams,
    clientId,
    clientSecret,
    clientAuth,
    clientSecretRequired,
  } = fields;
  const hasEndpoints = Object.keys(endpoints).length > 0;
  if (hasEndpoints && !endpoints.issuer) {
    if (!endpoints.tokenUrl) problems.add('tokenUrl', 'is required (or an "issuer" to discover it from)');
    if (flows.includes('code') && !endpoints.authorizationUrl)
      problems.add(
        'authorizationUrl',
        'is required for the "code" flow (or an "issuer" to discover it from)',
      );
    if (flows.includes('device') && !endpoints.deviceAuthorizationUrl)
      problems.add(
        'deviceAuthorizationUrl',
        'is required for the "device" flow (or an "issuer" to discover it from)',
      );
  }
  if (flows.length > 0) {
    if (endpoints.authorizationUrl && !flows.includes('code'))
      problems.add('authorizationUrl', 'is set but "flows" does not include "code"');
    if (endpoints.deviceAuthorizationUrl && !flows.includes('device'))
      problems.add('deviceAuthorizationUrl', 'is set but "flows" does not include "device"');
    if (redirectUrl && !flows.includes('code'))
      problems.add('redirectUrl', 'is set but "flows" does not include "code"');
    if (Object.keys(authorizationParams).length > 0 && !flows.includes('code'))
      problems.add('authorizationParams', 'are set but "flows" does not include "code"');
  }
  if (clientSecret !== undefined && clientId === undefined)
    problems.add('clientSecret', 'is set without a "clientId"');
  if (clientAuth === 'none' && clientSecret !== undefined)
    problems.add('clientAuth', 'is "none" but the preset has a client secret');
  if (clientAuth === 'none' && flows.includes('client_credentials'))
    problems.add('clientAuth', 'is "none", but the "client_credentials" flow authenticates the client');
  if (clientAuth === 'none' && clientSecretRequired.length > 0)
    problems.add('clientAuth', 'is "none", but "clientSecretRequired" asks for a secret');
}
