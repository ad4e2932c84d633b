// Adds up the test reports written under CI and prints one closing line
// "tests: N passed, N failed, N skipped". Exit 1 when any test failed or none ran.
//  - vitest JSON reports: <project>/test-results/vitest*.json (vitest.shared.ts), deploy/test-results too
//  - Playwright JSON report: e2e/playwright-report/results.json (e2e/playwright.config.ts)
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let files = 0;
for (const group of ['libs', 'apps', 'e2e', 'deploy']) {
  if (!existsSync(group)) continue;
  const dirs = group === 'e2e' || group === 'deploy' ? ['.'] : readdirSync(group);
  for (const dir of dirs) {
    const results = join(group, dir, 'test-results');
    if (!existsSync(results)) continue;
    for (const file of readdirSync(results).filter((f) => /^vitest.*\.json$/.test(f))) {
      const report = JSON.parse(readFileSync(join(results, file), 'utf8'));
      passed += report.numPassedTests ?? 0;
      failed += report.numFailedTests ?? 0;
      skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
      files += 1;
    }
  }
}
// Playwright's JSON reporter: stats.expected (passed), unexpected (failed), flaky (passed on a
// retry), skipped.
const pw = join('e2e', 'playwright-report', 'results.json');
if (existsSync(pw)) {
  const stats = JSON.parse(readFileSync(pw, 'utf8')).stats ?? {};
  passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  failed += stats.unexpected ?? 0;
  skipped += stats.skipped ?? 0;
  files += 1;
  console.log(`playwright: ${(stats.expected ?? 0) + (stats.flaky ?? 0)} passed, ${stats.unexpected ?? 0} failed, ${stats.skipped ?? 0} skipped`);
} else {
  console.log(`playwright: no report at ${pw}`);
}
console.log(`(${files} reports)`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
