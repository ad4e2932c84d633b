/**
 * The XCAP server procedure, independent of the HTTP framework: one request in, one
 * response out (RFC 4825 clauses 7-8). Each method is a short sequence of named steps:
 * parse the URI, find the application usage, authorize, check the media type, evaluate the
 * preconditions, apply the operation to a fresh DOM, validate, check constraints, then
 * compare-and-set in the store (retrying from the read when another write won the race).
 */
import type { Document } from '@xmldom/xmldom';
import type { ApplicationUsage, DocumentVerdict, Principal } from '../app-usage/application-usage.ts';
import { defaultAuthorizationPolicy } from '../app-usage/application-usage.ts';
import type { ApplicationUsageRegistry } from '../app-usage/registry.ts';
import { evaluatePreconditions, preconditionFailed, type ConditionalHeaders } from '../conditional.ts';
import { deleteAttribute, deleteElement, parseAttributeBody, putAttribute, putElement, type OperationContext } from '../dom/operations.ts';
import { decodeUtf8, parseXmlDocument } from '../dom/parse.ts';
import { resolveSelection } from '../dom/select.ts';
import { WorkerPoolBusyError, serializeDocument, xmlLimitViolation } from '@mcx/xml';
import { renderSelection } from '../dom/render-selection.ts';
import { HttpError } from '../errors/http-error.ts';
import { XcapError } from '../errors/xcap-error.ts';
import { checkElementDepth } from './element-depth.ts';
import { checkUtf8Charset } from './charset.ts';
import { computeEtag, quoteEtag } from '../etag.ts';
import { XCAP_CAPS_AUID, XCAP_CAPS_MIME, renderXcapCaps } from '../app-usage/xcap-caps.ts';
import { XCAP_ATTRIBUTE_MIME, XCAP_ELEMENT_MIME, mediaTypeOf } from '../mime.ts';
import { EtagMismatch, type DocumentStore, type StoredDocument } from '../store/document-store.ts';
import type { XcapUri } from '../uri/xcap-uri.ts';
import { XcapUriCache } from '../uri/uri-cache.ts';
import { representationOf, quotedEtagOf } from '../store/representation.ts';
import type { XcapChangeEvent } from './change-event.ts';

export interface XcapRequest {
  method: string;
  /** Path and query below the XCAP root, e.g. `/resource-lists/users/sip:a@b/index/~~/...`. */
  target: string;
  /** Absolute XCAP root URI without trailing slash (for `<ancestor>`, RFC 4825 clause 11.1). */
  xcapRoot: string;
  headers: ConditionalHeaders & { contentType?: string | undefined };
  body?: Uint8Array;
  principal?: Principal | undefined;
}

export interface XcapResponse {
  status: number;
  headers: Record<string, string>;
  /**
   * The content. A HEAD answer carries the body a GET would (RFC 9110 clause 9.3.2): the
   * transport sends its length as Content-Length (clause 8.6) but not the content.
   */
  body?: string;
  /** `body` already encoded as UTF-8 (a whole document: encoded once per version); sent instead of `body`. */
  bodyBytes?: Buffer;
}

export interface XcapServiceOptions {
  registry: ApplicationUsageRegistry;
  store: DocumentStore;
  onChange?: (event: XcapChangeEvent) => void | Promise<void>;
  /** How often a write is retried after losing a compare-and-set race (default 50). */
  maxWriteAttempts?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Read-side cache of parsed documents keyed by ETag; reads never mutate their DOM. */
class ParsedDocumentCache {
  readonly #entries = new Map<string, { etag: string; doc: Document }>();
  constructor(readonly capacity: number) {}

  get(stored: StoredDocument): Document {
    const hit = this.#entries.get(stored.selector);
    if (hit !== undefined && hit.etag === stored.etag) return hit.doc;
    const doc = parseXmlDocument(stored.body, { stored: true });
    this.#entries.delete(stored.selector);
    this.#entries.set(stored.selector, { etag: stored.etag, doc });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return doc;
  }
}

function errorResponse(e: XcapError | HttpError): XcapResponse {
  const r = e.render();
  return { status: r.status, headers: r.headers, body: r.body };
}

export class XcapService {
  readonly #registry: ApplicationUsageRegistry;
  readonly #store: DocumentStore;
  readonly #onChange: XcapServiceOptions['onChange'];
  readonly #maxAttempts: number;
  readonly #cache = new ParsedDocumentCache(256);
  readonly #uris = new XcapUriCache();

  constructor(options: XcapServiceOptions) {
    this.#registry = options.registry;
    this.#store = options.store;
    this.#onChange = options.onChange;
    this.#maxAttempts = options.maxWriteAttempts ?? 50;
  }

  /** The body limit for a request target (the usage's maxBodyBytes, else the default). */
  maxBodyBytesFor(target: string): number {
    try {
      const auid = decodeURIComponent(target.replace(/^\//, '').split('/', 1)[0] ?? '');
      return this.#registry.get(auid)?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    } catch {
      return DEFAULT_MAX_BODY_BYTES;
    }
  }

  async handle(req: XcapRequest): Promise<XcapResponse> {
    try {
      const method = req.method.toUpperCase();
      if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) {
        throw new HttpError(405, `method ${method} not allowed`, { allow: 'GET, HEAD, PUT, DELETE' });
      }
      const uri = this.#uris.parse(req.target);
      if (uri.document.auid === XCAP_CAPS_AUID && this.#registry.get(XCAP_CAPS_AUID) === undefined) {
        return this.#xcapCaps(method, uri, req);
      }
      const usage = this.#registry.get(uri.document.auid);
      if (usage === undefined) throw new HttpError(404, `no application usage for AUID ${uri.document.auid}`);
      await this.#authorize(usage, uri, req.principal, method === 'GET' || method === 'HEAD' ? 'read' : 'write');
      if (method === 'GET' || method === 'HEAD') {
        return await this.#get(usage, uri, req);
      }
      if (method === 'PUT') return await this.#put(usage, uri, req);
      return await this.#delete(usage, uri, req);
    } catch (e) {
      if (e instanceof XcapError || e instanceof HttpError) return errorResponse(e);
      throw e;
    }
  }

  /** RFC 4825 clause 12: the generated, read-only capabilities document. */
  #xcapCaps(method: string, uri: XcapUri, req: XcapRequest): XcapResponse {
    if (uri.document.tree !== 'global' || uri.document.path.join('/') !== 'index' || uri.nodeSelector !== undefined) {
      throw new HttpError(404, 'xcap-caps has only global/index');
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'xcap-caps is read-only', { allow: 'GET, HEAD' });
    const body = renderXcapCaps(this.#registry);
    const etag = computeEtag(body);
    const outcome = evaluatePreconditions(method, req.headers, { etag, exists: true });
    if (outcome.result === 'precondition-failed') throw preconditionFailed(etag);
    if (outcome.result === 'not-modified') return { status: 304, headers: { etag: quoteEtag(etag) } };
    return { status: 200, headers: { 'content-type': XCAP_CAPS_MIME, etag: quoteEtag(etag) }, body };
  }

  /** RFC 4825 clause 5.7: the usage's authorization policy. Denied → 403. */
  async #authorize(usage: ApplicationUsage, uri: XcapUri, principal: Principal | undefined, operation: 'read' | 'write') {
    const policy = usage.authorize ?? defaultAuthorizationPolicy;
    const ok = await policy({
      principal,
      operation,
      tree: uri.document.tree,
      xui: uri.document.xui,
      path: uri.document.path,
      document: uri.document,
    });
    if (!ok) throw new HttpError(403, `${operation} access denied`);
  }

  /** GET of a document, element, attribute or namespace bindings (clauses 7.3, 7.6, 7.9, 7.10, 8.3). */
  async #get(usage: ApplicationUsage, uri: XcapUri, req: XcapRequest): Promise<XcapResponse> {
    const stored = await this.#store.get(uri.documentSelector);
    if (stored === undefined) throw new HttpError(404, 'no such document');
    let representation: { contentType: string; body: string } | undefined;
    if (uri.nodeSelector !== undefined) {
      const doc = this.#cache.get(stored);
      const selection = resolveSelection(doc, uri.nodeSelector, this.#selectorContext(usage, uri));
      if (selection === undefined) throw new HttpError(404, 'the node selector selects nothing');
      representation = renderSelection(selection);
    }
    const outcome = evaluatePreconditions('GET', req.headers, { etag: stored.etag, exists: true });
    if (outcome.result === 'precondition-failed') throw preconditionFailed(stored.etag);
    if (outcome.result === 'not-modified') return { status: 304, headers: { etag: quotedEtagOf(stored) } };
    if (representation === undefined) {
      const whole = representationOf(stored);
      return { status: 200, headers: { 'content-type': stored.contentType, etag: whole.quotedEtag }, body: stored.body, bodyBytes: whole.bytes };
    }
    return {
      status: 200,
      headers: { 'content-type': representation.contentType, etag: quotedEtagOf(stored) },
      body: representation.body,
    };
  }

  #selectorContext(usage: ApplicationUsage, uri: XcapUri): OperationContext {
    return {
      namespaces: uri.namespaces,
      defaultNamespace: usage.defaultNamespace,
      documentUri: '',
    };
  }

  /** The media type a PUT body must have (clause 8.2.1); anything else is 415. */
  #checkMediaType(usage: ApplicationUsage, uri: XcapUri, contentType: string | undefined): void {
    const terminal = uri.nodeSelector?.terminal;
    if (terminal?.kind === 'namespace') throw new HttpError(405, 'namespace bindings are read-only', { allow: 'GET, HEAD' });
    const expected =
      uri.nodeSelector === undefined ? usage.mimeType : terminal?.kind === 'attribute' ? XCAP_ATTRIBUTE_MIME : XCAP_ELEMENT_MIME;
    const got = mediaTypeOf(contentType);
    if (got !== expected.toLowerCase()) {
      throw new HttpError(415, `expected Content-Type ${expected}, got ${contentType ?? 'none'}`, { accept: expected });
    }
    checkUtf8Charset(contentType, expected);
  }

  /** Schema validation, then uniqueness/constraint checks (clauses 8.2.5, 5.5, 5.6). */
  #validate(usage: ApplicationUsage, uri: XcapUri, doc: Document, body: string, previous: StoredDocument | undefined): void {
    const issues = usage.validate(doc, body);
    if (issues !== null && issues.length > 0) {
      throw new XcapError({ tag: 'schema-validation-error' }, issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    }
    if (usage.checkConstraints === undefined) return;
    let previousDoc: Document | undefined;
    const violation = usage.checkConstraints(doc, {
      document: uri.document,
      get previous() {
        if (previous !== undefined) previousDoc ??= parseXmlDocument(previous.body, { stored: true });
        return previousDoc;
      },
      previousBody: previous?.body,
      body,
    });
    if (violation === null) return;
    if (violation.kind === 'uniqueness') throw new XcapError({ tag: 'uniqueness-failure', exists: violation.exists }, violation.phrase);
    throw new XcapError({ tag: 'constraint-failure' }, violation.phrase);
  }

  /** The usage's per-document limits on a body or a resulting document (409 constraint-failure, clause 11.5). */
  #checkLimits(usage: ApplicationUsage, text: string): void {
    if (usage.limits === undefined) return;
    const v = xmlLimitViolation(text, usage.limits);
    if (v !== null) throw new XcapError({ tag: 'constraint-failure' }, v.phrase);
  }

  /** The usage's asynchronous whole-document check (clauses 8.2.5, 5.5, 5.6); a full worker pool is 503. */
  async #checkDocument(usage: ApplicationUsage, uri: XcapUri, body: string, previous: StoredDocument | undefined): Promise<void> {
    let verdict: DocumentVerdict;
    try {
      verdict = await usage.checkDocument!(body, { document: uri.document, previousBody: previous?.body });
    } catch (e) {
      if (e instanceof WorkerPoolBusyError) throw new HttpError(503, e.message, { 'retry-after': String(e.retryAfterSeconds) });
      throw e;
    }
    if (verdict === null) return;
    if (verdict.kind === 'not-well-formed') throw new XcapError({ tag: 'not-well-formed' }, verdict.phrase);
    if (verdict.kind === 'schema') {
      throw new XcapError({ tag: 'schema-validation-error' }, verdict.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    }
    if (verdict.kind === 'uniqueness') throw new XcapError({ tag: 'uniqueness-failure', exists: verdict.exists }, verdict.phrase);
    throw new XcapError({ tag: 'constraint-failure' }, verdict.phrase);
  }

  /** PUT (clauses 7.1, 7.4, 7.7, 8.2). */
  async #put(usage: ApplicationUsage, uri: XcapUri, req: XcapRequest): Promise<XcapResponse> {
    this.#checkMediaType(usage, uri, req.headers.contentType);
    const bytes = req.body ?? new Uint8Array();
    if (bytes.byteLength > (usage.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) throw new HttpError(413, 'body too large');
    let text = decodeUtf8(bytes);
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    const sel = uri.nodeSelector;
    const ctx: OperationContext = {
      ...this.#selectorContext(usage, uri),
      documentUri: `${req.xcapRoot}/${uri.documentSelector}`,
    };
    // Clause 8.2.2: a document body is checked before anything is stored.
    if (sel?.terminal?.kind !== 'attribute') checkElementDepth(text, sel === undefined ? 'not-well-formed' : 'not-xml-frag');
    this.#checkLimits(usage, text);
    const offloaded = usage.checkDocument !== undefined;
    const newDocument = sel === undefined && !offloaded ? parseXmlDocument(text) : undefined;
    const attributeValue = sel?.terminal?.kind === 'attribute' ? parseAttributeBody(text) : undefined;

    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const current = await this.#store.get(uri.documentSelector);
      let doc: Document;
      let created: boolean;
      let newBody: string;
      if (sel === undefined) {
        const outcome = evaluatePreconditions('PUT', req.headers, { etag: current?.etag, exists: current !== undefined });
        if (outcome.result !== 'proceed') throw preconditionFailed(current?.etag);
        doc = newDocument!;
        created = current === undefined;
        newBody = text;
      } else {
        if (current === undefined) {
          throw new XcapError({ tag: 'no-parent', ancestor: req.xcapRoot }, 'the document does not exist');
        }
        doc = parseXmlDocument(current.body, { stored: true });
        const exists = resolveSelection(doc, sel, ctx) !== undefined;
        const outcome = evaluatePreconditions('PUT', req.headers, { etag: current.etag, exists });
        if (outcome.result !== 'proceed') throw preconditionFailed(current.etag);
        created =
          attributeValue === undefined ? putElement(doc, sel, text, ctx).created : putAttribute(doc, sel, attributeValue, ctx).created;
        newBody = serializeDocument(doc);
        this.#checkLimits(usage, newBody);
      }
      if (offloaded) await this.#checkDocument(usage, uri, newBody, current);
      else this.#validate(usage, uri, doc, newBody, current);
      if (current !== undefined && current.body === newBody) {
        return { status: 200, headers: { etag: quoteEtag(current.etag) } };
      }
      let stored: StoredDocument;
      try {
        stored = await this.#store.put(uri.documentSelector, newBody, { ifEtag: current?.etag ?? null, contentType: usage.mimeType });
      } catch (e) {
        if (e instanceof EtagMismatch) continue;
        throw e;
      }
      await this.#notify(uri, current, stored, req.principal);
      return { status: created ? 201 : 200, headers: { etag: quoteEtag(stored.etag) } };
    }
    return { status: 503, headers: { 'retry-after': '1' }, body: 'too much contention on this document\n' };
  }

  /** DELETE (clauses 7.2, 7.5, 7.8, 8.4). */
  async #delete(usage: ApplicationUsage, uri: XcapUri, req: XcapRequest): Promise<XcapResponse> {
    const sel = uri.nodeSelector;
    if (sel?.terminal?.kind === 'namespace') throw new HttpError(405, 'namespace bindings are read-only', { allow: 'GET, HEAD' });
    const ctx: OperationContext = {
      ...this.#selectorContext(usage, uri),
      documentUri: `${req.xcapRoot}/${uri.documentSelector}`,
    };
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const current = await this.#store.get(uri.documentSelector);
      if (current === undefined) throw new HttpError(404, 'no such document');
      if (sel === undefined) {
        const outcome = evaluatePreconditions('DELETE', req.headers, { etag: current.etag, exists: true });
        if (outcome.result !== 'proceed') throw preconditionFailed(current.etag);
        try {
          await this.#store.delete(uri.documentSelector, { ifEtag: current.etag });
        } catch (e) {
          if (e instanceof EtagMismatch) continue;
          throw e;
        }
        await this.#notify(uri, current, undefined, req.principal);
        return { status: 200, headers: {} };
      }
      const doc = parseXmlDocument(current.body, { stored: true });
      if (resolveSelection(doc, sel, ctx) === undefined) throw new HttpError(404, 'the node selector selects nothing');
      const outcome = evaluatePreconditions('DELETE', req.headers, { etag: current.etag, exists: true });
      if (outcome.result !== 'proceed') throw preconditionFailed(current.etag);
      if (sel.terminal?.kind === 'attribute') deleteAttribute(doc, sel, ctx);
      else deleteElement(doc, sel, ctx);
      const newBody = serializeDocument(doc);
      this.#validate(usage, uri, doc, newBody, current);
      let stored: StoredDocument;
      try {
        stored = await this.#store.put(uri.documentSelector, newBody, { ifEtag: current.etag, contentType: usage.mimeType });
      } catch (e) {
        if (e instanceof EtagMismatch) continue;
        throw e;
      }
      await this.#notify(uri, current, stored, req.principal);
      return { status: 200, headers: { etag: quoteEtag(stored.etag) } };
    }
    return { status: 503, headers: { 'retry-after': '1' }, body: 'too much contention on this document\n' };
  }

  async #notify(uri: XcapUri, previous: StoredDocument | undefined, next: StoredDocument | undefined, principal: Principal | undefined) {
    if (this.#onChange === undefined) return;
    const event: XcapChangeEvent = {
      selector: uri.documentSelector,
      document: uri.document,
      version: next?.version ?? previous!.version,
      contentType: next?.contentType ?? previous!.contentType,
      principal,
    };
    if (previous !== undefined) {
      event.previousEtag = previous.etag;
      event.previousBody = previous.body;
    }
    if (next !== undefined) {
      event.newEtag = next.etag;
      event.newBody = next.body;
    }
    try {
      await this.#onChange(event);
    } catch (e) {
      // The change is stored: a failing listener must not turn it into an error response.
      process.emitWarning(`XCAP onChange listener failed for ${event.selector}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
