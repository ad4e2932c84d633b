/**
 * The XPath subset of `expect_document` (our choice: a small subset of XPath 1.0, W3C REC-xpath-19991116,
 * enough to point at a value in an MCX document, without a dependency):
 * - location paths, absolute (`/a/b`) or anywhere (`//b`), steps separated by `/` or `//`;
 * - a step is an element name, `*`, `@attr` (last step), or `text()` (last step);
 * - predicates: a position `[2]`, an attribute `[@index='1']`, a child's value `[name='x']`.
 * Names match the local name: a prefix in the expression is ignored (`//mcpttup:ProfileName` =
 * `//ProfileName`), since scenario files do not declare namespaces.
 * The result is the string value (XPath 1.0 4.2 "string()") of the first node selected, or
 * undefined when none is.
 */
import { parseXml } from '@mcx/xml';
import type { Element, Node } from '@xmldom/xmldom';

interface Step {
  /** `//` before this step: any descendant, else a child. */
  deep: boolean;
  kind: 'element' | 'attribute' | 'text';
  name: string;
  predicates: Array<
    { position: number } | { attribute: string; value: string } | { child: string; value: string }
  >;
}

export class XPathError extends Error {}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

function parse(expr: string): Step[] {
  const steps: Step[] = [];
  const re = /\s*(\/\/|\/)?\s*(@?[\w.:*-]+(?:\(\))?)((?:\[[^\]]*\])*)/y;
  let rest = expr.trim();
  if (!rest.startsWith('/')) rest = `//${rest}`;
  re.lastIndex = 0;
  while (re.lastIndex < rest.length) {
    const start = re.lastIndex;
    const m = re.exec(rest);
    if (!m || m.index !== start)
      throw new XPathError(
        `unsupported XPath at "${rest.slice(start)}" (supported: /a/b, //b, *, @attr, text(), [n], [@a='v'], [child='v'])`,
      );
    const [, sep, name, preds] = m;
    const predicates: Step['predicates'] = [];
    for (const p of (preds ?? '').match(/\[[^\]]*\]/g) ?? []) {
      const body = p.slice(1, -1).trim();
      const eq = /^(@?)([\w.:-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")$/.exec(body);
      if (/^\d+$/.test(body)) predicates.push({ position: Number(body) });
      else if (eq)
        predicates.push(
          eq[1]
            ? { attribute: local(eq[2]!), value: eq[3] ?? eq[4] ?? '' }
            : { child: local(eq[2]!), value: eq[3] ?? eq[4] ?? '' },
        );
      else throw new XPathError(`unsupported predicate ${p}`);
    }
    steps.push({
      deep: sep === '//',
      kind: name!.startsWith('@') ? 'attribute' : name === 'text()' ? 'text' : 'element',
      name: local(name!.replace(/^@/, '')),
      predicates,
    });
  }
  steps.slice(0, -1).forEach((s) => {
    if (s.kind !== 'element') throw new XPathError(`@attr and text() can only be the last step`);
  });
  return steps;
}

const elementsOf = (n: Node): Element[] =>
  Array.from(n.childNodes).filter((c): c is Element => c.nodeType === 1);

function descendants(n: Node): Element[] {
  const out: Element[] = [];
  for (const c of elementsOf(n)) out.push(c, ...descendants(c));
  return out;
}

/** The string value of the first node `expr` selects in `xml`, or undefined. */
export function xpathValue(xml: string, expr: string): string | undefined {
  const steps = parse(expr);
  let nodes: Node[] = [parseXml(xml)];
  for (const step of steps) {
    if (step.kind === 'attribute') {
      const values = nodes.flatMap((n) =>
        n.nodeType === 1
          ? Array.from((n as Element).attributes).filter((a) => local(a.name) === step.name)
          : [],
      );
      return values[0]?.value;
    }
    if (step.kind === 'text')
      return nodes
        .flatMap((n) => Array.from(n.childNodes).filter((c) => c.nodeType === 3 || c.nodeType === 4))
        .map((c) => c.nodeValue ?? '')[0];
    nodes = nodes.flatMap((n) => {
      let candidates = (step.deep ? descendants(n) : elementsOf(n)).filter(
        (e) => step.name === '*' || e.localName === step.name,
      );
      for (const p of step.predicates) {
        if ('position' in p) candidates = candidates[p.position - 1] ? [candidates[p.position - 1]!] : [];
        else if ('attribute' in p)
          candidates = candidates.filter((e) =>
            Array.from(e.attributes).some((a) => local(a.name) === p.attribute && a.value === p.value),
          );
        else
          candidates = candidates.filter((e) =>
            elementsOf(e).some((c) => c.localName === p.child && (c.textContent ?? '').trim() === p.value),
          );
      }
      return candidates;
    });
  }
  return nodes[0]?.textContent ?? undefined;
}
