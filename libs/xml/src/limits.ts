/**
 * Per-document limits, checked on the text before a DOM is built: one lexical pass counts
 * elements, nesting depth, attributes per element and attribute value lengths, and stops at the
 * first limit exceeded. Building a DOM costs tens of microseconds per element (xmldom) and every
 * later step walks it again, so a document with 200,000 tiny elements is refused here in
 * milliseconds instead of being parsed for seconds.
 *
 * XML 1.0 and the MCX schemas set none of these bounds (xs:any and xs:anyAttribute wildcards are
 * unbounded); the values are our choice, see DEFAULT_XML_LIMITS. The scan is not a well-formedness
 * check: the parser still sees every document that passes.
 */
import { DocumentError } from './document-error.ts';

export interface XmlLimits {
  /** Largest document, in UTF-8 bytes (the HTTP layers answer 413 above it). */
  readonly maxBytes: number;
  /** Most elements in one document (the root included). */
  readonly maxElements: number;
  /** Deepest element nesting (the root is depth 1). */
  readonly maxDepth: number;
  /** Most attributes on one element, namespace declarations not counted. */
  readonly maxAttributesPerElement: number;
  /** Longest attribute value, in characters as written (before entity references are replaced). */
  readonly maxAttributeValueLength: number;
}

/** Which limit a document exceeds. */
export type XmlLimitName = keyof XmlLimits;

/**
 * Our defaults. The largest document of the lab is a user profile with its partner MC system
 * entries, each embedding a UE initial configuration: a few hundred elements, under 20 KB, depth
 * under 12. The bounds leave two orders of magnitude of room above that (20,000 elements, 1 MiB,
 * 128 levels) while keeping the worst accepted document at about a second of parsing and
 * validation on one core. 256 attributes and 64 KB per value bound what the wildcards admit.
 */
export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 1024 * 1024,
  maxElements: 20_000,
  maxDepth: 128,
  maxAttributesPerElement: 256,
  maxAttributeValueLength: 64 * 1024,
};

/** A limit the document exceeds, with a phrase for the error answer. */
export interface XmlLimitViolation {
  readonly limit: XmlLimitName;
  readonly phrase: string;
}

/** The thrown form of an {@link XmlLimitViolation} (code `limit-exceeded`). */
export class XmlLimitError extends DocumentError {
  constructor(readonly violation: XmlLimitViolation) {
    super('limit-exceeded', violation.phrase);
  }
}

/** Element counts and the deepest nesting of a scanned text (up to where the scan stopped). */
export interface XmlShape {
  elements: number;
  depth: number;
}

const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/**
 * The first limit `text` exceeds, or null. Comments, CDATA sections, processing instructions
 * and declarations are skipped; quoted attribute values may hold `>`. The byte size is the
 * UTF-8 length of the text. `shape`, when given, receives the counts.
 */
export function xmlLimitViolation(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS, shape?: XmlShape): XmlLimitViolation | null {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: measure exactly only when it may matter.
  if (text.length * 3 > limits.maxBytes && Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    return { limit: 'maxBytes', phrase: `the document is larger than ${limits.maxBytes} bytes (limit of this server)` };
  }
  let depth = 0;
  let elements = 0;
  let deepest = 0;
  const done = (v: XmlLimitViolation | null) => {
    if (shape) {
      shape.elements = elements;
      shape.depth = deepest;
    }
    return v;
  };
  const n = text.length;
  let i = text.indexOf('<');
  while (i >= 0 && i < n) {
    const next = text.charCodeAt(i + 1);
    let end: number;
    if (next === BANG) {
      if (text.startsWith('<!--', i)) end = endOf(text, '-->', i + 4);
      else if (text.startsWith('<![CDATA[', i)) end = endOf(text, ']]>', i + 9);
      else end = endOf(text, '>', i + 2);
    } else if (next === QUESTION) {
      end = endOf(text, '?>', i + 2);
    } else if (next === SLASH) {
      end = endOf(text, '>', i + 2);
      depth--;
    } else {
      // A start tag or an empty-element tag: count its attributes and measure their values.
      let attributes = 0;
      let j = i + 1;
      let nameStart = -1;
      end = n;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === DQUOTE || c === SQUOTE) {
          const close = text.indexOf(c === DQUOTE ? '"' : "'", j + 1);
          const stop = close < 0 ? n : close;
          if (stop - j - 1 > limits.maxAttributeValueLength) {
            return done({ limit: 'maxAttributeValueLength', phrase: `an attribute value of <${tagName(text, i)}> is longer than ${limits.maxAttributeValueLength} characters (limit of this server)` });
          }
          j = stop + 1;
          continue;
        }
        if (c === EQUALS && nameStart >= 0) {
          const name = text.slice(nameStart, j).trim();
          if (name !== 'xmlns' && !name.startsWith('xmlns:') && ++attributes > limits.maxAttributesPerElement) {
            return done({ limit: 'maxAttributesPerElement', phrase: `<${tagName(text, i)}> has more than ${limits.maxAttributesPerElement} attributes (limit of this server)` });
          }
          nameStart = -1;
        } else if (c === GT) {
          end = j + 1;
          break;
        } else if (c <= 0x20 || c === SLASH) {
          if (nameStart >= 0 && c === SLASH) nameStart = -1;
          if (c <= 0x20 && nameStart < 0) nameStart = j + 1;
        }
        j++;
      }
      if (++elements > limits.maxElements) {
        return done({ limit: 'maxElements', phrase: `the document has more than ${limits.maxElements} elements (limit of this server)` });
      }
      const level = depth + 1;
      if (level > deepest) deepest = level;
      if (level > limits.maxDepth) {
        return done({ limit: 'maxDepth', phrase: `elements nest deeper than ${limits.maxDepth} levels (limit of this server)` });
      }
      if (text.charCodeAt(end - 2) !== SLASH) depth = level;
    }
    i = text.indexOf('<', end);
  }
  return done(null);
}

/** Throws an {@link XmlLimitError} when `text` exceeds one of `limits`. */
export function checkXmlLimits(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  const v = xmlLimitViolation(text, limits);
  if (v !== null) throw new XmlLimitError(v);
}

function endOf(text: string, terminator: string, from: number): number {
  const j = text.indexOf(terminator, from);
  return j < 0 ? text.length : j + terminator.length;
}

function tagName(text: string, lt: number): string {
  const m = /^[^\s/>]+/.exec(text.slice(lt + 1, lt + 200));
  return m ? m[0] : '?';
}
