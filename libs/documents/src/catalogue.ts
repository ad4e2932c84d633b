/**
 * The document catalogue: per document type its AUID (RFC 4825 clause 5.1), default namespace,
 * MIME type, root element, XCAP document naming rule and Rel-13 XSD (TS 24.484 clauses 7-8,
 * TS 24.481, RFC 4826, TS 24.379). The CMS and GMS look document types up here by AUID when
 * they register their XCAP application usages. The XCAP protocol bodies (xcap-diff RFC 5874,
 * xcap-error RFC 4825 clause 11) are not listed: @mcx/xcap defines them.
 */
import { DocumentError, type DocumentCodec } from '@mcx/xml';
import { groupDocument, type Group } from './group/group.ts';
import { mcpttInfoDocument } from './mcptt-info/mcptt-info.ts';
import { resourceListsDocument } from './resource-lists/resource-lists.ts';
import { serviceConfigDocument } from './service-config/service-config.ts';
import { ueConfigDocument } from './ue-config/ue-config.ts';
import { ueInitConfigDocument } from './ue-init-config/ue-init-config.ts';
import { userProfileDocument } from './user-profile/user-profile.ts';

export const AUID = {
  ueInitConfig: 'org.3gpp.mcptt.ue-init-config',
  ueConfig: 'org.3gpp.mcptt.ue-config',
  userProfile: 'org.3gpp.mcptt.user-profile',
  serviceConfig: 'org.3gpp.mcptt.service-config',
  groups: 'org.openmobilealliance.groups',
  resourceLists: 'resource-lists',
} as const;
export type Auid = (typeof AUID)[keyof typeof AUID];

/** `users/<XUI>/mcptt-user-profile-<index>.xml` (TS 24.484 clause 8.3.1A as other implementations cite it). */
export function userProfileDocumentName(index: number): string {
  return `mcptt-user-profile-${index}.xml`;
}
/** The UE initial configuration per UE: `users/sip:<MCS UE ID>/<MCS UE ID>` (TS 24.484 clause 7.2.1.1 as other implementations cite it). */
export function ueInitConfigDocumentName(ueId: string): string {
  return ueId;
}
/** The UE configuration document of one UE instance (document name = UE instance id; our choice, clause 8.2.1 is not specific). */
export function ueConfigDocumentName(ueId: string): string {
  return ueId;
}
/** The service configuration in the global tree: `global/service-config.xml` (MCOP; TS 24.484 clause 8.4.2.8 as other implementations cite it). */
export const SERVICE_CONFIG_DOCUMENT_NAME = 'service-config.xml';
/** A group document: `global/byGroupID/<MC group ID>` (TS 24.481 clause 6.2.2.2 as other implementations cite it). */
export function groupDocumentPath(groupId: string): string {
  return `byGroupID/${groupId}`;
}

export interface CatalogueEntry<T = unknown> {
  readonly title: string;
  /** XCAP AUID, undefined for bodies that are not served over XCAP. */
  readonly auid: string | undefined;
  readonly namespace: string;
  readonly mimeType: string;
  readonly rootElement: string;
  /** The XCAP URI pattern below the XCAP root. */
  readonly uriPattern: string;
  /** The XSD file below libs/schemas/xsd (`@mcx/schemas`), undefined when none is available. */
  readonly xsd: string | undefined;
  readonly codec: DocumentCodec<T>;
}

function entry<T>(e: CatalogueEntry<T>): CatalogueEntry<T> {
  return e;
}

export const catalogue = {
  ueInitConfig: entry({
    title: 'MCS UE initial configuration',
    auid: AUID.ueInitConfig,
    namespace: ueInitConfigDocument.namespace,
    mimeType: 'application/vnd.3gpp.mcptt-ue-init-config+xml',
    rootElement: ueInitConfigDocument.rootElement,
    uriPattern: 'org.3gpp.mcptt.ue-init-config/users/sip:<MCS UE ID>/<MCS UE ID>',
    xsd: 'rel13/ue-init-config.xsd',
    codec: ueInitConfigDocument,
  }),
  ueConfig: entry({
    title: 'MCPTT UE configuration',
    auid: AUID.ueConfig,
    namespace: ueConfigDocument.namespace,
    mimeType: 'application/vnd.3gpp.mcptt-ue-config+xml',
    rootElement: ueConfigDocument.rootElement,
    uriPattern: 'org.3gpp.mcptt.ue-config/users/<XUI>/<UE instance id>',
    xsd: 'rel13/ue-config.xsd',
    codec: ueConfigDocument,
  }),
  userProfile: entry({
    title: 'MCPTT user profile',
    auid: AUID.userProfile,
    namespace: userProfileDocument.namespace,
    mimeType: 'application/vnd.3gpp.mcptt-user-profile+xml',
    rootElement: userProfileDocument.rootElement,
    uriPattern: 'org.3gpp.mcptt.user-profile/users/sip:<MCPTT ID>/mcptt-user-profile-<index>.xml',
    xsd: 'rel13/mcptt-user-profile.xsd',
    codec: userProfileDocument,
  }),
  serviceConfig: entry({
    title: 'MCPTT service configuration',
    auid: AUID.serviceConfig,
    namespace: serviceConfigDocument.namespace,
    mimeType: 'application/vnd.3gpp.mcptt-service-config+xml',
    rootElement: serviceConfigDocument.rootElement,
    uriPattern: 'org.3gpp.mcptt.service-config/global/service-config.xml',
    xsd: 'rel13/Servconf.xsd',
    codec: serviceConfigDocument,
  }),
  group: entry<Group>({
    title: 'MC group document (TS 24.481)',
    auid: AUID.groups,
    namespace: groupDocument.namespace,
    mimeType: 'application/vnd.oma.poc.groups+xml',
    rootElement: groupDocument.rootElement,
    uriPattern: 'org.openmobilealliance.groups/global/byGroupID/<MC group ID>',
    xsd: undefined,
    codec: groupDocument,
  }),
  resourceLists: entry({
    title: 'resource-lists (RFC 4826)',
    auid: AUID.resourceLists,
    namespace: resourceListsDocument.namespace,
    mimeType: 'application/resource-lists+xml',
    rootElement: resourceListsDocument.rootElement,
    uriPattern: 'resource-lists/users/<XUI>/index',
    xsd: 'ietf/resource-lists.xsd',
    codec: resourceListsDocument,
  }),
  mcpttInfo: entry({
    title: 'mcptt-info (TS 24.379 F.1)',
    auid: undefined,
    namespace: mcpttInfoDocument.namespace,
    mimeType: 'application/vnd.3gpp.mcptt-info+xml',
    rootElement: mcpttInfoDocument.rootElement,
    uriPattern: '(SIP body part, TS 24.484 6.3.13.2.2)',
    xsd: undefined,
    codec: mcpttInfoDocument,
  }),
} as const;

export type DocumentKind = keyof typeof catalogue;

/** The codecs of the XCAP-served document types, by AUID. */
export const documentCodecs: Readonly<Record<string, CatalogueEntry>> = Object.fromEntries(
  Object.values(catalogue)
    .filter((e) => e.auid !== undefined)
    .map((e) => [e.auid, e as CatalogueEntry]),
);

export type ValidationResult = { ok: true; value: unknown } | { ok: false; error: DocumentError };

/**
 * Validates a document of any registered AUID (for XCAP PUT, RFC 4825 clause 8.2.5). Strict mode
 * is the default here: unknown elements in the document's own namespace and children out of
 * schema order are rejected, as schema validation would.
 */
export function validateDocument(auid: string, xml: string, options: { strict?: boolean } = { strict: true }): ValidationResult {
  const e = documentCodecs[auid];
  if (!e) return { ok: false, error: new DocumentError('unknown-auid', `no document type for AUID ${auid}`) };
  try {
    return { ok: true, value: e.codec.parse(xml, options) };
  } catch (err) {
    if (err instanceof DocumentError) return { ok: false, error: err };
    return { ok: false, error: new DocumentError('not-well-formed', err instanceof Error ? err.message : String(err)) };
  }
}

/** The catalogue entry for a MIME type (e.g. a Content-Type header without parameters). */
export function catalogueEntryByMimeType(mimeType: string): CatalogueEntry | undefined {
  const m = mimeType.split(';')[0]?.trim().toLowerCase();
  return Object.values(catalogue).find((e) => e.mimeType === m) as CatalogueEntry | undefined;
}

