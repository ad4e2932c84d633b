import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateXml, XCAP_DIFF_XSD } from '@mcx/schemas';
import { serializeDocument } from '@mcx/xml';
import { parseXmlDocument } from '../dom/parse.ts';
import { computeEtag } from '../etag.ts';
import { applyXcapDiff } from './apply-diff.ts';
import { diffDocument } from './diff-document.ts';
import { renderXcapDiff, type DocumentDiff } from './xcap-diff.ts';

/** A random element tree, written as text; names come from two namespaces, prefixes bound at the root. */
type Tree = { name: string; attrs: [string, string][]; children: (Tree | string)[] };

const text = fc.oneof(
  fc.constantFrom('\n  ', ' ', 'a', 'x & y', '<tag>', 'Ünïcode ✓'),
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '&', '<', '"'), minLength: 1, maxLength: 6 }),
);
const tree: fc.Memo<Tree> = fc.memo((depth) =>
  fc.record({
    name: fc.constantFrom('list', 'entry', 'x:ext', 'display-name', 'x:item'),
    attrs: fc.uniqueArray(fc.tuple(fc.constantFrom('uri', 'name', 'x:prio', 'id'), fc.string({ maxLength: 4 })), { selector: (a) => a[0], maxLength: 3 }),
    children: depth <= 1 ? fc.array(text, { maxLength: 2 }) : fc.array(fc.oneof(text, tree(depth - 1), fc.constant('<!--c-->')), { maxLength: 5 }),
  }),
);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
function write(t: Tree | string): string {
  if (typeof t === 'string') return t === '<!--c-->' ? t : esc(t);
  const attrs = t.attrs.map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
  return `<${t.name}${attrs}>${t.children.map(write).join('')}</${t.name}>`;
}
function documentOf(children: (Tree | string)[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:x="urn:example:ext">${children.map(write).join('')}</resource-lists>\n`;
}

/** A second version: some top-level children dropped, changed or inserted. */
const pairs = fc.oneof(
  fc.tuple(fc.array(tree(3), { maxLength: 5 }), fc.array(tree(3), { maxLength: 5 })),
  fc
    .tuple(fc.array(tree(3), { minLength: 1, maxLength: 6 }), fc.nat(), tree(2), fc.constantFrom('insert', 'replace', 'delete'))
    .map(([base, at, extra, how]) => {
      const i = at % base.length;
      const next = [...base];
      if (how === 'insert') next.splice(i, 0, extra);
      else if (how === 'replace') next[i] = { ...base[i]!, attrs: [['uri', 'changed']] };
      else next.splice(i, 1);
      return [base, next] as [Tree[], Tree[]];
    }),
);

const canonical = (xml: string) => serializeDocument(parseXmlDocument(xml));

describe('xcap-diff round trip (RFC 5874 + RFC 5261)', () => {
  it('applying diff(old, new) to old gives new, for random pairs of documents; the entries validate against the xcap-diff schema', async () => {
    const seen = { patched: 0, other: 0 };
    const entries: DocumentDiff[] = [];
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        const oldBody = documentOf(a);
        const newBody = documentOf(b);
        const previousEtag = computeEtag(oldBody);
        const newEtag = computeEtag(newBody);
        const entry = diffDocument({ sel: 'resource-lists/users/sip:a@b/index', previousEtag, newEtag, previousBody: oldBody, newBody });
        entries.push(entry);
        const xml = renderXcapDiff('http://127.0.0.1/xcap-root', [entry]);
        const [result] = applyXcapDiff(xml, () => ({ etag: previousEtag, body: oldBody }));
        if (previousEtag === newEtag) {
          expect(result!.action).toBe('up-to-date');
        } else if (entry.bodyNotChanged) {
          expect(result).toMatchObject({ action: 'etag-updated', etag: newEtag });
        } else if (entry.patch === undefined) {
          expect(result).toMatchObject({ action: 'fetch', reason: 'no-patch', etag: newEtag });
        } else {
          expect(result!.action).toBe('patched');
          if (result!.action === 'patched') expect(canonical(result!.body)).toBe(canonical(newBody));
          seen.patched++;
          return;
        }
        seen.other++;
      }),
      { numRuns: 400 },
    );
    // The property must exercise patching, not only the fetch fallback.
    expect(seen.patched).toBeGreaterThan(100);
    // All the entries in one body (RFC 5874 allows any number of <document>s): one libxml2 run
    // checks every generated selector against the RFC 5261 XPath grammar.
    const all = renderXcapDiff('http://127.0.0.1/xcap-root', entries);
    expect(await validateXml(all, XCAP_DIFF_XSD)).toEqual({ ok: true, errors: [] });
  });
});
