// Public surface of @mcx/documents: typed MCX configuration documents (zod) with XML codecs.

// XML foundation
export { DocumentError, isDocumentError, type DocumentErrorCode } from './xml/document-error.ts';
export { parseXml } from './xml/safe-parse.ts';
export { canonicalizeExtension, extractExtension, extractContent, extensionSchema, type Extension } from './xml/extension.ts';
export type { DocumentCodec } from './xml/document-codec.ts';
export type { DecodeOptions } from './xml/binding.ts';
export { XML_NS, COMMON_POLICY_NS, clarkName } from './xml/namespaces.ts';

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
export * from './xcap-diff/xcap-diff.ts';
export * from './mcptt-info/mcptt-info.ts';
export * from './xcap-error/xcap-error.ts';
export * from './partner-systems/names.ts';
export { partnerMcSystemSchema, partnerMcSystemsSchema, type PartnerMcSystem, type PartnerMcSystems } from './partner-systems/partner-systems.ts';

// Catalogue / registry
export * from './catalogue.ts';

// Builders
export * from './builders/ue-init-config.ts';
export * from './builders/user-profile.ts';
export * from './builders/service-config.ts';
export * from './builders/ue-config.ts';
export * from './builders/group.ts';
export * from './builders/personalities.ts';
