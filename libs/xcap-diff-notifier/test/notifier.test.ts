// The xcap-diff notifier over real SIP on loopback (RFC 5875, RFC 6665; TS 24.484 clause
// 6.3.13.2.2, TS 24.481 clause 6.3.13): refusals, the initial NOTIFY, change NOTIFYs, the end
// of a list subscription whose documents left the view, and a collection subscription. Every
// NOTIFY body is validated against the xcap-diff schema (RFC 5874 clause 7) after each test.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SipEndpoint } from '@mcx/sip';
import { validateXml, XCAP_DIFF_XSD } from '@mcx/schemas';
import { parseXcapDiff } from '@mcx/xcap';
import { createXcapDiffNotifier, type XcapDiffNotifier, type XcapDocumentSet } from '../src/index.ts';
import {
  ALICE,
  BOB,
  bodyWith,
  docOf,
  GLOBAL_DOC,
  MemoryDocuments,
  PathPolicy,
  sipEndpoint,
  subscribeUe,
  takeNotifyBodies,
  tokens,
  waitFor,
} from './fixtures.ts';

const XCAP_ROOT = 'http://127.0.0.1:8080/xcap-root';
const ALICE_TOKEN = `token-of:${ALICE}`;

let server: SipEndpoint;
let ue: SipEndpoint;
let docs: MemoryDocuments;
let policy: PathPolicy;
let notifier: XcapDiffNotifier;
let uri: string;

function start(): void {
  notifier = createXcapDiffNotifier({
    endpoint: server,
    xcapRoot: XCAP_ROOT,
    documents: docs,
    policy,
    tokens,
    warnAgent: 'notifier.example.net',
  });
}

beforeEach(async () => {
  server = await sipEndpoint();
  ue = await sipEndpoint();
  uri = server.uri('udp', 'notifier');
  docs = new MemoryDocuments();
  policy = new PathPolicy();
});
afterEach(async () => {
  await notifier?.close();
  await ue.close();
  await server.close();
});
// Every NOTIFY body of every test is an xcap-diff document valid against RFC 5874 clause 7.
afterEach(async () => {
  for (const body of new Set(takeNotifyBodies())) {
    expect(await validateXml(body, XCAP_DIFF_XSD), body).toEqual({ ok: true, errors: [] });
  }
});

const lastDiff = (notifies: { body: string }[]) => parseXcapDiff(notifies[notifies.length - 1]!.body);

describe('refusals', () => {
  it('refuses the whole SUBSCRIBE with 403 and a Warning naming the document when one listed document may not be read', async () => {
    start();
    docs.put(docOf(ALICE, 'a.xml'), bodyWith('1'));
    docs.put(docOf(BOB, 'b.xml'), bodyWith('1'));
    const s = await subscribeUe(ue, uri, {
      token: ALICE_TOKEN,
      uris: [docOf(ALICE, 'a.xml'), docOf(BOB, 'b.xml')],
    });
    expect([s.response.status, s.response.reason]).toEqual([403, 'Forbidden - Not Authorized For Document']);
    expect(s.response.headers.get('warning')).toBe(
      `399 notifier.example.net "not-authorized: ${ALICE} may not read ${docOf(BOB, 'b.xml')}"`,
    );
    expect(notifier.size).toBe(0);
  });

  it('maps the token check: none → 403, unverifiable → 403 with its code, IdMS keys unreachable → 503 with Retry-After', async () => {
    start();
    const list = [GLOBAL_DOC];
    const none = await subscribeUe(ue, uri, { uris: list });
    expect([none.response.status, none.response.reason]).toEqual([403, 'Forbidden - No Access Token']);
    const bad = await subscribeUe(ue, uri, { token: 'garbage', uris: list });
    expect([bad.response.status, bad.response.reason]).toEqual([403, 'Forbidden - Invalid Access Token']);
    expect(bad.response.headers.get('warning')).toMatch(/"invalid-token: malformed: /);
    const down = await subscribeUe(ue, uri, { token: 'keys-down', uris: list });
    expect([down.response.status, down.response.headers.get('retry-after')]).toEqual([503, '2']);
  });

  it('answers 400 for a URI that names an element, and for a SUBSCRIBE without a list where the set offers no default collection', async () => {
    start();
    const element = await subscribeUe(ue, uri, {
      token: ALICE_TOKEN,
      uris: [`${GLOBAL_DOC}/~~/doc/setting`],
    });
    expect([element.response.status, element.response.reason]).toEqual([
      400,
      'Bad Request - Not An XCAP Document URI',
    ]);
    await notifier.close();
    const withoutCollection: XcapDocumentSet = {
      peek: (s) => docs.peek(s),
      onChange: (l) => docs.onChange(l),
    };
    notifier = createXcapDiffNotifier({
      endpoint: server,
      xcapRoot: XCAP_ROOT,
      documents: withoutCollection,
      policy,
      tokens,
      warnAgent: 'notifier.example.net',
    });
    const noList = await subscribeUe(ue, uri, { token: ALICE_TOKEN });
    expect([noList.response.status, noList.response.reason]).toEqual([400, 'Bad Request - No Resource List']);
  });
});

describe('NOTIFY', () => {
  it('sends the full state first: one document per existing listed document with its ETag, sel relative to the xcap-root however it was listed (RFC 5874 clause 4)', async () => {
    start();
    const aEtag = docs.put(docOf(ALICE, 'a.xml'), bodyWith('1'));
    const gEtag = docs.put(GLOBAL_DOC, bodyWith('g'));
    const listed = [`${XCAP_ROOT}/${docOf(ALICE, 'a.xml')}`, `/${GLOBAL_DOC}`, docOf(ALICE, 'not-yet.xml')];
    const s = await subscribeUe(ue, uri, { token: ALICE_TOKEN, uris: listed });
    expect(s.response.status).toBe(200);
    const first = await waitFor(() => s.notifies[0], 'initial NOTIFY');
    const diff = parseXcapDiff(first.body);
    expect(diff.xcapRoot).toBe(XCAP_ROOT);
    expect(diff.documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([
      [docOf(ALICE, 'a.xml'), undefined, aEtag],
      [GLOBAL_DOC, undefined, gEtag],
    ]);
  });

  it('notifies a change with previous and new ETag and patch operations, none with diff-processing=no-patching; a created document with new-etag only', async () => {
    start();
    const a = docOf(ALICE, 'a.xml');
    const first = docs.put(a, bodyWith('1'));
    const patched = await subscribeUe(ue, uri, { token: ALICE_TOKEN, uris: [a, docOf(ALICE, 'later.xml')] });
    const plain = await subscribeUe(ue, uri, {
      token: ALICE_TOKEN,
      uris: [a],
      eventParams: { 'diff-processing': 'no-patching' },
    });
    await waitFor(() => patched.notifies.length === 1 && plain.notifies.length === 1, 'initial NOTIFYs');
    const second = docs.put(a, bodyWith('2'));
    await waitFor(() => patched.notifies.length === 2 && plain.notifies.length === 2, 'change NOTIFYs');
    const withPatch = lastDiff(patched.notifies).documents;
    expect(withPatch.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([[a, first, second]]);
    expect(withPatch[0]!.patch?.length).toBeGreaterThan(0);
    const withoutPatch = lastDiff(plain.notifies).documents;
    expect(withoutPatch.map((d) => [d.previousEtag, d.newEtag, d.patch])).toEqual([
      [first, second, undefined],
    ]);
    const created = docs.put(docOf(ALICE, 'later.xml'), bodyWith('new'));
    await waitFor(() => patched.notifies.length === 3, 'NOTIFY of the created document');
    expect(lastDiff(patched.notifies).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([
      [docOf(ALICE, 'later.xml'), undefined, created],
    ]);
    expect(plain.notifies).toHaveLength(2);
  });

  it('ends a list subscription whose only document may no longer be read with a final NOTIFY, reason=rejected', async () => {
    start();
    const a = docOf(ALICE, 'a.xml');
    const etag = docs.put(a, bodyWith('1'));
    const s = await subscribeUe(ue, uri, { token: ALICE_TOKEN, uris: [a] });
    await waitFor(() => s.notifies.length === 1, 'initial NOTIFY');
    policy.revoked.add(`${ALICE} ${a}`);
    docs.touch(a);
    const final = await waitFor(() => s.notifies[1], 'final NOTIFY');
    expect([final.subscriptionState.state, final.subscriptionState.reason]).toEqual([
      'terminated',
      'rejected',
    ]);
    expect(parseXcapDiff(final.body).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([
      [a, etag, undefined],
    ]);
    await waitFor(() => notifier.size === 0, 'subscription removed');
  });

  it('on a deletion: reason=noresource where only existing documents may be read (GMS), previous-etag only and still active where permission is by path (CMS)', async () => {
    const a = docOf(ALICE, 'a.xml');
    const etag = docs.put(a, bodyWith('1'));
    const server2 = await sipEndpoint();
    const pathNotifier = createXcapDiffNotifier({
      endpoint: server2,
      xcapRoot: XCAP_ROOT,
      documents: docs,
      policy: new PathPolicy(),
      tokens,
      warnAgent: 'notifier.example.net',
    });
    policy = new PathPolicy(docs);
    start();
    try {
      const onlyExisting = await subscribeUe(ue, uri, { token: ALICE_TOKEN, uris: [a] });
      const byPathSub = await subscribeUe(ue, server2.uri('udp', 'notifier'), {
        token: ALICE_TOKEN,
        uris: [a],
      });
      await waitFor(
        () => onlyExisting.notifies.length === 1 && byPathSub.notifies.length === 1,
        'initial NOTIFYs',
      );
      docs.delete(a);
      const gone = await waitFor(() => onlyExisting.notifies[1], 'final NOTIFY');
      expect([gone.subscriptionState.state, gone.subscriptionState.reason]).toEqual([
        'terminated',
        'noresource',
      ]);
      expect(parseXcapDiff(gone.body).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([
        [a, etag, undefined],
      ]);
      const deleted = await waitFor(() => byPathSub.notifies[1], 'deletion NOTIFY');
      expect(deleted.subscriptionState.state).toBe('active');
      expect(parseXcapDiff(deleted.body).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([
        [a, etag, undefined],
      ]);
      expect(pathNotifier.size).toBe(1);
    } finally {
      await pathNotifier.close();
      await server2.close();
    }
  });

  it('keeps a collection subscription (also the default of a SUBSCRIBE without a list) showing documents as they join and leave it', async () => {
    start();
    const g1 = docOf(BOB, 'group-1.xml');
    const before = docs.put(g1, bodyWith('1'), [ALICE]);
    const listed = await subscribeUe(ue, uri, { token: ALICE_TOKEN, uris: ['test-docs/groups/'] });
    const byDefault = await subscribeUe(ue, uri, { token: ALICE_TOKEN });
    await waitFor(() => listed.notifies.length === 1 && byDefault.notifies.length === 1, 'initial NOTIFYs');
    for (const s of [listed, byDefault])
      expect(lastDiff(s.notifies).documents.map((d) => [d.sel, d.newEtag])).toEqual([[g1, before]]);
    expect(notifier.list().map((s) => [s.subscriber, s.collection, s.documents])).toEqual([
      [ALICE, true, [g1]],
      [ALICE, true, [g1]],
    ]);

    const g2 = docOf(BOB, 'group-2.xml');
    const joined = docs.put(g2, bodyWith('2'), [ALICE]);
    await waitFor(() => listed.notifies.length === 2, 'NOTIFY of the joined document');
    expect(lastDiff(listed.notifies).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([
      [g2, undefined, joined],
    ]);
    docs.delete(g1);
    await waitFor(() => listed.notifies.length === 3, 'NOTIFY of the deleted document');
    const left = listed.notifies[2]!;
    expect(left.subscriptionState.state).toBe('active');
    expect(parseXcapDiff(left.body).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([
      [g1, before, undefined],
    ]);
  });
});
