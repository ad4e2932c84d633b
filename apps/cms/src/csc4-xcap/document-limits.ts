/**
 * Per-document limits on what a write may store. The XSDs put no bound on `xs:anyAttribute`
 * wildcards or on string lengths, so a schema-valid document could carry 10,000 attributes or a
 * 900 KB attribute value; the bounds here are our own choice (configured in the CMS config,
 * `documentLimits`), refused as RFC 4825 clause 11.5 `constraint-failure` (409) with a phrase
 * naming the limit. The body size bound is the application usage's `maxBodyBytes` (413).
 */
import type { ApplicationUsage } from '@mcx/xcap';

type XmlDocument = Parameters<ApplicationUsage['validate']>[0];
type XmlElement = NonNullable<XmlDocument['documentElement']>;

export interface DocumentLimits {
  /** Largest request body of a PUT, in bytes (larger → 413). */
  readonly maxBodyBytes: number;
  /** Most attributes on one element, namespace declarations not counted. */
  readonly maxAttributesPerElement: number;
  /** Longest attribute value, in characters. */
  readonly maxAttributeValueLength: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  maxBodyBytes: 1024 * 1024,
  maxAttributesPerElement: 256,
  maxAttributeValueLength: 64 * 1024,
};

/** The first limit the document exceeds, as a phrase; null when it keeps within them all. */
export function documentLimitViolation(doc: XmlDocument, limits: DocumentLimits): string | null {
  const root = doc.documentElement;
  if (!root) return null;
  const stack: XmlElement[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    const attrs = el.attributes;
    let count = 0;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      if (a.name === 'xmlns' || a.prefix === 'xmlns') continue;
      if (++count > limits.maxAttributesPerElement) {
        return `<${el.tagName}> has more than ${limits.maxAttributesPerElement} attributes (limit of this server)`;
      }
      if (a.value.length > limits.maxAttributeValueLength) {
        return `attribute ${a.name} of <${el.tagName}> is longer than ${limits.maxAttributeValueLength} characters (limit of this server)`;
      }
    }
    for (let c = el.lastChild; c; c = c.previousSibling) if (c.nodeType === 1) stack.push(c as XmlElement);
  }
  return null;
}
