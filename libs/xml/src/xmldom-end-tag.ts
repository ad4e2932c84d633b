/**
 * A workaround for a cost inside @xmldom/xmldom 0.9.12 (issue #14, docs/performance.md): its SAX
 * parser builds the regular expression that checks an end tag's name (`lib/sax.js`, line 155:
 * `g.reg('^', g.QName_group, g.S_OPT, '$')`) again for every end tag, by joining the sources of
 * the XML 1.0 Name productions (thousands of characters with the Unicode flag). That was the
 * busiest single function of the MC systems' process in `mcx bench migration` (1.8 % of its
 * main thread) and about a fifth of a small document's parse time.
 *
 * The grammar module's `reg` is replaced, once, by one that keeps each expression it built by
 * the parts it was built from. This is safe to share: `reg` builds expressions without the `g`
 * or `y` flag, so `exec` keeps no state between calls, and the parts are the module's constant
 * expressions and literal strings. Nothing else about parsing changes. Our choice, until xmldom
 * builds that expression once itself; when the module is not the expected shape (another
 * version), nothing is replaced.
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

/** Memoizes the grammar module's `reg` (see above); returns whether it is memoized now. */
export function memoizeXmldomGrammar(): boolean {
  const grammar = grammarModule as unknown as Grammar & { [MEMOIZED]?: true };
  if (!grammar || typeof grammar !== 'object') return false;
  if (grammar[MEMOIZED]) return true;
  const build = grammar.reg;
  if (typeof build !== 'function') return false;
  const built = new Map<string, RegExp>();
  grammar.reg = function memoizedReg(this: unknown, ...parts: Part[]): RegExp {
    let key = '';
    for (const p of parts) key += (typeof p === 'string' ? 's' : `r${p.flags}/`) + (typeof p === 'string' ? p : p.source) + '\u0000';
    let expr = built.get(key);
    if (!expr) {
      expr = build.apply(this, parts);
      if (expr.global || expr.sticky) return expr; // stateful: never shared
      built.set(key, expr);
    }
    return expr;
  };
  grammar[MEMOIZED] = true;
  return true;
}
