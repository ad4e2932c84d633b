/**
 * The reliability suite (reliability/README.md), against one ecosystem of both MC systems and a
 * UE host:
 *  - the bad-input catalogue: every surface gets its inputs, each one classified (refused
 *    spec-shaped, 5xx, accepted-invalid) and checked for changed state; one summary line per
 *    surface and a total, the report in test-results/reliability.json. Goals: every input refused
 *    spec-shaped, 0 5xx, 0 accepted-invalid, 0 changed state;
 *  - faults: a change larger than a UDP datagram reaches subscribers over UDP and TCP (RFC 3261
 *    clause 18.1.1), a subscriber that died is dropped on the first failed NOTIFY (RFC 6665
 *    clause 4.2.2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userProfileSelector } from '@mcx/cms';
import { extensionNotes, subscribeUe, waitFor, type TestUe } from '@mcx/cms/testing';
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import { applyDocumentEntry, parseXcapDiff } from '@mcx/xcap';
import { ADMIN_SURFACE, adminBarrage } from './admin.ts';
import { startReliabilityLab, type ReliabilityLab } from './ecosystem.ts';
import { Tally, writeReport } from './report.ts';
import { SIP_SURFACE, sipBarrage } from './sip.ts';
import { TOKENS_SURFACE, tokenBarrage } from './tokens.ts';
import { UE_HOST_SURFACE, ueHostBarrage } from './ue-host.ts';
import { XCAP_SURFACE, xcapBarrage } from './xcap.ts';

let lab: ReliabilityLab;
const tally = new Tally();
/** What the fault cases found (reported with the catalogue). */
const faults: Record<string, unknown> = {};
/** Wall time of each surface's barrage (reported, not asserted). */
const durationsMs: Record<string, number> = {};
async function timed(surface: string, barrage: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await barrage();
  durationsMs[surface] = Math.round(performance.now() - started);
}

beforeAll(async () => {
  lab = await startReliabilityLab();
});
afterAll(async () => {
  for (const line of tally.summaryLines()) console.log(line);
  if (tally.trials.length > 0) console.log(`report: ${writeReport('reliability', tally, { durationsMs, faults })}`);
  await lab?.close();
});

/** A surface's barrage may take minutes on a loaded 2-core machine (the wall times are in the report). */
const BARRAGE_TIMEOUT_MS = 300_000;

/** The trials of a surface that missed a goal, as lines a reader can act on. */
const misses = (surface: string) => tally.failures().filter((t) => t.surface === surface).map((t) => `${t.input} -> ${t.verdict} (${t.answer})${t.changedState ? ' changed state' : ''}`);

describe('bad input, per surface: refused spec-shaped, no 5xx, nothing accepted, nothing changed', () => {
  it('XCAP at the CMS and GMS of both systems (issue: 223 inputs)', async () => {
    await timed(XCAP_SURFACE, () => xcapBarrage(lab, tally));
    expect(tally.counts(XCAP_SURFACE).tried).toBeGreaterThanOrEqual(223);
    expect(misses(XCAP_SURFACE)).toEqual([]);
  }, BARRAGE_TIMEOUT_MS);

  it('SIP over UDP and TCP at the CMS, GMS and MCS of both systems (issue: 178 inputs)', async () => {
    await timed(SIP_SURFACE, () => sipBarrage(lab, tally));
    expect(tally.counts(SIP_SURFACE).tried).toBeGreaterThanOrEqual(178);
    expect(misses(SIP_SURFACE)).toEqual([]);
  }, BARRAGE_TIMEOUT_MS);

  it('tokens at the resource servers and OIDC/OAuth requests at both IdMSs (issue: 124 inputs)', async () => {
    await timed(TOKENS_SURFACE, () => tokenBarrage(lab, tally));
    expect(tally.counts(TOKENS_SURFACE).tried).toBeGreaterThanOrEqual(124);
    expect(misses(TOKENS_SURFACE)).toEqual([]);
  }, BARRAGE_TIMEOUT_MS);

  it('admin APIs of the IdMS, CMS (and CSC-17) and GMS of both systems (issue: 61 inputs)', async () => {
    await timed(ADMIN_SURFACE, () => adminBarrage(lab, tally));
    expect(tally.counts(ADMIN_SURFACE).tried).toBeGreaterThanOrEqual(61);
    expect(misses(ADMIN_SURFACE)).toEqual([]);
  }, BARRAGE_TIMEOUT_MS);

  it('the UE host control API (issue: 66 inputs)', async () => {
    await timed(UE_HOST_SURFACE, () => ueHostBarrage(lab, tally));
    expect(tally.counts(UE_HOST_SURFACE).tried).toBeGreaterThanOrEqual(66);
    expect(misses(UE_HOST_SURFACE)).toEqual([]);
  }, BARRAGE_TIMEOUT_MS);
});

describe('faults: every change reaches its subscribers, dead subscribers go (issue items 7 and 11)', () => {
  const ALICE = 'sip:alice@mcx-a.example.net';
  const PROFILE_MIME = 'application/vnd.3gpp.mcptt-user-profile+xml';
  const adminPut = (body: string) =>
    fetch(`${lab.a.cms.httpUrl}/admin/documents/${userProfileSelector(ALICE, 1)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${lab.a.admin.token}`, 'content-type': PROFILE_MIME },
      body,
    });
  const viaOf = (ue: TestUe, etag: string) => /^SIP\/2\.0\/(\w+)/.exec(ue.notifies.find((n) => n.body.includes(etag))!.message.headers.get('via')!)![1];

  it('a change larger than 64 KB reaches a subscriber over UDP (its NOTIFY over TCP) and one over TCP, and yields the stored body', async () => {
    const selector = userProfileSelector(ALICE, 1);
    const [udp, tcp] = await Promise.all([subscribeUe(lab.a.cms, lab.alice.cms, [selector], 'udp'), subscribeUe(lab.a.cms, lab.alice.cms, [selector], 'tcp')]);
    try {
      expect([udp.status, tcp.status]).toEqual([200, 200]);
      await waitFor(() => udp.notifies[0] && tcp.notifies[0], 'initial NOTIFYs');
      // The UE's copy: what a GET serves (RFC 5875 clause 5.2: the patch applies to it).
      const got = await lab.raw('GET', `${lab.a.cms.xcapRoot}/${selector}`, { authorization: `Bearer ${lab.alice.cms}` });
      expect(got.status).toBe(200);
      const local = { etag: String(got.headers['etag']).replace(/"/g, ''), body: got.body.toString('utf8') };
      const body = local.body.replace('</mcptt-user-profile>', `${extensionNotes(80)}</mcptt-user-profile>`);
      const res = await adminPut(body);
      expect(res.status).toBe(200);
      const { etag } = (await res.json()) as { etag: string };
      const server = lab.a.cms.store.peek(selector)!;
      const delivered: Record<string, unknown> = {};
      for (const [name, ue] of [['udp', udp], ['tcp', tcp]] as const) {
        const change = await waitFor(() => ue.notifies.find((n) => n.body.includes(etag)), `the change NOTIFY over ${name}`);
        expect(Buffer.byteLength(change.body)).toBeGreaterThan(64 * 1024);
        const diff = parseXcapDiff(change.body);
        const entry = diff.documents.find((d) => d.sel === selector)!;
        expect([entry.previousEtag, entry.newEtag]).toEqual([local.etag, etag]);
        const applied = applyDocumentEntry(entry, local, diff.namespaces);
        // The patched copy, or what a GET serves when the diff says to fetch, is the server's document.
        const after = applied.action === 'patched' ? applied.body : (await lab.raw('GET', `${lab.a.cms.xcapRoot}/${selector}`, { authorization: `Bearer ${lab.alice.cms}` })).body.toString('utf8');
        expect(after).toBe(server.body);
        expect(ue.subscription.state).toBe('active');
        delivered[name] = { notifyBytes: Buffer.byteLength(change.body), notifyVia: viaOf(ue, etag), applied: applied.action };
      }
      expect(viaOf(udp, etag)).toBe('TCP');
      faults['largeChange'] = { changeBytes: Buffer.byteLength(body) - Buffer.byteLength(local.body), ...delivered };
      console.log(`large change: ${Math.round((Buffer.byteLength(body) - Buffer.byteLength(local.body)) / 1024)} KB delivered to the UDP subscriber (NOTIFY via ${viaOf(udp, etag)}) and the TCP subscriber (via ${viaOf(tcp, etag)})`);
    } finally {
      await Promise.all([udp.close(), tcp.close()]);
    }
  });

  it.each(['udp', 'tcp'] as const)('a subscriber that died (%s) is dropped, and its row deleted, on the first failed NOTIFY', async (transport) => {
    const cms = lab.a.cms;
    const rows = () => cms.db.prisma.subscription.count({ where: { server: cms.config.serverName } });
    const [liveBefore, rowsBefore] = [cms.subscriptionProxy.size, await rows()];
    const ue = await subscribeUe(cms, lab.alice.cms, [userProfileSelector(ALICE, 1)], transport);
    expect(ue.status).toBe(200);
    await waitFor(() => ue.notifies.length >= 1, 'the initial NOTIFY');
    expect([cms.subscriptionProxy.size, await rows()]).toEqual([liveBefore + 1, rowsBefore + 1]);
    // The UE dies without un-subscribing; then one change: one NOTIFY, which fails.
    await ue.close();
    const current = parseUserProfile(cms.store.peek(userProfileSelector(ALICE, 1))!.body);
    expect((await adminPut(serializeUserProfile({ ...current, status: !current.status }))).status).toBe(200);
    await waitFor(() => cms.subscriptionProxy.size === liveBefore, 'the dead subscription dropped');
    for (let i = 0; i < 400 && (await rows()) > rowsBefore; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await rows()).toBe(rowsBefore);
    faults[`deadSubscriber-${transport}`] = { droppedAfterChanges: 1, rowsLeft: (await rows()) - rowsBefore };
    console.log(`dead subscriber (${transport}): dropped after 1 change (its one failed NOTIFY), ${(await rows()) - rowsBefore} rows left`);
  });
});
