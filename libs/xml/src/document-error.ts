/**
 * The one error type of XML parsing and of the binding. Every rejection of a document (while
 * parsing) or of a model (while serializing) is a DocumentError that says what went wrong (`code`) and where
 * (`where`: an element path such as `/mcptt-user-profile/OnNetwork/MaxAffiliationsN2`,
 * followed by ` (line L, column C)` when the input position is known).
 */
export type DocumentErrorCode =
  /** The input is not well-formed XML (XML 1.0 clause 2.1). */
  | 'not-well-formed'
  /** A DOCTYPE (DTD) was present. We never process DTDs, so no entity is ever expanded. */
  | 'doctype-forbidden'
  /** The root element's local name is not the one of the document type. */
  | 'wrong-root'
  /** The root element is in the wrong namespace (or none). */
  | 'wrong-namespace'
  /** The document is well-formed but does not match the schema (missing/unexpected/wrong type). */
  | 'schema'
  /** A model given to a serializer does not satisfy the zod schema. */
  | 'invalid-model'
  /** No document type is registered for the AUID. */
  | 'unknown-auid'
  /** The document exceeds a per-document limit of this server (limits.ts; our choice). */
  | 'limit-exceeded';

export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  constructor(
    readonly code: DocumentErrorCode,
    /** What is wrong, without the code and location. */
    readonly reason: string,
    readonly where: string = '/',
  ) {
    super(`${code} at ${where}: ${reason}`);
  }
}

/** Type guard usable across package copies. */
export function isDocumentError(e: unknown): e is DocumentError {
  return e instanceof DocumentError;
}
