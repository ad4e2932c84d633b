/**
 * XCAP URIs (RFC 4825 clause 6): XCAP root + document selector [+ "/~~/" + node selector]
 * [+ "?" xmlns() namespace bindings]. The root is where the router is mounted; this module
 * parses the part after it.
 *
 *   document selector = auid "/" ("global" / "users/" XUI) "/" document path   (clause 6.2)
 */
import { BadXcapUri } from '../errors/http-error.ts';
import { isNCName } from './qname.ts';
import { encodeNodeSelector, encodePathSegment, percentDecode } from './percent.ts';
import { formatNodeSelector, parseNodeSelector, type NodeSelector } from './node-selector.ts';

export type XcapTree = 'global' | 'users';

/** Identifies one document (RFC 4825 clause 6.2). Segments are percent-decoded. */
export interface DocumentSelector {
  auid: string;
  tree: XcapTree;
  /** The XCAP User Identifier, present for the users tree. */
  xui?: string;
  /** The path below `global/` or `users/<xui>/`: directories then the document name. */
  path: readonly string[];
}

export interface XcapUri {
  document: DocumentSelector;
  /** Canonical, percent-encoded document selector, e.g. `resource-lists/users/sip:a@b/index`. */
  documentSelector: string;
  nodeSelector?: NodeSelector;
  /** Namespace bindings from the query component (RFC 4825 clause 6.4). */
  namespaces: ReadonlyMap<string, string>;
}

/** The canonical percent-encoded form of a document selector (no leading slash). */
export function formatDocumentSelector(d: DocumentSelector): string {
  const segs = [d.auid, d.tree, ...(d.tree === 'users' ? [d.xui ?? ''] : []), ...d.path];
  return segs.map((s) => encodePathSegment(s)).join('/');
}

/** Parses the XPointer xmlns() scheme in the query component (RFC 4825 clause 6.4). */
export function parseNamespaceBindings(query: string): Map<string, string> {
  const out = new Map<string, string>();
  const decoded = percentDecode(query, 'query component');
  let rest = decoded;
  while (rest.length > 0) {
    const m = /^\s*xmlns\(\s*([^=\s]+)\s*=/.exec(rest);
    if (!m) throw new BadXcapUri('query component must hold xmlns() namespace bindings');
    const prefix = m[1]!;
    if (!isNCName(prefix)) throw new BadXcapUri(`invalid namespace prefix "${prefix}"`);
    let i = m[0].length;
    let uri = '';
    let closed = false;
    while (i < rest.length) {
      const ch = rest[i]!;
      if (ch === '^') {
        const next = rest[i + 1];
        if (next !== '(' && next !== ')' && next !== '^') throw new BadXcapUri('invalid ^ escape in xmlns()');
        uri += next;
        i += 2;
      } else if (ch === ')') {
        closed = true;
        i++;
        break;
      } else {
        uri += ch;
        i++;
      }
    }
    if (!closed) throw new BadXcapUri('unterminated xmlns() in query component');
    uri = uri.trim();
    if (uri === '') throw new BadXcapUri(`empty namespace for prefix "${prefix}"`);
    out.set(prefix, uri);
    rest = rest.slice(i).trimStart();
  }
  return out;
}

/**
 * Parses the part of a request URI below the XCAP root (path and optional query).
 * Document selector segments are split before percent-decoding, so an encoded "/" stays
 * inside its segment; the node selector is percent-decoded as a whole and then parsed,
 * so "/" inside a quoted attribute value does not split a step (clause 6.3).
 */
export function parseXcapUri(pathAndQuery: string): XcapUri {
  const q = pathAndQuery.indexOf('?');
  const rawPath = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  const rawQuery = q < 0 ? '' : pathAndQuery.slice(q + 1);
  if (rawPath.includes('#')) throw new BadXcapUri('fragment in request URI');
  const rawSegs = (rawPath.startsWith('/') ? rawPath.slice(1) : rawPath).split('/');
  const sep = rawSegs.findIndex((s) => percentDecode(s, 'path segment') === '~~');
  const docRaw = sep < 0 ? rawSegs : rawSegs.slice(0, sep);
  const segs = docRaw.map((s) => percentDecode(s, 'document selector'));
  if (segs.some((s) => s === '' || s === '.' || s === '..')) {
    throw new BadXcapUri('empty, "." or ".." segment in document selector');
  }
  const [auid, tree, ...rest] = segs;
  if (auid === undefined || tree === undefined) throw new BadXcapUri('URI names no document');
  let document: DocumentSelector;
  if (tree === 'global') {
    if (rest.length === 0) throw new BadXcapUri('global tree URI names no document');
    document = { auid, tree, path: rest };
  } else if (tree === 'users') {
    const [xui, ...path] = rest;
    if (xui === undefined) throw new BadXcapUri('users tree URI names no XUI');
    if (path.length === 0) throw new BadXcapUri('users tree URI names no document');
    document = { auid, tree, xui, path };
  } else {
    throw new BadXcapUri(`second segment must be "global" or "users", got "${tree}"`);
  }
  let nodeSelector: NodeSelector | undefined;
  if (sep >= 0) {
    const raw = rawSegs.slice(sep + 1).join('/');
    nodeSelector = parseNodeSelector(percentDecode(raw, 'node selector'));
  }
  const namespaces = rawQuery === '' ? new Map<string, string>() : parseNamespaceBindings(rawQuery);
  const uri: XcapUri = { document, documentSelector: formatDocumentSelector(document), namespaces };
  if (nodeSelector !== undefined) uri.nodeSelector = nodeSelector;
  return uri;
}

/** Builds the path (below the XCAP root) of a document, element, attribute or namespace resource. */
export function formatXcapUri(uri: {
  document: DocumentSelector;
  nodeSelector?: NodeSelector | string;
  namespaces?: ReadonlyMap<string, string> | Record<string, string>;
}): string {
  let out = formatDocumentSelector(uri.document);
  if (uri.nodeSelector !== undefined) {
    const text = typeof uri.nodeSelector === 'string' ? uri.nodeSelector : formatNodeSelector(uri.nodeSelector);
    out += `/~~/${encodeNodeSelector(text)}`;
  }
  const ns = uri.namespaces instanceof Map ? [...uri.namespaces] : Object.entries(uri.namespaces ?? {});
  if (ns.length > 0) {
    out +=
      '?' +
      ns.map(([p, u]) => `xmlns(${p}=${encodeURIComponent(u.replace(/[\^()]/g, (c: string) => `^${c}`))})`).join('');
  }
  return out;
}
