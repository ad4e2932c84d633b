// Public surface of @mcx/idms: start an IdMS, seed accounts and migration authorizations.
export { startIdms, type IdmsHandle, type IdmsSeed, type StartIdmsOptions } from './server.ts';
export { idmsConfigSchema, parseIdmsConfig, mcServicesResource, type IdmsConfig, type IdmsConfigInput, type PartnerConfig, type ClientConfig } from './config/config.ts';
export { upsertAccount, authenticate, type McAccount, type UpsertAccountInput } from './accounts/accounts.ts';
export { hashPassword, verifyPassword } from './accounts/password.ts';
export { authorizeMigration, findMigrationAuthorization, type AuthorizeMigrationInput } from './migration/authorizations.ts';
export { loadKeyRing, rotateSigningKey } from './keys/signing-keys.ts';
export { TOKEN_EXCHANGE_GRANT } from './token-exchange/index.ts';
