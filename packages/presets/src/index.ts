export { builtInPresets, getBuiltInPreset, requireBuiltInPreset } from './built-in.js';
export { definePreset } from './define-preset.js';
export * from './errors.js';
export type {
  ExplainProviderErrorOptions,
  ProviderErrorExplanation,
  ProviderErrorSource,
} from './explain-provider-error.js';
export { explainProviderError, providerErrorTableOf } from './explain-provider-error.js';
export type { PresetMatch } from './find-preset.js';
export { findPresetByEmail } from './find-preset.js';
export type {
  AddressPresetMatch,
  FindPresetForAddressOptions,
  MxRecord,
} from './find-preset-for-address.js';
export { findPresetForAddress } from './find-preset-for-address.js';
export type { LoadPresetOptions, LoadPresetsOptions } from './load.js';
export { loadPreset, loadPresets } from './load.js';
export type {
  EmailDomain,
  Flow,
  MailDefinition,
  MailOverride,
  MailProtocol,
  MailServerDefinition,
  Preset,
  PresetDefinition,
  PresetHooks,
  PresetMail,
  PresetParameter,
  PresetParameterDefinition,
  PresetRequest,
  PresetWarning,
  SaslMechanism,
  ScopeSets,
  TlsMode,
} from './preset.js';
export { FLOWS, MAIL_PROTOCOLS } from './preset.js';
export { aol } from './providers/aol.js';
export { custom } from './providers/custom.js';
export { fastmail } from './providers/fastmail.js';
export { github } from './providers/github.js';
export { google } from './providers/google.js';
export { mailru } from './providers/mailru.js';
export { microsoft } from './providers/microsoft.js';
export { yahoo } from './providers/yahoo.js';
export { yandex } from './providers/yandex.js';
export { zoho } from './providers/zoho.js';
export { parametersFromRedirect } from './redirect-parameters.js';
export type { MailServer, PresetInput, ResolvedMail, ResolvedPreset } from './resolve-preset.js';
export { DEFAULT_REDIRECT_URL, fixedFieldsOf, resolvePreset } from './resolve-preset.js';
