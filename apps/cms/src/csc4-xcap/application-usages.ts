/**
 * The MCX application usages of the CMS XCAP root (RFC 4825 clause 5; TS 24.484 clauses 7-8):
 * one per AUID, with schema validation through the @mcx/documents codecs (strict: unknown
 * elements in the document's own namespace and wrong order are schema errors), the CMS access
 * policy and the user-profile upload constraints.
 */
import {
  AUID,
  catalogue,
  parseUserProfile,
  serviceConfigCodec,
  ueConfigCodec,
  ueInitConfigCodec,
  userProfileCodec,
  validateDocument,
  type UserProfile,
} from '@mcx/documents';
import { DEFAULT_XML_LIMITS, parseXml, type ElementCodec, type XmlLimits } from '@mcx/xml';
import { ApplicationUsageRegistry, type ApplicationUsage, type ConstraintViolation, type DocumentCheckContext, type DocumentSelector } from '@mcx/xcap';
import { mayAccess } from './access-policy.ts';
import { DEFAULT_DOCUMENT_LIMITS, documentLimitViolation, type DocumentLimits } from './document-limits.ts';
import { undeclaredSimpleContentAttribute } from './simple-content-attributes.ts';
import type { WriteChecker } from './write-checker.ts';

/** The root element codec of each CMS document type (for the checks the strict decode does not make). */
const ROOT_CODECS: Readonly<Record<string, ElementCodec<unknown>>> = {
  [AUID.ueInitConfig]: ueInitConfigCodec as ElementCodec<unknown>,
  [AUID.ueConfig]: ueConfigCodec as ElementCodec<unknown>,
  [AUID.serviceConfig]: serviceConfigCodec as ElementCodec<unknown>,
  [AUID.userProfile]: userProfileCodec as ElementCodec<unknown>,
};

type XmlDocument = Parameters<ApplicationUsage['validate']>[0];

/**
 * Schema validation of a parsed document for an AUID (RFC 4825 clause 8.2.5): the strict codec
 * decode, then attributes on elements whose type has none. Null when valid, else the reason.
 */
export function documentValidationIssue(auid: string, xml: string, doc: () => XmlDocument): string | null {
  const r = validateDocument(auid, xml, { strict: true });
  if (!r.ok) return r.error.message;
  const codec = ROOT_CODECS[auid];
  return codec === undefined ? null : undeclaredSimpleContentAttribute(doc(), codec);
}

/** Schema validation of a document body for an AUID; null when valid, else the reason. */
export function validationIssue(auid: string, xml: string): string | null {
  return documentValidationIssue(auid, xml, () => parseXml(xml));
}

const PROFILE_NAME = /^mcptt-user-profile-(\d{1,3})\.xml$/;

/** The user-profile-index a document name carries (`mcptt-user-profile-<index>.xml`), if any. */
export function profileIndexOfPath(path: readonly string[]): number | undefined {
  const m = path.length === 1 ? PROFILE_NAME.exec(path[0]!) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * A user profile must name the user and index its URI names (TS 24.484 clause 8.3.1A: the
 * document `users/<MCPTT ID>/mcptt-user-profile-<index>.xml`, root XUI-URI / user-profile-index).
 */
export function profileIdentityViolation(profile: UserProfile, d: DocumentSelector): string | null {
  if (d.tree !== 'users') return 'user profiles live in the users tree';
  if (profile.xuiUri !== d.xui) return `XUI-URI ${profile.xuiUri} does not match the document's XUI ${d.xui}`;
  const index = profileIndexOfPath(d.path);
  if (index === undefined) return 'a user profile document is named mcptt-user-profile-<index>.xml';
  if (profile.userProfileIndex !== index) return `user-profile-index ${profile.userProfileIndex} does not match the document name (${index})`;
  return null;
}

/**
 * What a user may not change in an upload of user data (TS 23.280 clause 10.1.4.5): its identity, the list
 * of partner MC systems (TS 24.484 clause 4.2.2.1.2.1: configured by the primary MC system) and
 * the authorisations (allow-* rules, TS 24.484 clause 8.3.2.1).
 */
export function uploadViolation(next: UserProfile, previous: UserProfile | undefined): string | null {
  if (previous === undefined) return 'user profiles are created by the administrator';
  if (JSON.stringify(next.anyExt?.partnerMcSystems ?? null) !== JSON.stringify(previous.anyExt?.partnerMcSystems ?? null)) {
    return 'the partner MC system list is configured by the primary MC system';
  }
  if (JSON.stringify(next.ruleset ?? null) !== JSON.stringify(previous.ruleset ?? null)) return 'authorisations (ruleset) are configured by the administrator';
  return null;
}

/** Limits of the CMS on one document: the body size and attribute bounds, elements and depth (our choice, @mcx/xml limits.ts). */
export type CmsDocumentLimits = DocumentLimits & Partial<Pick<XmlLimits, 'maxElements' | 'maxDepth'>>;

/** The @mcx/xml limits the CMS counts on every written body before it builds a DOM. */
export function xmlLimitsOf(limits: CmsDocumentLimits): XmlLimits {
  return {
    maxBytes: limits.maxBodyBytes,
    maxElements: limits.maxElements ?? DEFAULT_XML_LIMITS.maxElements,
    maxDepth: limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth,
    maxAttributesPerElement: limits.maxAttributesPerElement,
    maxAttributeValueLength: limits.maxAttributeValueLength,
  };
}

function usage(auid: string, limits: CmsDocumentLimits, checker: WriteChecker | undefined, checkConstraints?: ApplicationUsage['checkConstraints']): ApplicationUsage {
  const entry = Object.values(catalogue).find((e) => e.auid === auid)!;
  return {
    auid,
    mimeType: entry.mimeType,
    defaultNamespace: entry.namespace,
    maxBodyBytes: limits.maxBodyBytes,
    limits: xmlLimitsOf(limits),
    // Writes are checked by the checker (in a worker thread when large) when the server has one.
    ...(checker ? { checkDocument: (body: string, ctx: DocumentCheckContext) => checker.check({ auid, xml: body, document: ctx.document, previousXml: ctx.previousBody, checks: 'csc4' }) } : {}),
    validate(doc, body) {
      const issue = documentValidationIssue(auid, body, () => doc);
      return issue === null ? null : [{ message: issue }];
    },
    checkConstraints(doc, ctx) {
      const limit = documentLimitViolation(doc, limits);
      if (limit !== null) return { kind: 'constraint', phrase: limit };
      return checkConstraints?.(doc, ctx) ?? null;
    },
    authorize: (ctx) => mayAccess(ctx.principal, ctx.document, ctx.operation),
  };
}

/**
 * The CMS application usages; `limits` bound what one write may store (document-limits.ts, and
 * elements and depth counted before parsing, @mcx/xml limits.ts); `checker` runs the checks of
 * whole-document writes (in worker threads for large bodies; without it they run inline).
 */
export function cmsApplicationUsages(limits: CmsDocumentLimits = DEFAULT_DOCUMENT_LIMITS, checker?: WriteChecker): ApplicationUsageRegistry {
  return new ApplicationUsageRegistry([
    usage(AUID.ueInitConfig, limits, checker),
    usage(AUID.ueConfig, limits, checker),
    usage(AUID.serviceConfig, limits, checker),
    usage(AUID.userProfile, limits, checker, (doc, ctx): ConstraintViolation | null => {
      const next = parseUserProfile(ctx.body, { strict: true });
      const identity = profileIdentityViolation(next, ctx.document);
      if (identity) return { kind: 'constraint', phrase: identity };
      const previous = ctx.previousBody === undefined ? undefined : parseUserProfile(ctx.previousBody);
      const upload = uploadViolation(next, previous);
      return upload ? { kind: 'constraint', phrase: upload } : null;
    }),
  ]);
}
