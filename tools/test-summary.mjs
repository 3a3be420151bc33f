// Totals the vitest and Playwright JSON reports into the one line CI reads.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0,
  failed = 0,
  skipped = 0;
const notes = [];
if (existsSync('test-results/vitest.json')) {
  const v = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + (v.numTodoTests ?? 0);
  notes.push(`vitest ${v.numPassedTests}/${v.numTotalTests}`);
} else {
  failed += 1;
  notes.push('vitest report missing');
}
if (existsSync('test-results/playwright.json')) {
  const p = JSON.parse(readFileSync('test-results/playwright.json', 'utf8'));
  passed += p.stats.expected + p.stats.flaky;
  failed += p.stats.unexpected;
  skipped += p.stats.skipped;
  notes.push(`playwright ${p.stats.expected} passed, ${p.stats.skipped} skipped`);
} else {
  failed += 1;
  notes.push('playwright report missing');
}
console.log(`(${notes.join('; ')})`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
