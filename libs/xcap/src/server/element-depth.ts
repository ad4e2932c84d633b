/**
 * A limit on element nesting, checked on the request text before it is parsed: the DOM
 * operations, the serializer and the validators walk documents recursively, so a body nesting
 * tens of thousands of elements would exhaust the stack. RFC 4825 sets no limit; the value
 * (128 levels, far above any MCX document of TS 24.484 / TS 24.481) is our choice. A deeper body
 * is refused with 409 `not-well-formed` (`not-xml-frag` for an element PUT; RFC 4825 clause
 * 11.2), with a phrase saying why.
 */
import { XcapError } from '../errors/xcap-error.ts';

/** Deepest element nesting a document (or an element fragment) may have. */
export const MAX_ELEMENT_DEPTH = 128;

/**
 * The deepest element nesting of `text`, counted lexically (comments, CDATA sections,
 * processing instructions and declarations skipped; quoted attribute values may hold `>`).
 * Stops counting once `stopAbove` is exceeded.
 */
export function elementDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    const next = text.charCodeAt(i + 1);
    let end: number;
    if (text.startsWith('<!--', i)) end = endOf(text, '-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) end = endOf(text, ']]>', i + 9);
    else if (next === 0x3f /* ? */) end = endOf(text, '?>', i + 2);
    else if (next === 0x21 /* ! */) end = endOf(text, '>', i + 2);
    else {
      end = endOfTag(text, i + 1);
      if (next === 0x2f /* / */) depth--;
      else if (text.charCodeAt(end - 2) !== 0x2f) {
        depth++;
        if (depth > max) max = depth;
        if (max > stopAbove) return max;
      }
    }
    i = text.indexOf('<', end);
  }
  return max;
}

function endOf(text: string, terminator: string, from: number): number {
  const j = text.indexOf(terminator, from);
  return j < 0 ? text.length : j + terminator.length;
}

/** The index after the `>` closing a tag that starts at `from`, skipping quoted attribute values. */
function endOfTag(text: string, from: number): number {
  let quote = 0;
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return j + 1;
  }
  return text.length;
}

/**
 * Throws `not-well-formed` (a document) or `not-xml-frag` (an element fragment, RFC 4825 clause
 * 11.2) when `text` nests elements deeper than `limit`.
 */
export function checkElementDepth(text: string, tag: 'not-well-formed' | 'not-xml-frag' = 'not-well-formed', limit = MAX_ELEMENT_DEPTH): void {
  if (elementDepth(text, limit) > limit) {
    throw new XcapError({ tag }, `elements nest deeper than ${limit} levels`);
  }
}
