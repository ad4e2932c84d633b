/**
 * Attributes on elements whose XSD type has none. The strict codecs already refuse an unknown
 * attribute on a complex type without `xs:anyAttribute` and an unknown element in the document's
 * own namespace; what they do not see is an attribute on an element of a simple type (e.g.
 * `<Status foo="x">`, `Status` is `xs:boolean` in mcptt-user-profile.xsd) or of the empty complex
 * type `emptyType`: neither allows any attribute (XML Schema 1.0 Part 1 clause 3.4.4, Element
 * Locally Valid (Complex Type) 3.2.2 / clause 3.3.4 for simple types), so such a document is
 * not schema-valid (RFC 4825 clause 8.2.5 → 409 `schema-validation-error`).
 *
 * The walk follows the codec description (the same model the strict decode uses); content the
 * model keeps as an extension (`anyExt`, `##other` wildcards) is lax and not descended into.
 * Attributes in the XML Schema instance namespace (`xsi:type`, `xsi:nil`, ...) are allowed on
 * any element (XML Schema 1.0 Part 1 clause 3.4.4, 3.2.1).
 */
import { XMLNS_NS, childElements, type CodecDescription, type ElementCodec } from '@mcx/xml';
import type { ApplicationUsage } from '@mcx/xcap';

type XmlDocument = Parameters<ApplicationUsage['validate']>[0];
type XmlElement = NonNullable<XmlDocument['documentElement']>;

/** XML Schema 1.0 Part 1 clause 3.2.7: the instance namespace, whose attributes every element may carry. */
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * The first attribute the document's model does not allow on an element of simple or empty
 * content, as a phrase naming its path; null when there is none.
 */
export function undeclaredSimpleContentAttribute(doc: XmlDocument, rootCodec: ElementCodec<unknown>): string | null {
  const root = doc.documentElement;
  return root ? walk(root, rootCodec.description, `/${root.tagName}`) : null;
}

function walk(el: XmlElement, description: CodecDescription | undefined, path: string): string | null {
  if (description === undefined) return null;
  if (description.kind !== 'complex') {
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      if (a.namespaceURI === XMLNS_NS || a.name === 'xmlns' || a.namespaceURI === XSI_NS) continue;
      const type = description.kind === 'leaf' ? description.type.name : 'empty';
      return `${path}/@${a.name}: <${el.localName}> is of type ${type} and has no attributes`;
    }
    return null;
  }
  const ownNs = el.namespaceURI ?? null;
  const fields = Object.values(description.fields);
  for (const ch of childElements(el)) {
    const chNs = ch.namespaceURI ?? null;
    const local = ch.localName ?? ch.tagName;
    const field = fields.find((f) => f.kind === 'child' && f.name === local && ((f.ns ?? ownNs) === chNs || f.altNs.includes(chNs ?? '')));
    if (field?.kind !== 'child') continue; // anyExt and wildcard content is lax
    const issue = walk(ch, field.codec.description, `${path}/${ch.tagName}`);
    if (issue !== null) return issue;
  }
  return null;
}
