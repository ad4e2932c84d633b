import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { DocumentError } from './document-error.ts';
import { checkXmlLimits, type XmlLimits } from './limits.ts';
import { memoizeXmldomGrammar } from './xmldom-end-tag.ts';

memoizeXmldomGrammar();

export interface ParseXmlOptions {
  /** Per-document limits checked on the text before any DOM is built (limits.ts). */
  limits?: XmlLimits;
  /**
   * Whether the nodes carry their line and column, for `locate` in the error messages of what
   * reads the DOM (default true). Without them xmldom parses a third faster (no position kept
   * per node; issue #14, a 1 KB mcptt-info: 26 → 18 µs), for a caller that parses again with
   * positions when it has an error to report (document-codec.ts). A well-formedness error is
   * always reported with its line and column.
   */
  positions?: boolean;
}

/**
 * Parses XML text into a namespace-aware DOM, refusing any DOCTYPE before parsing starts.
 * No DTD is ever read, so no external entity is fetched and no internal entity is expanded
 * (this closes XXE and "billion laughs"). Only the five predefined entities and character
 * references are recognised (XML 1.0 clause 4.6). Whatever xmldom reports, warnings included
 * (it accepts an unquoted attribute value with a warning), is a well-formedness error: the
 * first one is thrown with its line and column. The one exception is its notice about U+FFFD,
 * which is a legal character (XML 1.0 clause 2.2). A leading byte order mark is skipped.
 * With `options.limits`, a text exceeding one of them is refused (an XmlLimitError) before parsing.
 */
export function parseXml(xml: string, options: ParseXmlOptions = {}): Document {
  if (typeof xml !== 'string') {
    throw new DocumentError('not-well-formed', 'input is not a string');
  }
  if (options.limits) checkXmlLimits(xml, options.limits);
  const doctype = findDoctype(xml);
  if (doctype) {
    throw new DocumentError('doctype-forbidden', 'a DOCTYPE/DTD is not accepted (entities are never expanded)', doctype);
  }
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (options.positions === false) {
    try {
      return parseText(text, false);
    } catch (err) {
      // The same text again, with positions: the same first problem, with its line and column.
      if (err instanceof DocumentError) parseText(text, true);
      throw err;
    }
  }
  return parseText(text, true);
}

function parseText(text: string, locator: boolean): Document {
  let firstProblem: DocumentError | undefined;
  const parser = new DOMParser({
    locator,
    onError: (level, message, context) => {
      if (firstProblem || (level === 'warning' && message.startsWith(REPLACEMENT_CHARACTER_NOTICE))) return;
      const loc = (context as { locator?: { lineNumber?: number; columnNumber?: number } } | undefined)?.locator;
      const where = loc?.lineNumber ? `line ${loc.lineNumber}, column ${loc.columnNumber ?? 0}` : '/';
      firstProblem = new DocumentError('not-well-formed', firstLine(message), where);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (e) {
    throw firstProblem ?? new DocumentError('not-well-formed', firstLine(e instanceof Error ? e.message : String(e)));
  }
  if (firstProblem) throw firstProblem;
  if (doc.doctype) throw new DocumentError('doctype-forbidden', 'a DOCTYPE/DTD is not accepted');
  if (!doc.documentElement) throw new DocumentError('not-well-formed', 'no root element');
  return doc;
}

/** The start of xmldom's warning about U+FFFD in the input, a hint about encodings, not an error. */
const REPLACEMENT_CHARACTER_NOTICE = 'Unicode replacement character';

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

/** Where a DOCTYPE declaration starts in the prolog, or undefined. */
function findDoctype(xml: string): string | undefined {
  let i = 0;
  const n = xml.length;
  if (xml.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const c = xml[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (/^<!DOCTYPE/i.test(xml.slice(i, i + 9))) {
      return position(xml, i);
    } else {
      break;
    }
  }
  // A DOCTYPE anywhere else is not well-formed; xmldom reports it, but refuse it explicitly too.
  const later = xml.search(/<!DOCTYPE/i);
  if (later >= 0 && !insideCommentOrCdata(xml, later)) return position(xml, later);
  return undefined;
}

function insideCommentOrCdata(xml: string, at: number): boolean {
  const before = xml.slice(0, at);
  const openComment = before.lastIndexOf('<!--');
  if (openComment >= 0 && before.indexOf('-->', openComment) < 0) return true;
  const openCdata = before.lastIndexOf('<![CDATA[');
  return openCdata >= 0 && before.indexOf(']]>', openCdata) < 0;
}

function position(xml: string, at: number): string {
  const before = xml.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** The element path of a node, e.g. `/mcptt-user-profile/OnNetwork`, plus its position. */
export function locate(node: Node, path: string): string {
  const n = node as Node & { lineNumber?: number; columnNumber?: number };
  return n.lineNumber ? `${path} (line ${n.lineNumber}, column ${n.columnNumber ?? 0})` : path;
}

/** Element children of an element or of the document node, in document order. */
export function childElements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) out.push(c as Element);
  }
  return out;
}
