/**
 * A schema that cannot be used: the file is not in the repository's schema folder, it imports
 * something outside it, or libxml2 cannot compile it. This is a fault of the test set-up, not a
 * verdict on the document, so `validateXml` rejects with it instead of returning `ok: false`.
 */
export type SchemaErrorReason = 'not-found' | 'outside-schema-folder' | 'not-compiled';

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    readonly reason: SchemaErrorReason,
    readonly schema: string,
    message: string,
  ) {
    super(`${schema}: ${message}`);
  }
}
