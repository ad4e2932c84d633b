/**
 * Entry points of the schema folder for bodies that are not configuration documents: the name to
 * hand to `validateXml`. Configuration documents name their schema in the catalogue of
 * @mcx/documents.
 */

/**
 * The xcap-diff document (RFC 5874 clause 7, `application/xcap-diff+xml`), the body of every
 * xcap-diff NOTIFY (RFC 5875). It includes the RFC 5261 clause 8 patch operation types
 * (`ietf/patch-ops.xsd`).
 */
export const XCAP_DIFF_XSD = 'ietf/xcap-diff.xsd';
