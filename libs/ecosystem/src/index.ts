export * from './schema.ts';
export * from './load.ts';
export * from './endpoints.ts';
export * from './nearest-key.ts';
export * from './migrated-ids.ts';
