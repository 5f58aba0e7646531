export type { Environment, ExampleAccount } from './account-from-environment.js';
export {
  accountFromEnvironment,
  countSetting,
  oauthAuthorizerHome,
  optionalSetting,
  requiredSetting,
  SETTING_INVALID,
  SETTING_MISSING,
} from './account-from-environment.js';
export {
  EXIT_AUTHORIZATION_REQUIRED,
  EXIT_CONFIGURATION,
  EXIT_FAILURE,
  EXIT_NETWORK,
  EXIT_OK,
  exitCodeFor,
  reportFailure,
} from './failure-report.js';
