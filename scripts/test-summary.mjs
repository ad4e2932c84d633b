// Adds up the vitest JSON reports (written under CI to <project>/test-results/vitest*.json)
// and prints one closing line "tests: N passed, N failed". Exit 1 when any test failed or none ran.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let files = 0;
for (const group of ['libs', 'apps', 'e2e']) {
  if (!existsSync(group)) continue;
  const dirs = group === 'e2e' ? ['.'] : readdirSync(group);
  for (const dir of dirs) {
    const results = join(group, dir, 'test-results');
    if (!existsSync(results)) continue;
    for (const file of readdirSync(results).filter((f) => /^vitest.*\.json$/.test(f))) {
      const report = JSON.parse(readFileSync(join(results, file), 'utf8'));
      passed += report.numPassedTests ?? 0;
      failed += report.numFailedTests ?? 0;
      files += 1;
    }
  }
}
// Playwright (browser e2e): e2e/playwright-report/results.json
const pw = join('e2e', 'playwright-report', 'results.json');
if (existsSync(pw)) {
  const stats = JSON.parse(readFileSync(pw, 'utf8')).stats ?? {};
  passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  failed += stats.unexpected ?? 0;
  files += 1;
}
console.log(`(${files} reports)`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
