import { expect, it } from 'vitest';
import { validateXml, XCAP_DIFF_XSD } from '@mcx/schemas';
import { parseXcapDiff } from '@mcx/xcap';
import { changeNotify, fullStateNotify, type NotifyInput } from './notify-bodies.ts';
import type { DocumentVersion } from './document-set.ts';

const ROOT = 'http://127.0.0.1/xcap-root';

function input(
  view: Record<string, string>,
  notified: Record<string, string>,
  current: Record<string, DocumentVersion>,
): NotifyInput {
  return {
    xcapRoot: ROOT,
    view: new Map(Object.entries(view)),
    notified,
    selOf: (s) => `sel:${s}`,
    current: (s) => current[s],
    previousBody: () => undefined,
    patching: true,
  };
}

it('builds a change body without touching what the subscriber holds, and says what it will hold once answered', () => {
  const notified = Object.freeze({ a: 'a1', gone: 'g1', left: 'l1', same: 's1' });
  const built = changeNotify(
    input({ a: 'a', gone: 'gone', same: 'same', fresh: 'fresh' }, notified, {
      a: { etag: 'a2' },
      same: { etag: 's1' },
      fresh: { etag: 'f1' },
    }),
  );
  expect(notified).toEqual({ a: 'a1', gone: 'g1', left: 'l1', same: 's1' });
  expect(built.notified).toEqual({ a: 'a2', same: 's1', fresh: 'f1' });
  const docs = parseXcapDiff(built.body).documents.map((d) => [d.sel, d.previousEtag, d.newEtag]);
  expect(docs).toEqual([
    ['a', 'a1', 'a2'],
    ['gone', 'g1', undefined],
    ['fresh', undefined, 'f1'],
    ['sel:left', 'l1', undefined],
  ]);
  expect(built.documents).toBe(4);
});

it('builds the full state of the existing documents only, and an empty change body when nothing differs', () => {
  const full = fullStateNotify(input({ a: 'x/a', b: 'x/b' }, {}, { a: { etag: 'a1' } }));
  expect(parseXcapDiff(full.body)).toMatchObject({
    xcapRoot: ROOT,
    documents: [{ sel: 'x/a', newEtag: 'a1' }],
  });
  expect(full.notified).toEqual({ a: 'a1' });
  const none = changeNotify(input({ a: 'x/a' }, { a: 'a1' }, { a: { etag: 'a1' } }));
  expect([none.documents, parseXcapDiff(none.body).documents]).toEqual([0, []]);
});

it('builds bodies valid against the xcap-diff schema (RFC 5874 clause 7): full state, patch, body-not-changed, removal; without sel one is not', async () => {
  const doc = (v: string, space = '') =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<doc xmlns="urn:example:test"${space}><setting xml:lang="en">${v}</setting><padding>${'x'.repeat(400)}</padding></doc>\n`;
  const bodies: Record<string, DocumentVersion & { body: string }> = {
    e1: { etag: 'e1', body: doc('1') },
    e2: { etag: 'e2', body: doc('2') },
    e3: { etag: 'e3', body: doc('2', ' ') },
  };
  const at = (etag: string): NotifyInput => ({
    ...input({ a: 'x/a' }, { a: 'e1' }, { a: bodies[etag]! }),
    previousBody: (_s, held) => bodies[held]?.body,
  });
  const full = fullStateNotify(at('e1')).body;
  const patched = changeNotify(at('e2')).body;
  const unchanged = changeNotify({ ...at('e3'), notified: { a: 'e2' } }).body;
  const removed = changeNotify({ ...at('e1'), view: new Map(), notified: { a: 'e1' } }).body;
  expect(patched).toContain('<replace sel=');
  expect(unchanged).toContain('<body-not-changed/>');
  expect(removed).toContain('sel="sel:a" previous-etag="e1"');
  for (const body of [full, patched, unchanged, removed]) {
    expect(await validateXml(body, XCAP_DIFF_XSD), body).toEqual({ ok: true, errors: [] });
  }
  const noSel = await validateXml(patched.replace(/ sel="x\/a"/, ''), XCAP_DIFF_XSD);
  expect(noSel.errors.join('\n')).toContain("The attribute 'sel' is required");
});
