/**
 * RFC 5261 clause 4.1 `sel` selectors: a location path from the document node, steps by
 * name (with `[n]` positions and `[@a="v"]` tests), `text()`, `comment()`,
 * `processing-instruction()`, and a final `@attr` or `namespace::prefix`.
 * Prefixes resolve against the namespace bindings in scope at the patch operation element;
 * an unprefixed element name takes the default namespace in scope there (clause 4.2.2).
 */
import type { Attr, Document, Element, Node } from '@xmldom/xmldom';
import { isNamespaceDeclaration } from '@mcx/xml';

export type PatchNodeKind = 'element' | 'text' | 'comment' | 'pi';

export function nodeKind(n: Node): PatchNodeKind | undefined {
  switch (n.nodeType) {
    case 1:
      return 'element';
    case 3:
    case 4:
      return 'text';
    case 8:
      return 'comment';
    case 7:
      return 'pi';
    default:
      return undefined;
  }
}

export type PatchTarget =
  | { kind: 'node'; node: Node }
  | { kind: 'attribute'; element: Element; attribute: Attr | undefined; namespace: string | null; localName: string; qname: string }
  | { kind: 'namespace'; element: Element; prefix: string };

interface ParsedStep {
  test: string;
  predicates: string[];
}

function splitPath(sel: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let depth = 0;
  for (const ch of sel) {
    if (quote !== null) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (ch === '/' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function parseStep(raw: string): ParsedStep | undefined {
  const m = /^([^[]+)((?:\[(?:[^\]"']|"[^"]*"|'[^']*')*\])*)$/.exec(raw.trim());
  if (!m) return undefined;
  const predicates = [...m[2]!.matchAll(/\[((?:[^\]"']|"[^"]*"|'[^']*')*)\]/g)].map((p) => p[1]!.trim());
  return { test: m[1]!.trim(), predicates };
}

function resolveName(qname: string, scope: ReadonlyMap<string, string>, isAttribute: boolean): { ns: string | null; local: string } | undefined {
  const i = qname.indexOf(':');
  if (i < 0) return { ns: isAttribute ? null : (scope.get('') || null), local: qname };
  const ns = scope.get(qname.slice(0, i));
  if (ns === undefined) return undefined;
  return { ns, local: qname.slice(i + 1) };
}

function sameNs(a: string | null | undefined, b: string | null): boolean {
  return (a || null) === (b || null);
}

function findAttr(el: Element, ns: string | null, local: string): Attr | undefined {
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes[i]!;
    if (!isNamespaceDeclaration(a) && (a.localName ?? a.name) === local && sameNs(a.namespaceURI, ns)) return a;
  }
  return undefined;
}

function childrenMatching(ctx: Node, test: string, scope: ReadonlyMap<string, string>): Node[] | undefined {
  const out: Node[] = [];
  let name: { ns: string | null; local: string } | undefined;
  const kind: PatchNodeKind =
    test === 'text()' ? 'text' : test === 'comment()' ? 'comment' : /^processing-instruction\(.*\)$/.test(test) ? 'pi' : 'element';
  if (kind === 'element' && test !== '*' && test !== 'node()') {
    name = resolveName(test, scope, false);
    if (name === undefined) return undefined;
  }
  for (let c: Node | null = ctx.firstChild; c !== null; c = c.nextSibling) {
    if (nodeKind(c) !== kind) continue;
    if (name !== undefined) {
      const el = c as Element;
      if ((el.localName ?? el.nodeName) !== name.local || !sameNs(el.namespaceURI, name.ns)) continue;
    }
    out.push(c);
  }
  return out;
}

/** Finds the single node selected by `sel`; undefined when it selects none or several. */
export function evaluatePatchSelector(doc: Document, sel: string, scope: ReadonlyMap<string, string>): PatchTarget | undefined {
  const path = sel.startsWith('/') ? sel.slice(1) : sel;
  const raw = splitPath(path);
  let terminal: string | undefined;
  const lastRaw = raw[raw.length - 1]!.trim();
  if (lastRaw.startsWith('@') || lastRaw.startsWith('namespace::')) {
    terminal = lastRaw;
    raw.pop();
  }
  let context: Node[] = [doc];
  for (const r of raw) {
    if (r === '') return undefined;
    const step = parseStep(r);
    if (step === undefined) return undefined;
    const next: Node[] = [];
    for (const ctx of context) {
      let matched = childrenMatching(ctx, step.test, scope);
      if (matched === undefined) return undefined;
      for (const p of step.predicates) {
        if (/^[0-9]+$/.test(p)) {
          const at: Node | undefined = matched[Number(p) - 1];
          matched = at === undefined ? [] : [at];
          continue;
        }
        const a = /^@([^=\s]+)\s*=\s*(?:"([^"]*)"|'([^']*)')$/.exec(p);
        if (!a) return undefined;
        const an = resolveName(a[1]!, scope, true);
        if (an === undefined) return undefined;
        const want = a[2] ?? a[3]!;
        matched = matched.filter((n) => n.nodeType === 1 && findAttr(n as Element, an.ns, an.local)?.value === want);
      }
      next.push(...matched);
    }
    context = next;
  }
  if (context.length !== 1) return undefined;
  const node = context[0]!;
  if (terminal === undefined) return node === doc ? undefined : { kind: 'node', node };
  if (node.nodeType !== 1) return undefined;
  const el = node as Element;
  if (terminal.startsWith('namespace::')) return { kind: 'namespace', element: el, prefix: terminal.slice(11) };
  const qname = terminal.slice(1);
  const an = resolveName(qname, scope, true);
  if (an === undefined) return undefined;
  return { kind: 'attribute', element: el, attribute: findAttr(el, an.ns, an.local), namespace: an.ns, localName: an.local, qname };
}
