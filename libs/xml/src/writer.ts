import { escapeAttr, escapeText } from './escape.ts';
import { XML_NS } from './namespaces.ts';

/**
 * A small output tree that the codecs build and {@link printXml} turns into text.
 * Namespaces are handled at print time: an element in the in-scope default namespace is
 * unprefixed, a namespace given a preferred prefix ({@link PrintOptions.prefixes}) is declared
 * once on the root, any other namespace switches the default namespace (`xmlns="..."`) on
 * that element.
 */
export interface OutElement {
  readonly ns: string | null;
  readonly name: string;
  readonly attrs: OutAttr[];
  readonly children: OutNode[];
  /** Mixed content: children are printed without indentation. */
  mixed?: boolean;
  /** Extra prefix -> namespace declarations written on this element (e.g. for XPath selectors). */
  declarations?: Readonly<Record<string, string>>;
}
export interface OutAttr {
  readonly ns: string | null;
  readonly name: string;
  readonly value: string;
}
export type OutNode = OutElement | { readonly text: string } | { readonly raw: string };

export function outElement(ns: string | null, name: string): OutElement {
  return { ns, name, attrs: [], children: [] };
}

interface Scope {
  defaultNs: string;
  prefixes: Map<string, string>; // ns -> prefix
}

export interface PrintOptions {
  /** Namespace -> prefix for namespaces that conventionally appear prefixed; those used are declared on the root (default: none). */
  prefixes?: Readonly<Record<string, string>>;
  /** Whether to write the XML declaration (default true). */
  declaration?: boolean;
}

export function printXml(root: OutElement, options: PrintOptions = {}): string {
  const preferred = options.prefixes ?? {};
  const used = new Set<string>();
  collectNamespaces(root, used);
  const rootDecls: [string, string][] = [];
  const scope: Scope = { defaultNs: '', prefixes: new Map([[XML_NS, 'xml']]) };
  for (const ns of used) {
    const prefix = preferred[ns];
    if (prefix && ns !== root.ns) {
      scope.prefixes.set(ns, prefix);
      rootDecls.push([prefix, ns]);
    }
  }
  const lines: string[] = [];
  printElement(root, scope, 0, lines, rootDecls);
  const body = lines.join('\n');
  return options.declaration === false ? body : `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
}

function collectNamespaces(el: OutElement, used: Set<string>): void {
  if (el.ns) used.add(el.ns);
  for (const a of el.attrs) if (a.ns) used.add(a.ns);
  for (const c of el.children) if ('name' in c) collectNamespaces(c, used);
}

function printElement(el: OutElement, parent: Scope, depth: number, lines: string[], rootDecls: [string, string][] = []): void {
  const scope: Scope = { defaultNs: parent.defaultNs, prefixes: parent.prefixes };
  let decls = '';
  let qname = el.name;
  const elNs = el.ns ?? '';
  if (elNs !== scope.defaultNs) {
    const prefix = elNs ? scope.prefixes.get(elNs) : undefined;
    if (prefix) {
      qname = `${prefix}:${el.name}`;
    } else {
      decls += ` xmlns="${escapeAttr(elNs)}"`;
      scope.defaultNs = elNs;
    }
  }
  for (const [p, ns] of rootDecls) decls += ` xmlns:${p}="${escapeAttr(ns)}"`;
  for (const [p, ns] of Object.entries(el.declarations ?? {})) {
    if (rootDecls.some(([rp]) => rp === p)) continue;
    if (p === 'xml' || ns === XML_NS) {
      // Namespaces in XML 1.0 clause 3: `xml` is bound by definition to XML_NS, which must not
      // be bound to any other prefix; strict parsers (libxml2, expat) reject such a declaration.
      if (p === 'xml' && ns === XML_NS) continue;
      throw new Error(`cannot declare xmlns:${p}="${ns}": the xml prefix and its namespace are reserved`);
    }
    if (scope.prefixes === parent.prefixes) scope.prefixes = new Map(parent.prefixes);
    for (const [k, v] of scope.prefixes) if (v === p) scope.prefixes.delete(k);
    scope.prefixes.set(ns, p);
    decls += ` xmlns:${p}="${escapeAttr(ns)}"`;
  }
  let attrs = '';
  let generated = 0;
  for (const a of el.attrs) {
    let name = a.name;
    if (a.ns) {
      let prefix = scope.prefixes.get(a.ns);
      if (!prefix) {
        prefix = `ns${generated++}`;
        while ([...scope.prefixes.values()].includes(prefix)) prefix = `ns${generated++}`;
        if (scope.prefixes === parent.prefixes) scope.prefixes = new Map(parent.prefixes);
        scope.prefixes.set(a.ns, prefix);
        decls += ` xmlns:${prefix}="${escapeAttr(a.ns)}"`;
      }
      name = `${prefix}:${a.name}`;
    }
    attrs += ` ${name}="${escapeAttr(a.value)}"`;
  }
  const indent = '  '.repeat(depth);
  const open = `${indent}<${qname}${decls}${attrs}`;
  if (el.children.length === 0) {
    lines.push(`${open}/>`);
    return;
  }
  const inline = el.mixed || el.children.some((c) => 'text' in c);
  if (inline) {
    lines.push(`${open}>${el.children.map((c) => inlineNode(c, scope)).join('')}</${qname}>`);
    return;
  }
  lines.push(`${open}>`);
  for (const c of el.children) {
    if ('raw' in c) lines.push(`${'  '.repeat(depth + 1)}${c.raw}`);
    else if ('name' in c) printElement(c, scope, depth + 1, lines);
  }
  lines.push(`${indent}</${qname}>`);
}

function inlineNode(node: OutNode, scope: Scope): string {
  if ('text' in node) return escapeText(node.text);
  if ('raw' in node) return node.raw;
  const lines: string[] = [];
  printElement({ ...node, mixed: true }, scope, 0, lines);
  return lines.join('');
}
