// Public surface of @mcx/mc-system: the one composition of MC systems (mcx up, e2e, app tests).
export { startMcSystems, prepareMcSystems, type StartMcSystemsOptions, type RunningMcSystem, type McSystems, type PreparedMcSystems } from './compose.ts';
export type { ServerFactories, ServerFactory, IdmsWiring, CmsWiring, GmsWiring, McsWiring, IdmsLike, CmsLike, GmsLike, McsLike, SipTimers, HandleOf, ConfigOf } from './servers.ts';
export { UE_CLIENT, audiencesOf, mcsPsiOf, idmsClientId, introspectionSecret, type Audiences } from './token-contract.ts';
export { relatedSystems, partnersAccepting } from './trust.ts';
export { ueInitConfigInputOf, cmsSeedOf, gmsSeedOf, accountsOf, groupUriOf, type AccountSeed, type CmsSeedFromEcosystem, type GmsSeedFromEcosystem } from './seeds.ts';
export { allocatePorts, freeLocalPort } from './ports.ts';
export { startFronts, type FrontRole, type RunningFront } from './fronts.ts';
export { isLocalAddress } from './local-address.ts';
export { InstanceDatabases, postgresInstanceDatabase, dropPostgresInstanceDatabase, type DatabaseSetting } from './databases.ts';
export { adminTokenOf, adminTokenFile } from './admin-credentials.ts';
export { controlTokenOf, controlTokenFile, readControlToken } from './control-token.ts';
export { labEcosystem, testDatabaseSetting, LAB_SYSTEMS, LAB_USERS, LAB_GROUPS } from './lab-ecosystem.ts';
export { transportViewOf, type SystemTransportView } from './transport-view.ts';
