/**
 * An XCAP application usage (RFC 4825 clause 5): everything the generic engine needs to know
 * about one AUID. The engine knows no document type; usages are registered by the servers.
 */
import type { Document } from '@xmldom/xmldom';
import type { XmlLimits } from '@mcx/xml';
import type { DocumentSelector } from '../uri/xcap-uri.ts';
import type { UniquenessExists } from '../errors/xcap-error.ts';

/** One reason a document does not conform to the usage's schema (RFC 4825 clause 5.3). */
export interface ValidationIssue {
  message: string;
  /** Where in the document, free-form (e.g. a node selector). */
  path?: string;
}

/** A broken uniqueness (clause 5.5) or other data constraint (clause 5.6). */
export type ConstraintViolation =
  | { kind: 'uniqueness'; exists: readonly UniquenessExists[]; phrase?: string }
  | { kind: 'constraint'; phrase: string };

/** Who made the request, as the server's authenticate hook found out. */
export interface Principal {
  /** The authenticated identity, compared with the XUI of the users tree. */
  id: string;
  /** Free-form roles, e.g. `admin`, for authorization policies. */
  roles?: readonly string[];
}

export interface AuthorizationContext {
  principal: Principal | undefined;
  operation: 'read' | 'write';
  tree: 'global' | 'users';
  xui: string | undefined;
  /** The document path below the tree (directories and document name). */
  path: readonly string[];
  document: DocumentSelector;
}

export interface ConstraintContext {
  document: DocumentSelector;
  /**
   * The stored version before this change, when there is one, parsed when first read (issue #14:
   * a usage that does not compare with it costs no parse of it).
   */
  readonly previous: Document | undefined;
  /** The text of that version. */
  readonly previousBody: string | undefined;
  /** The text the write stores (see `validate`). */
  readonly body: string;
}

/**
 * What a check of a whole new document body found: nothing (null), a body that is not
 * well-formed (RFC 4825 clause 11.2 `not-well-formed`), schema issues (clause 8.2.5) or a broken
 * uniqueness or data constraint (clauses 5.5, 5.6).
 */
export type DocumentVerdict =
  | null
  | { kind: 'not-well-formed'; phrase: string }
  | { kind: 'schema'; issues: readonly ValidationIssue[] }
  | ConstraintViolation;

export interface DocumentCheckContext {
  document: DocumentSelector;
  /** The stored body before this change, when there is one. */
  previousBody: string | undefined;
}

export interface ApplicationUsage {
  /** Application Unique ID (clause 5.1). */
  auid: string;
  /** MIME type of the documents (clause 5.4). */
  mimeType: string;
  /** Default document namespace (clause 5.2); unprefixed node selector names resolve to it. */
  defaultNamespace: string;
  /** The other namespaces its documents use (extensions, embedded vocabularies), listed in xcap-caps (clause 12). */
  namespaces?: readonly string[];
  /**
   * Schema validation (clause 5.3); null or [] means valid. `body` is the text the write stores:
   * the client's document, or the serialization of `doc` after an element or attribute write
   * (so that a usage that checks text does not serialize the DOM again; issue #14).
   */
  validate(doc: Document, body: string): readonly ValidationIssue[] | null;
  /** Uniqueness and data constraints (clauses 5.5, 5.6); null means satisfied. */
  checkConstraints?(doc: Document, ctx: ConstraintContext): ConstraintViolation | null;
  /** Authorization policy (clause 5.7); defaults to `defaultAuthorizationPolicy`. */
  authorize?(ctx: AuthorizationContext): boolean | Promise<boolean>;
  /** Largest accepted request body in bytes (413 above it); default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Per-document limits (elements, depth, attributes; @mcx/xml limits.ts), counted on the body
   * and on the resulting document before any DOM is built for it: exceeding one is 409
   * `constraint-failure` (clause 11.5) with a phrase naming the limit. Our choice; none by default.
   */
  limits?: XmlLimits;
  /**
   * Validation and constraints of a whole resulting document body in one asynchronous call, in
   * place of `validate` + `checkConstraints` on a PUT, so that a usage can run them off the
   * event loop (e.g. in an XmlWorkerPool). With it, a document PUT builds no DOM on the event
   * loop. A WorkerPoolBusyError it throws is answered 503 + Retry-After.
   */
  checkDocument?(body: string, ctx: DocumentCheckContext): Promise<DocumentVerdict>;
}

/**
 * RFC 4825 clause 5.7 default policy: a document in `users/<XUI>` may be read and written
 * only by that user; the global tree may be read by any authenticated principal and written
 * by a principal holding the `admin` role.
 */
export function defaultAuthorizationPolicy(ctx: AuthorizationContext): boolean {
  const p = ctx.principal;
  if (p === undefined) return false;
  if (ctx.tree === 'users') return p.id === ctx.xui || (p.roles?.includes('admin') ?? false);
  return ctx.operation === 'read' || (p.roles?.includes('admin') ?? false);
}
