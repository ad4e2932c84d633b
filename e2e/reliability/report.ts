/**
 * The reliability report: every input tried against a surface gets one verdict, and every surface
 * one summary line and a row in `test-results/<name>.json` (the bad-input catalogue writes
 * `reliability.json`; the authorization matrix reuses this module for its own file).
 *
 * Verdicts (our choice of names, after the "Done when"):
 *  - refused:          refused with the spec-shaped error of its interface (RFC 4825 xcap-error,
 *                      SIP final 4xx..6xx, RFC 6749 clause 5.2 / RFC 6750 clause 3.1 OAuth error,
 *                      our JSON `{ error, error_description | detail }`);
 *  - not-spec-shaped:  refused, but not in the shape of its interface (an HTML page, text/plain, ...);
 *  - 5xx:              the server failed;
 *  - accepted-invalid: a 2xx (or no refusal at all) for an input that is not valid.
 * Independently, `changedState` says whether what the input could have changed (document ETags,
 * subscription and registration counts, user and group lists) differs before and after it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Verdict = 'refused' | 'not-spec-shaped' | '5xx' | 'accepted-invalid';

export interface Trial {
  surface: string;
  /** What was sent, e.g. `cms-a PUT body:doctype-entities`. */
  input: string;
  verdict: Verdict;
  /** What came back, e.g. `409 application/xcap-error+xml`, `SIP 400`, `dropped`. */
  answer: string;
  changedState: boolean;
}

export interface SurfaceCounts {
  surface: string;
  tried: number;
  refused: number;
  notSpecShaped: number;
  serverErrors: number;
  acceptedInvalid: number;
  changedState: number;
}

/** Collects trials of any number of surfaces, in the order tried. */
export class Tally {
  readonly trials: Trial[] = [];

  record(trial: Trial): void {
    this.trials.push(trial);
  }

  surfaces(): string[] {
    return [...new Set(this.trials.map((t) => t.surface))];
  }

  counts(surface?: string): SurfaceCounts {
    const of = surface === undefined ? this.trials : this.trials.filter((t) => t.surface === surface);
    const n = (v: Verdict) => of.filter((t) => t.verdict === v).length;
    return {
      surface: surface ?? 'total',
      tried: of.length,
      refused: n('refused'),
      notSpecShaped: n('not-spec-shaped'),
      serverErrors: n('5xx'),
      acceptedInvalid: n('accepted-invalid'),
      changedState: of.filter((t) => t.changedState).length,
    };
  }

  /** Trials that miss a goal (not refused spec-shaped, or changed state). */
  failures(): Trial[] {
    return this.trials.filter((t) => t.verdict !== 'refused' || t.changedState);
  }

  /** One line per surface and a total, e.g. `xcap: 230 tried, 230 refused spec-shaped, 0 5xx, ...`. */
  summaryLines(): string[] {
    return [...this.surfaces().map((s) => summaryLine(this.counts(s))), summaryLine(this.counts())];
  }
}

export function summaryLine(c: SurfaceCounts): string {
  return (
    `${c.surface}: ${c.tried} tried, ${c.refused} refused spec-shaped, ${c.notSpecShaped} refused not spec-shaped, ` +
    `${c.serverErrors} 5xx, ${c.acceptedInvalid} accepted-invalid, ${c.changedState} changed state`
  );
}

/** `<e2e>/test-results/<name>.json`: the counts per surface, the total and every trial that missed a goal. */
export function writeReport(name: string, tally: Tally, extra: Record<string, unknown> = {}): string {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const report = {
    generatedAt: new Date().toISOString(),
    surfaces: tally.surfaces().map((s) => tally.counts(s)),
    total: tally.counts(),
    failures: tally.failures(),
    ...extra,
    trials: tally.trials,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
