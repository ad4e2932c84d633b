// Public surface of @mcx/auth: the resource-server side of MC access tokens and the UE-side IdM client.
export * from './scopes.ts';
export * from './token-error.ts';
export * from './access-token.ts';
export * from './verifier.ts';
export * from './bearer.ts';
export * from './admin-bearer.ts';
export * from './client/index.ts';
export * from './migrated-id.ts';
