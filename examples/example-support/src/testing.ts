export { authorizeWithCli } from './testing/authorize-with-cli.js';
export type { ExampleHome, SeedOptions } from './testing/example-home.js';
export { createExampleHome, seedAccount, storedTokens } from './testing/example-home.js';
export { startMailDovecot, withImapSession } from './testing/mail-dovecot.js';
export type { ExampleRun } from './testing/run-example.js';
export { builtProgram, leakedTokens, runExample } from './testing/run-example.js';
export { revokeAccessTokenOnly, revokeGrant } from './testing/token-revocation.js';
export type {
  Counterpart,
  ExampleFixture,
  ExampleFixtureBase,
  ExampleFixtureOptions,
} from './testing/use-example.js';
export { useExample } from './testing/use-example.js';
