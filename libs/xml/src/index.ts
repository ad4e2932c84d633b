/**
 * @mcx/xml: the one XML stack of the repository.
 *
 * - Parsing (`parseXml`): namespace-aware `@xmldom/xmldom`, any DOCTYPE refused before parsing,
 *   so no external entity is fetched and no entity is expanded (XXE, "billion laughs");
 *   every xmldom diagnostic, warnings included, is a `not-well-formed` DocumentError.
 * - Limits (`xmlLimitViolation`, `parseXml(text, { limits })`): size, elements, depth and
 *   attributes counted on the text before any DOM is built; `XmlWorkerPool` runs parsing and
 *   validation that cannot be bounded cheaply off the servers' shared event loop.
 * - Namespaces (Namespaces in XML 1.0): in-scope bindings, declarations, Clark names.
 * - Serialization: a DOM node as it is (`serializeNode`), with the declarations it needs in a
 *   scope (`serializeStandalone`), a whole document (`serializeDocument`), the canonical
 *   self-contained form of an unmodelled element (`extractExtension`), and the output tree
 *   the codecs build (`outElement` / `printXml`).
 * - The declarative binding: XML Schema simple types, element codecs (`complex`, `one`,
 *   `many`, ...) that yield a zod model, a decoder and an encoder from one description, and
 *   `defineDocument` for a whole document type.
 *
 * Why a library of its own: @mcx/xcap (the RFC 4825 engine, which knows no MCX document) and
 * @mcx/documents (the MCX documents) both need it, and neither should depend on the other.
 * With the XML stack here, the graph is `xml <- xcap` and `xml <- documents`, with no edge
 * between xcap and documents, so no cycle can form. The XCAP protocol documents (xcap-diff,
 * xcap-error) live in @mcx/xcap, which produces and consumes them.
 */

// Errors
export { DocumentError, isDocumentError, type DocumentErrorCode } from './document-error.ts';

// Parsing and element helpers
export { parseXml, childElements, locate, type ParseXmlOptions } from './parse.ts';

// Per-document limits (checked on the text before a DOM is built) and the worker thread pool
export { DEFAULT_XML_LIMITS, XmlLimitError, checkXmlLimits, xmlLimitViolation, type XmlLimits, type XmlLimitName, type XmlLimitViolation, type XmlShape } from './limits.ts';
export { XmlWorkerPool, WorkerPoolBusyError, WorkerTaskError, type WorkerPoolOptions, type WorkerPoolStats } from './worker-pool.ts';

// Namespaces and escaping
export { XML_NS, XMLNS_NS, isNamespaceDeclaration, inScopeNamespaces, declaredPrefixes, clarkName, parseClarkName } from './namespaces.ts';
export { escapeText, escapeAttr, isXmlChars } from './escape.ts';

// Serialization
export { serializeNode, serializeStandalone, serializeDocument } from './serialize.ts';
export { extractExtension, canonicalizeExtension, isWellFormedContent, extensionSchema, contentSchema, type Extension } from './extension.ts';
export { outElement, printXml, type OutElement, type OutAttr, type OutNode, type PrintOptions } from './writer.ts';

// Declarative binding
export * from './simple-types.ts';
export * from './binding.ts';
export { defineDocument, decodeRoot, encodeRoot, type DocumentCodec, type DocumentOptions } from './document-codec.ts';
