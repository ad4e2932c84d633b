// Public surface of @mcx/documents: typed MCX configuration documents (zod) with XML codecs.

// The error, codec and option types of the parsers below (the XML stack itself is @mcx/xml).
export { DocumentError, isDocumentError, type DocumentErrorCode, type DocumentCodec, type DecodeOptions, type Extension } from '@mcx/xml';
export { COMMON_POLICY_NS, PREFERRED_PREFIXES } from './namespaces.ts';

// Documents
export * from './ue-init-config/ue-init-config.ts';
export * from './ue-config/ue-config.ts';
export * from './user-profile/user-profile.ts';
export * from './user-profile/allow-actions.ts';
export * from './user-profile/defaults.ts';
export * from './service-config/service-config.ts';
export * from './service-config/defaults.ts';
export * from './group/group.ts';
export * from './group/defaults.ts';
export * from './resource-lists/resource-lists.ts';
export * from './mcptt-info/mcptt-info.ts';
export * from './migration-names.ts';
export { partnerMcSystemSchema, type PartnerMcSystem, type PartnerMcSystems } from './partner-systems/partner-systems.ts';

// Catalogue / registry
export * from './catalogue.ts';

// Builders
export * from './builders/ue-init-config.ts';
export * from './builders/user-profile.ts';
export * from './builders/service-config.ts';
export * from './builders/ue-config.ts';
export * from './builders/group.ts';
export * from './builders/personalities.ts';
