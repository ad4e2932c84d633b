/**
 * Representations of element, attribute and namespace-binding resources (RFC 4825
 * clauses 7.6, 7.9, 7.10 and 10).
 */
import { XCAP_ATTRIBUTE_MIME, XCAP_ELEMENT_MIME, XCAP_NAMESPACES_MIME } from '../mime.ts';
import { escapeAttr, inScopeNamespaces, serializeNode } from '@mcx/xml';
import type { Selection } from './select.ts';

export function renderSelection(selection: Selection): { contentType: string; body: string } {
  switch (selection.kind) {
    case 'element':
      // Clause 7.6: the element as it appears in the document, namespace declarations not added.
      return { contentType: XCAP_ELEMENT_MIME, body: serializeNode(selection.element) };
    case 'attribute':
      // Clause 7.9: the attribute value, escaped as an AttValue without the quotes.
      return { contentType: XCAP_ATTRIBUTE_MIME, body: escapeAttr(selection.attribute.value) };
    case 'namespace': {
      // Clause 10: an element named like the selected one, carrying every in-scope binding.
      const decls = [...inScopeNamespaces(selection.element)]
        .filter(([p]) => p !== 'xml')
        .map(([p, ns]) => (p === '' ? ` xmlns="${escapeAttr(ns)}"` : ` xmlns:${p}="${escapeAttr(ns)}"`))
        .join('');
      return { contentType: XCAP_NAMESPACES_MIME, body: `<${selection.element.nodeName}${decls}/>` };
    }
  }
}
