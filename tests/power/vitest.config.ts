import { defineConfig } from 'vitest/config';

/**
 * The power-cut test runs as its own step of `npm test` (tools/test-all.sh), after the other
 * tests: its guests take a core each for minutes and would slow every timing-sensitive test
 * running beside them. Its report is counted in the summary line (tools/test-summary.mjs).
 */
export default defineConfig({
  test: {
    include: ['tests/power/**/*.test.ts'],
    testTimeout: 45 * 60_000,
    hookTimeout: 15 * 60_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-power.json' }]],
  },
});
