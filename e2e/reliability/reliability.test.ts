/**
 * The bad-input catalogue (reliability/README.md): every surface of both MC systems and the UE
 * host gets its inputs, each one classified (refused spec-shaped, 5xx, accepted-invalid) and
 * checked for changed state; one summary line per surface and a total, the report in
 * test-results/reliability.json. Goals: every input refused spec-shaped, 0 5xx, 0 accepted-invalid,
 * 0 changed state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SURFACE, adminBarrage } from './admin.ts';
import { startReliabilityLab, type ReliabilityLab } from './ecosystem.ts';
import { Tally, writeReport } from './report.ts';
import { SIP_SURFACE, sipBarrage } from './sip.ts';
import { TOKENS_SURFACE, tokenBarrage } from './tokens.ts';
import { UE_HOST_SURFACE, ueHostBarrage } from './ue-host.ts';
import { XCAP_SURFACE, xcapBarrage } from './xcap.ts';

let lab: ReliabilityLab;
const tally = new Tally();
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
  if (tally.trials.length > 0) console.log(`report: ${writeReport('reliability', tally, { durationsMs })}`);
  await lab?.close();
});

/** The trials of a surface that missed a goal, as lines a reader can act on. */
const misses = (surface: string) => tally.failures().filter((t) => t.surface === surface).map((t) => `${t.input} -> ${t.verdict} (${t.answer})${t.changedState ? ' changed state' : ''}`);

describe('bad input, per surface: refused spec-shaped, no 5xx, nothing accepted, nothing changed', () => {
  it('XCAP at the CMS and GMS of both systems (issue: 223 inputs)', async () => {
    await timed(XCAP_SURFACE, () => xcapBarrage(lab, tally));
    expect(tally.counts(XCAP_SURFACE).tried).toBeGreaterThanOrEqual(223);
    expect(misses(XCAP_SURFACE)).toEqual([]);
  });

  it('SIP over UDP and TCP at the CMS, GMS and MCS of both systems (issue: 178 inputs)', async () => {
    await timed(SIP_SURFACE, () => sipBarrage(lab, tally));
    expect(tally.counts(SIP_SURFACE).tried).toBeGreaterThanOrEqual(178);
    expect(misses(SIP_SURFACE)).toEqual([]);
  });

  it('tokens at the resource servers and OIDC/OAuth requests at both IdMSs (issue: 124 inputs)', async () => {
    await timed(TOKENS_SURFACE, () => tokenBarrage(lab, tally));
    expect(tally.counts(TOKENS_SURFACE).tried).toBeGreaterThanOrEqual(124);
    expect(misses(TOKENS_SURFACE)).toEqual([]);
  });

  it('admin APIs of the IdMS, CMS (and CSC-17) and GMS of both systems (issue: 61 inputs)', async () => {
    await timed(ADMIN_SURFACE, () => adminBarrage(lab, tally));
    expect(tally.counts(ADMIN_SURFACE).tried).toBeGreaterThanOrEqual(61);
    expect(misses(ADMIN_SURFACE)).toEqual([]);
  });

  it('the UE host control API (issue: 66 inputs)', async () => {
    await timed(UE_HOST_SURFACE, () => ueHostBarrage(lab, tally));
    expect(tally.counts(UE_HOST_SURFACE).tried).toBeGreaterThanOrEqual(66);
    expect(misses(UE_HOST_SURFACE)).toEqual([]);
  });
});
