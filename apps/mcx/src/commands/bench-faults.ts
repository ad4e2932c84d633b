/**
 * `mcx bench faults [--case NAME] [--ues N] [--json]`: runs the fault cases (apps/mcx/src/faults)
 * one after the other, each on its own ecosystem, and prints one JSON report per case. Exit 1
 * when a case missed its goal.
 */
import { FAULT_CASES } from '../faults/index.ts';

export async function faultsBench(args: { config?: string; ues?: number; json: boolean; case?: string }): Promise<number> {
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const cases = args.case ? FAULT_CASES.filter((c) => c.name === args.case) : FAULT_CASES;
  if (!cases.length) {
    progress(`mcx bench faults: --case takes one of ${FAULT_CASES.map((c) => c.name).join(', ')}`);
    return 2;
  }
  let failed = 0;
  for (const c of cases) {
    progress(`fault case ${c.name}: ${c.summary}`);
    const report = await c.run({ config: args.config, ...(args.ues ? { ues: args.ues } : {}), progress });
    if (!report.ok) failed++;
    process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
  }
  return failed ? 1 : 0;
}
