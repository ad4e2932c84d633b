// Public surface of @mcx/mcs: the minimal MC service server (service and migration service authorization).
export { startMcs, type McsHandle } from './server.ts';
export { mcsConfigSchema, parseMcsConfig, mcsPsi, type McsConfig, type McsConfigInput } from './config/config.ts';
export { Refusal, type RefusalCode } from './refusal.ts';
export type { Registration } from './registrations/registration-table.ts';
export type { Decision } from './service-authorization/register.ts';
export { readMigrationRequest, type MigrationRequest } from './migration-service-authorization/migration-request.ts';
export { legBody, LEG_METHOD, type LegRequest, type LegResult } from './primary-leg/leg-message.ts';
export type { LegEvent } from './primary-leg/leg-events.ts';
export type { MigrationAuthorization } from './csc5/migration-authorizations.ts';
