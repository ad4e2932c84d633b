/**
 * @mcx/xcap: an RFC 4825 XCAP engine (URIs, node selectors, application usages, document /
 * element / attribute operations, strong ETags, conditional requests, xcap-error documents)
 * with RFC 5874 xcap-diff generation and application, an express router and a client.
 * It knows no MCX document: servers register their application usages.
 */
export { XCAP_ATTRIBUTE_MIME, XCAP_DIFF_MIME, XCAP_ELEMENT_MIME, XCAP_ERROR_MIME, XCAP_NAMESPACES_MIME, mediaTypeOf } from './mime.ts';
export { XcapError, XCAP_ERROR_NAMESPACE, type XcapErrorCondition, type UniquenessExists, type RenderedResponse } from './errors/xcap-error.ts';
export { HttpError, BadXcapUri } from './errors/http-error.ts';
export { parseNodeSelector, formatNodeSelector, type NodeSelector, type Step, type NameTest, type AttributeTest, type TerminalSelector } from './uri/node-selector.ts';
export { parseQName, formatQName, type QName } from './uri/qname.ts';
export { parseXcapUri, formatXcapUri, formatDocumentSelector, parseNamespaceBindings, type XcapUri, type DocumentSelector, type XcapTree } from './uri/xcap-uri.ts';
export { percentDecode, encodePathSegment, encodeNodeSelector } from './uri/percent.ts';
export {
  defaultAuthorizationPolicy,
  type ApplicationUsage,
  type ValidationIssue,
  type ConstraintViolation,
  type ConstraintContext,
  type AuthorizationContext,
  type Principal,
} from './app-usage/application-usage.ts';
export { ApplicationUsageRegistry } from './app-usage/registry.ts';
export { parseXmlDocument, parseElementFragment, decodeUtf8 } from './dom/parse.ts';
export { serializeDocument, serializeNode, serializeStandalone } from './dom/serialize.ts';
export { resolveSelection, selectElements, type Selection, type SelectorContext } from './dom/select.ts';
export { putElement, deleteElement, putAttribute, deleteAttribute, parseAttributeBody, type OperationContext, type OperationResult } from './dom/operations.ts';
export { inScopeNamespaces } from './dom/namespaces.ts';
export { computeEtag, quoteEtag, parseEntityTagList, type EntityTagList } from './etag.ts';
export { evaluatePreconditions, type ConditionalHeaders, type ConditionalOutcome, type ResourceState } from './conditional.ts';
export { EtagMismatch, type DocumentStore, type StoredDocument, type PutOptions, type DeleteOptions, type ExpectedEtag } from './store/document-store.ts';
export { InMemoryDocumentStore } from './store/memory-store.ts';
export { XcapService, DEFAULT_MAX_BODY_BYTES, type XcapRequest, type XcapResponse, type XcapServiceOptions } from './server/xcap-service.ts';
export { createXcapRouter, type XcapRouterOptions } from './server/router.ts';
export type { XcapChangeEvent } from './server/change-event.ts';
export { diffDocument, renderXcapDiff, parseXcapDiff, XCAP_DIFF_NAMESPACE, type DocumentChange, type DocumentDiff, type DiffOptions, type ParsedXcapDiff, type ParsedDocumentEntry } from './diff/xcap-diff.ts';
export { generatePatch, renderPatchOperation, NotPatchable, type PatchOperation } from './diff/patch-generate.ts';
export { applyPatchOperation, PatchError } from './diff/patch-apply.ts';
export { applyDocumentEntry, applyXcapDiff, type DiffApplication, type LocalCopy } from './diff/apply-diff.ts';
export { XcapClient, type XcapClientOptions, type XcapResult, type ConditionalOptions } from './client/xcap-client.ts';
export { renderXcapCaps, XCAP_CAPS_AUID, XCAP_CAPS_MIME, XCAP_CAPS_NAMESPACE } from './app-usage/xcap-caps.ts';
