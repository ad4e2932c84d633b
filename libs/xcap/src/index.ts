/**
 * @mcx/xcap: an RFC 4825 XCAP engine (URIs, node selectors, application usages, document /
 * element / attribute operations, strong ETags, conditional requests), the XCAP protocol
 * documents (xcap-error, RFC 4825 clause 11; xcap-diff, RFC 5874) with one model and codec
 * each, xcap-diff generation (server) and application (client), an express router and a
 * client. It knows no MCX document: servers register their application usages. XML parsing
 * and serialization come from @mcx/xml.
 */
export { XCAP_ATTRIBUTE_MIME, XCAP_DIFF_MIME, XCAP_ELEMENT_MIME, XCAP_ERROR_MIME, XCAP_NAMESPACES_MIME, mediaTypeOf } from './mime.ts';
export {
  XcapError,
  XCAP_ERROR_NAMESPACE,
  XCAP_ERROR_ROOT,
  SIMPLE_XCAP_ERROR_CONDITIONS,
  parseXcapError,
  serializeXcapError,
  xcapErrorDocument,
  xcapErrorBodySchema,
  type XcapErrorBody,
  type XcapErrorCondition,
  type SimpleXcapErrorCondition,
  type UniquenessExists,
  type RenderedResponse,
} from './errors/xcap-error.ts';
export { HttpError, BadXcapUri } from './errors/http-error.ts';
export { parseNodeSelector, formatNodeSelector, type NodeSelector, type Step, type NameTest, type AttributeTest, type TerminalSelector } from './uri/node-selector.ts';
export { parseQName, formatQName, type QName } from './uri/qname.ts';
export { parseXcapUri, formatXcapUri, formatDocumentSelector, parseNamespaceBindings, type XcapUri, type DocumentSelector, type XcapTree } from './uri/xcap-uri.ts';
export { percentDecode, encodePathSegment, encodeNodeSelector } from './uri/percent.ts';
export { XcapUriCache } from './uri/uri-cache.ts';
export {
  defaultAuthorizationPolicy,
  type ApplicationUsage,
  type ValidationIssue,
  type ConstraintViolation,
  type ConstraintContext,
  type DocumentVerdict,
  type DocumentCheckContext,
  type AuthorizationContext,
  type Principal,
} from './app-usage/application-usage.ts';
export { ApplicationUsageRegistry } from './app-usage/registry.ts';
export { parseXmlDocument, parseElementFragment, decodeUtf8 } from './dom/parse.ts';
export { resolveSelection, selectElements, type Selection, type SelectorContext } from './dom/select.ts';
export { putElement, deleteElement, putAttribute, deleteAttribute, parseAttributeBody, type OperationContext, type OperationResult } from './dom/operations.ts';
export { computeEtag, quoteEtag, parseEntityTagList, type EntityTagList } from './etag.ts';
export { evaluatePreconditions, type ConditionalHeaders, type ConditionalOutcome, type ResourceState } from './conditional.ts';
export { EtagMismatch, type DocumentStore, type StoredDocument, type PutOptions, type DeleteOptions, type ExpectedEtag } from './store/document-store.ts';
export { InMemoryDocumentStore } from './store/memory-store.ts';
export { representationOf, quotedEtagOf, type DocumentRepresentation } from './store/representation.ts';
export { XcapService, DEFAULT_MAX_BODY_BYTES, type XcapRequest, type XcapResponse, type XcapServiceOptions } from './server/xcap-service.ts';
export { createXcapRouter, type XcapRouterOptions } from './server/router.ts';
export { checkElementDepth, elementDepth, MAX_ELEMENT_DEPTH } from './server/element-depth.ts';
export type { XcapChangeEvent } from './server/change-event.ts';
export {
  XCAP_DIFF_NAMESPACE,
  XCAP_DIFF_ROOT,
  parseXcapDiff,
  serializeXcapDiff,
  renderXcapDiff,
  renderDocumentDiff,
  selectorScope,
  xcapDiffDocument,
  xcapDiffSchema,
  type XcapDiff,
  type DocumentDiff,
  type ElementDiff,
  type AttributeDiff,
  type PatchOperation,
} from './diff/xcap-diff.ts';
export { diffDocument, type DocumentChange, type DiffOptions } from './diff/diff-document.ts';
export { generatePatch, NotPatchable } from './diff/patch-generate.ts';
export { applyPatchOperation, PatchError } from './diff/patch-apply.ts';
export { applyDocumentEntry, applyXcapDiff, type DiffApplication, type LocalCopy } from './diff/apply-diff.ts';
export { XcapClient, type XcapClientOptions, type XcapResult, type ConditionalOptions } from './client/xcap-client.ts';
export { renderXcapCaps, XCAP_CAPS_AUID, XCAP_CAPS_MIME, XCAP_CAPS_NAMESPACE } from './app-usage/xcap-caps.ts';
