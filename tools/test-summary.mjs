// Totals the vitest and Playwright JSON reports into the one line CI reads, and says why anything
// was skipped (the Electron e2e where the Electron binary is absent).
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
const notes = [];
const skips = [];
// vitest.json: unit and integration; vitest-power.json: the power-cut step (tests/power).
for (const [file, label] of [
  ['test-results/vitest.json', 'vitest'],
  ['test-results/vitest-power.json', 'power-cut'],
]) {
  if (existsSync(file)) {
    const v = JSON.parse(readFileSync(file, 'utf8'));
    passed += v.numPassedTests;
    failed += v.numFailedTests;
    skipped += v.numPendingTests + (v.numTodoTests ?? 0);
    notes.push(`${label} ${v.numPassedTests} passed of ${v.numTotalTests}`);
  } else {
    failed += 1;
    notes.push(`${label} report missing`);
  }
}
if (existsSync('test-results/playwright.json')) {
  const p = JSON.parse(readFileSync('test-results/playwright.json', 'utf8'));
  passed += p.stats.expected + p.stats.flaky;
  failed += p.stats.unexpected;
  skipped += p.stats.skipped;
  notes.push(
    `playwright ${p.stats.expected} passed, ${p.stats.unexpected} failed, ${p.stats.skipped} skipped`,
  );
  const walk = (suite, path) => {
    for (const s of suite.suites ?? []) walk(s, [...path, s.title]);
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        if (t.status === 'skipped') {
          const why = (t.annotations ?? [])
            .map((a) => a.description)
            .filter(Boolean)
            .join('; ');
          skips.push(
            `[${t.projectName}] ${[...path, spec.title].filter(Boolean).join(' › ')}: ${why || 'skipped'}`,
          );
        }
  };
  for (const s of p.suites ?? []) walk(s, []);
} else {
  failed += 1;
  notes.push('playwright report missing');
}
for (const s of skips) console.log(`skipped: ${s}`);
console.log(`(${notes.join('; ')})`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
