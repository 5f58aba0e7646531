import type { ClientAuthMethod, MailTls, SaslMechanism } from '@oauth-authorizer/core';

/**
 * A way to get tokens: the authorization code flow with PKCE (`code`), the device code flow of
 * RFC 8628 (`device`), or app-only access with the client's own credentials (`client_credentials`).
 */
export type Flow = 'code' | 'device' | 'client_credentials';

/** Every flow, in the order a preset lists them when it supports all. */
export const FLOWS: readonly Flow[] = Object.freeze(['code', 'device', 'client_credentials'] as const);

/** How a mail connection is secured: TLS from the first byte, STARTTLS after the greeting, or not at all (core's `MailTls`). */
export type TlsMode = MailTls;

/** The SASL mechanism that carries the bearer token to the mail server (defined in core). */
export type { SaslMechanism };

/** The mail protocols a preset can describe servers for. */
export type MailProtocol = 'imap' | 'smtp' | 'pop3';

/** Every mail protocol, in a fixed order. */
export const MAIL_PROTOCOLS: readonly MailProtocol[] = Object.freeze(['imap', 'smtp', 'pop3'] as const);

/** A mail server. `host` may hold `{parameter}` placeholders (e.g. a Zoho data centre). */
export interface MailServerDefinition {
  readonly host: string;
  /** 1–65535. */
  readonly port: number;
  readonly tls: TlsMode;
}

/** The mail servers of a provider and the SASL mechanism they take. */
export interface MailDefinition {
  readonly imap?: MailServerDefinition;
  readonly smtp?: MailServerDefinition;
  readonly pop3?: MailServerDefinition;
  /** Default: `XOAUTH2`, which every provider here accepts */
  readonly sasl?: SaslMechanism;
}

/**
 * Mail servers that replace the preset's own when the parameters have the given values:
 * Outlook.com (`tenant=consumers`) sends through `smtp-mail.outlook.com`, not `smtp.office365.com`.
 */
export interface MailOverride {
  /** Every one of these parameters must have this value. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly imap?: MailServerDefinition;
  readonly smtp?: MailServerDefinition;
  readonly pop3?: MailServerDefinition;
}

/** The mail servers of a defined preset: `sasl` is always set. */
export interface PresetMail extends MailDefinition {
  readonly sasl: SaslMechanism;
}

/**
 * A value the user supplies when using the preset, such as Microsoft's `tenant`. It fills the
 * `{name}` placeholders in the preset's URLs, authorization parameters and mail hosts.
 */
export interface PresetParameterDefinition {
  /** One line for a person: what the value is and where to find it. */
  readonly description: string;
  /** The value used when the user gives none. Without a default the parameter is required. */
  readonly default?: string;
  /**
   * A regular expression (source text, anchored by the author) a free-form value must match.
   * Free-form values are percent-encoded where they fill a URL.
   */
  readonly pattern?: string;
  /**
   * The only values accepted. An array accepts its items as they are; an object maps what the
   * user types (`eu`) to the text that fills the placeholders (`zoho.eu`), inserted verbatim.
   */
  readonly choices?: readonly string[] | Readonly<Record<string, string>>;
}

/** A parameter of a defined preset: `choices` is always an object, when present. */
export interface PresetParameter extends PresetParameterDefinition {
  readonly choices?: Readonly<Record<string, string>>;
}

/** A warning shown to users, optionally only for some flows or when some scopes are asked for. */
export interface PresetWarning {
  readonly message: string;
  /** Show it only for these flows. Default: every flow */
  readonly flows?: readonly Flow[];
  /** Show it only when at least one of these scopes is asked for. Default: whatever the scopes */
  readonly scopes?: readonly string[];
}

/** An e-mail domain that suggests the preset, with the parameters it implies (Outlook.com → `tenant=consumers`). */
export interface EmailDomain {
  /** Lower-case domain, e.g. `gmail.com`. */
  readonly domain: string;
  /** Parameter values this domain implies. Default: none */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** What a preset's hooks see of a request that is being resolved. */
export interface PresetRequest {
  readonly presetId: string;
  readonly flow: Flow;
  readonly scopes: readonly string[];
  /** The parameter values, defaults filled in. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Whether a client secret will be sent. */
  readonly hasClientSecret: boolean;
}

/**
 * Provider quirks as code. Hooks run when a preset is resolved, so a request the provider would
 * refuse fails early with a clear message instead of an opaque error from the provider.
 */
export interface PresetHooks {
  /**
   * Returns a message when the provider would refuse this request (it becomes a
   * `PRESET_REQUEST_REJECTED` error naming the preset), nothing when it is fine.
   */
  readonly validateRequest?: (request: PresetRequest) => string | undefined;
}

/**
 * Scope sets: `default` is what a flow asks for unless told otherwise; named sets (`imap`,
 * `smtp`, `pop3`, `all`, or any other name) are chosen by name.
 */
export interface ScopeSets {
  readonly default: readonly string[];
  readonly [name: string]: readonly string[];
}

/**
 * What {@link definePreset} takes, and what a preset JSON file holds. Every field a preset sets is
 * fixed for its users, except `scopes`, `preferredFlow` and `redirectUrl`, which are defaults.
 */
export interface PresetDefinition {
  /** Lower-case letters, digits and single dashes: `google`, `acme-mail`. At most 64 characters. */
  readonly id: string;
  /** The name shown to people: `Google (Gmail)`. */
  readonly name: string;
  /** One or two sentences on what the preset is for. */
  readonly description?: string;
  /** The provider's documentation for developers (an `https:` URL). */
  readonly documentationUrl?: string;
  /** The issuer; endpoints the preset does not give are discovered from it. */
  readonly issuer?: string;
  /** The authorization endpoint (code flow). */
  readonly authorizationUrl?: string;
  /** The device authorization endpoint (RFC 8628). */
  readonly deviceAuthorizationUrl?: string;
  /** The token endpoint. */
  readonly tokenUrl?: string;
  /** The revocation endpoint (RFC 7009), where the provider has one. */
  readonly revocationUrl?: string;
  /** An array is the default scope set; an object names sets and must have `default`. Default: `[]` */
  readonly scopes?: readonly string[] | ScopeSets;
  /** The flows the provider supports, at least one. */
  readonly flows: readonly Flow[];
  /** The flow used when the user names none. Default: the first of `flows` */
  readonly preferredFlow?: Flow;
  /** The scope set a flow uses instead of `default` (Microsoft's app-only `.default` scope). */
  readonly flowScopes?: Readonly<Partial<Record<Flow, string>>>;
  /** Extra parameters of every authorization request (`access_type=offline`). */
  readonly authorizationParams?: Readonly<Record<string, string>>;
  /** Extra headers of every token-endpoint request (GitHub's `Accept: application/json`). */
  readonly tokenHeaders?: Readonly<Record<string, string>>;
  /** How the client secret is sent, when there is one. Without a secret the client is public. */
  readonly clientAuth?: ClientAuthMethod;
  /** A client ID the provider publishes for everyone's use. */
  readonly clientId?: string;
  /** The secret of that published client ID (never a private secret: presets are public). */
  readonly clientSecret?: string;
  /** The flows in which the provider insists on a client secret; `true` for all. Default: none */
  readonly clientSecretRequired?: boolean | readonly Flow[];
  /** The redirect URL used by the code flow when the user gives none. */
  readonly redirectUrl?: string;
  /**
   * The provider compares the redirect URL with the registered one exactly, port included (Yahoo,
   * AOL, Zoho, Yandex), instead of accepting any port on a loopback host as RFC 8252 §7.3 asks.
   * `redirectUrl` must then name its port, and users must register exactly that URL.
   * Default: `false`
   */
  readonly exactRedirect?: boolean;
  /** Values the user supplies, filling `{name}` placeholders. */
  readonly parameters?: Readonly<Record<string, PresetParameterDefinition>>;
  /** What users need to know, shown when the preset is used. */
  readonly warnings?: readonly (string | PresetWarning)[];
  /** Provider quirks as code (not available in JSON files). */
  readonly hooks?: PresetHooks;
  /** E-mail domains that suggest this preset. */
  readonly emailDomains?: readonly (string | EmailDomain)[];
  /** The provider's mail servers. */
  readonly mail?: MailDefinition;
  /** Mail servers that replace those of `mail` for some parameter values; the first match wins. */
  readonly mailOverrides?: readonly MailOverride[];
  /**
   * Query parameters the provider adds to the redirect that name a preset parameter's value, as
   * `{ location: 'dataCenter' }` for Zoho's multi-DC accounts: the code is then exchanged in the
   * user's data centre. The value must be one of that parameter's `choices`; see
   * {@link parametersFromRedirect}.
   */
  readonly redirectParameters?: Readonly<Record<string, string>>;
  /**
   * Whose documented errors explain this preset's: the id of a provider with an error table
   * (`microsoft`, `google`, `yahoo`, `aol`, `zoho`, `yandex`, `github`), for a preset of the same
   * service under another id, such as Microsoft's national clouds (`login.microsoftonline.us`) or
   * a test copy on loopback. {@link explainProviderError} and the CLI's hint use that table.
   * Default: the preset's own id
   */
  readonly errorsOf?: string;
}

/**
 * A validated, frozen preset made by {@link definePreset}. Optional collections are always
 * present (maybe empty), and a preset is itself a valid definition, so defining it again gives an
 * equal preset.
 */
export interface Preset extends PresetDefinition {
  readonly scopes: ScopeSets;
  readonly preferredFlow: Flow;
  readonly flowScopes: Readonly<Partial<Record<Flow, string>>>;
  readonly authorizationParams: Readonly<Record<string, string>>;
  readonly tokenHeaders: Readonly<Record<string, string>>;
  readonly clientSecretRequired: readonly Flow[];
  readonly exactRedirect: boolean;
  readonly parameters: Readonly<Record<string, PresetParameter>>;
  readonly warnings: readonly PresetWarning[];
  readonly hooks: PresetHooks;
  readonly emailDomains: readonly EmailDomain[];
  readonly mail?: PresetMail;
  readonly mailOverrides: readonly MailOverride[];
  readonly redirectParameters: Readonly<Record<string, string>>;
}
