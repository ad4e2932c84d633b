import { describe, expect, it } from 'vitest';
import { largeResourceLists } from '../../test/fixtures/large-document.ts';
import { computeEtag } from '../etag.ts';
import { applyXcapDiff } from './apply-diff.ts';
import { diffDocument } from './diff-document.ts';
import { parseXcapDiff, renderDocumentDiff, renderXcapDiff } from './xcap-diff.ts';

const SEL = 'resource-lists/users/sip:alice@example.com/index';

describe('diffDocument: the <document> entry of a change (RFC 5874 clause 4)', () => {
  const oldBody = largeResourceLists();
  const newBody = oldBody.replace('<display-name>User 7.3</display-name>', '<display-name>Renamed</display-name>');
  const previousEtag = computeEtag(oldBody);
  const newEtag = computeEtag(newBody);

  it('a one-element change in a 50 KB document yields a patch far below the document size', () => {
    const entry = diffDocument({ sel: SEL, previousEtag, newEtag, previousBody: oldBody, newBody });
    expect(entry.patch).toEqual([
      { op: 'replace', sel: '/n1:resource-lists/n1:list[7]/n1:entry[3]/n1:display-name[1]/text()[1]', content: 'Renamed' },
    ]);
    expect(renderDocumentDiff(entry).length * 50).toBeLessThan(oldBody.length);
    const xml = renderXcapDiff('https://cms.example.net/xcap-root', [entry]);
    expect(xml).toContain('<xcap-diff xmlns="urn:ietf:params:xml:ns:xcap-diff" xcap-root="https://cms.example.net/xcap-root">');
    expect(xml).toContain(`previous-etag="${previousEtag}" new-etag="${newEtag}"`);
    const [r] = applyXcapDiff(xml, () => ({ etag: previousEtag, body: oldBody }));
    expect(r).toMatchObject({ action: 'patched', etag: newEtag });
  });

  it('computes no patch for a document of more than 5,000 elements (the client fetches), unless told a higher bound', () => {
    const big = largeResourceLists(300 * 1024);
    expect(big.match(/<entry /g)!.length * 2).toBeGreaterThan(5_000);
    const changed = big.replace('<display-name>User 7.3</display-name>', '<display-name>Renamed</display-name>');
    const change = { sel: SEL, previousEtag: computeEtag(big), newEtag: computeEtag(changed), previousBody: big, newBody: changed };
    expect(diffDocument(change)).toEqual({ sel: SEL, previousEtag: change.previousEtag, newEtag: change.newEtag });
    expect(diffDocument(change, { maxPatchedElements: 50_000 }).patch).toHaveLength(1);
  });

  it('a client whose copy is not at previous-etag must re-fetch', () => {
    const xml = renderXcapDiff('x', [diffDocument({ sel: SEL, previousEtag, newEtag, previousBody: oldBody, newBody })]);
    const [r] = applyXcapDiff(xml, () => ({ etag: 'some-other-etag', body: oldBody }));
    expect(r).toEqual({ action: 'fetch', sel: SEL, etag: newEtag, reason: 'etag-mismatch' });
  });

  it('created documents carry only new-etag, deleted ones only previous-etag', () => {
    const created = diffDocument({ sel: SEL, newEtag, newBody });
    const deleted = diffDocument({ sel: SEL, previousEtag, previousBody: oldBody });
    expect(renderDocumentDiff(created)).toBe(`<document sel="${SEL}" new-etag="${newEtag}"/>`);
    expect(renderDocumentDiff(deleted)).toBe(`<document sel="${SEL}" previous-etag="${previousEtag}"/>`);
    const parsed = parseXcapDiff(renderXcapDiff('r', [created, deleted]));
    expect(parsed.documents.map((d) => [d.newEtag, d.previousEtag])).toEqual([
      [newEtag, undefined],
      [undefined, previousEtag],
    ]);
    const results = applyXcapDiff(renderXcapDiff('r', [created, deleted]), () => undefined);
    expect(results.map((r) => r.action)).toEqual(['fetch', 'deleted']);
  });

  it('falls back to etags only when the patch would not be smaller than the document', () => {
    const a = '<r xmlns="urn:x"><a/></r>';
    const b = '<r xmlns="urn:x"><b>completely different</b></r>';
    const entry = diffDocument({ sel: SEL, previousEtag: computeEtag(a), newEtag: computeEtag(b), previousBody: a, newBody: b });
    expect(entry).toEqual({ sel: SEL, previousEtag: computeEtag(a), newEtag: computeEtag(b) });
    expect(renderDocumentDiff(entry)).not.toContain('<add');
  });

  it('reports body-not-changed when only the bytes, not the XML, changed', () => {
    const a = '<r xmlns="urn:x" a=\'1\'><a/></r>';
    const b = '<r xmlns="urn:x" a="1"><a/></r>';
    const entry = diffDocument({ sel: SEL, previousEtag: computeEtag(a), newEtag: computeEtag(b), previousBody: a, newBody: b });
    expect(entry.bodyNotChanged).toBe(true);
    expect(renderDocumentDiff(entry)).toContain('<body-not-changed/>');
  });

  it('a failing patch operation asks for a fetch instead of corrupting the copy', () => {
    const xml = `<xcap-diff xmlns="urn:ietf:params:xml:ns:xcap-diff" xcap-root="r"><document sel="${SEL}" previous-etag="e1" new-etag="e2"><remove sel="/nothing"/></document></xcap-diff>`;
    expect(applyXcapDiff(xml, () => ({ etag: 'e1', body: '<r/>' }))[0]).toMatchObject({ action: 'fetch', reason: 'patch-failed' });
  });
});
