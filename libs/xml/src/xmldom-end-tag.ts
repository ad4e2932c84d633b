/**
 * A workaround for a cost inside @xmldom/xmldom 0.9.12 (issue #14, docs/performance.md): its SAX
 * parser builds the regular expression that checks an end tag's name (`lib/sax.js`, line 155:
 * `g.reg('^', g.QName_group, g.S_OPT, '$')`) again for every end tag, by joining the sources of
 * the XML 1.0 Name productions (thousands of characters with the Unicode flag). That was the
 * busiest single function of the MC systems' process in `mcx bench migration` (1.8 % of its
 * main thread) and about a fifth of a small document's parse time.
 *
 * The grammar module's `reg` is replaced, once, by one that keeps each expression it built by
 * the parts it was built from (the same strings, the very same RegExp objects). This is safe to
 * share: `reg` builds expressions without the `g` or `y` flag, so `exec` keeps no state between
 * calls, and the parts are the module's constant expressions and literal strings. Nothing else
 * about parsing changes. Our choice, until xmldom builds that expression once itself; when the
 * module is not the expected shape (another version), nothing is replaced.
 */
// The module sax.js requires (`./grammar`): imported by its path, so that a bundle (esbuild, apps/mcx) and
// Node resolve it to the very object sax.js holds; its default export is that CommonJS `exports`.
// @ts-expect-error -- the module has no type declarations (TS7016); its shape is checked below (Grammar).
import grammarModule from '@xmldom/xmldom/lib/grammar.js';

type Part = RegExp | string;
interface Grammar {
  reg: (this: unknown, ...parts: Part[]) => RegExp;
}

const MEMOIZED = Symbol.for('mcx.xml.memoizedReg');

/** A node of the memo's trie: the parts so far, and the expression built from exactly them. */
interface Node {
  byText: Map<string, Node>;
  byExpr: WeakMap<RegExp, Node>;
  expr?: RegExp;
}
const newNode = (): Node => ({ byText: new Map(), byExpr: new WeakMap() });

/** Memoizes the grammar module's `reg` (see above); returns whether it is memoized now. */
export function memoizeXmldomGrammar(): boolean {
  const grammar = grammarModule as unknown as Grammar & { [MEMOIZED]?: true };
  if (!grammar || typeof grammar !== 'object') return false;
  if (grammar[MEMOIZED]) return true;
  const build = grammar.reg;
  if (typeof build !== 'function') return false;
  // A trie of the parts, by identity: a call looks up each part, builds no key (a key made of the
  // parts' sources, thousands of characters a call, was itself 45 KB of garbage per migration).
  // RegExp parts are held weakly, so a fresh expression passed in does not stay.
  const root: Node = newNode();
  grammar.reg = function memoizedReg(this: unknown, ...parts: Part[]): RegExp {
    let node = root;
    for (const p of parts) {
      let next = typeof p === 'string' ? node.byText.get(p) : node.byExpr.get(p);
      if (!next) {
        next = newNode();
        if (typeof p === 'string') node.byText.set(p, next);
        else node.byExpr.set(p, next);
      }
      node = next;
    }
    if (node.expr) return node.expr;
    const expr = build.apply(this, parts);
    if (!expr.global && !expr.sticky) node.expr = expr; // stateful: never shared
    return expr;
  };
  grammar[MEMOIZED] = true;
  return true;
}
