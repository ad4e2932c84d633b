// Public surface of @mcx/schemas: the XML schemas of the repository and an in-process validator.
export * from './schema-error.ts';
export * from './schema-names.ts';
export * from './schema-path.ts';
export * from './schema-set.ts';
export * from './validate.ts';
