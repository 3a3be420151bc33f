/**
 * Electronegativity over the TypeScript sources Electron runs (main/, the preload, src/ and the
 * renderer with its HTML), gated: the tool itself always exits 0, so this script fails on any
 * HIGH or MEDIUM finding that has no written reason in tools/electronegativity-suppressions.json,
 * on a source file the tool could not parse (it would be skipped silently), on an inline
 * `eng-disable` comment (reasons live in the suppression file, nowhere else) and on a
 * suppression that no longer matches a finding. Prints the findings as a table.
 *
 *   npm run electronegativity
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Finding {
  check: string;
  severity: string;
  confidence: string;
  file: string;
  line: number;
  sample: string;
}

export interface Suppression {
  check: string;
  file: string;
  reason: string;
}

export interface GateResult {
  failures: string[];
  rows: Array<Finding & { verdict: string }>;
}

const GATED = new Set(['HIGH', 'MEDIUM']);
/** A reason is a sentence someone wrote, not "ok" or "n/a". */
const MIN_REASON = 40;

export function gate(
  findings: Finding[],
  suppressions: Suppression[],
  parseErrors: string[] = [],
): GateResult {
  const failures: string[] = parseErrors.map((e) => `not checked (parse error): ${e}`);
  const used = new Set<Suppression>();
  const rows = findings.map((f) => {
    const s = suppressions.find((x) => x.check === f.check && x.file === f.file);
    if (s) used.add(s);
    if (!GATED.has(f.severity)) return { ...f, verdict: 'ok (low/informational)' };
    if (!s) {
      failures.push(`${f.severity} ${f.check} at ${f.file}:${f.line} has no written reason`);
      return { ...f, verdict: 'FAIL' };
    }
    if (s.reason.trim().length < MIN_REASON) {
      failures.push(`${f.check} at ${f.file}: the suppression's reason is too short to be one`);
      return { ...f, verdict: 'FAIL (reason too short)' };
    }
    return { ...f, verdict: 'suppressed (reason written)' };
  });
  for (const s of suppressions)
    if (!used.has(s))
      failures.push(`stale suppression ${s.check} for ${s.file}: nothing matches it, remove it`);
  return { failures, rows };
}

export function formatTable(rows: GateResult['rows']): string {
  const head = ['check', 'severity', 'confidence', 'location', 'verdict'];
  const body = rows.map((r) => [r.check, r.severity, r.confidence, `${r.file}:${r.line}`, r.verdict]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** Source files may not switch a check off inline: the tool would drop the finding unseen. */
function inlineDisables(dirs: string[]): string[] {
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(tsx?|html|js)$/.test(name) && /eng-disable/.test(readFileSync(p, 'utf8'))) hits.push(p);
    }
  };
  dirs.forEach(walk);
  return hits;
}

interface RawIssue {
  id: string;
  severity: { name: string };
  confidence: { name: string };
  file: string;
  location: { line: number };
  sample: string;
}
type Runner = (
  options: Record<string, unknown>,
  forCli: boolean,
) => Promise<{
  issues: RawIssue[];
  errors: Array<{ file: string; message: string; tolerable: boolean }>;
  globalChecks: number;
  atomicChecks: number;
}>;

async function main(): Promise<number> {
  const root = join(import.meta.dirname, '..');
  const require = createRequire(import.meta.url);
  const run = require('@doyensec/electronegativity/dist/runner.js') as Runner;
  const electronVersion = (require('electron/package.json') as { version: string }).version;
  const sources = ['main', 'src', 'renderer'];
  // Only the sources: tests and tools are not shipped, node_modules is not ours to gate.
  const stage = mkdtempSync(join(tmpdir(), 'hcp-electronegativity-'));
  try {
    for (const d of sources)
      cpSync(join(root, d), join(stage, d), {
        recursive: true,
        filter: (src) => !relative(root, src).split(/[\\/]/).includes('node_modules'),
      });
    cpSync(join(root, 'package.json'), join(stage, 'package.json'));
    const started = Date.now();
    const out = await run(
      {
        input: stage,
        isRelative: true,
        isVerbose: false,
        electronVersionOverride: electronVersion,
        parserPlugins: [],
        excludeFromScan: [],
        isSarif: false,
      },
      false,
    );
    const findings: Finding[] = out.issues.map((i) => ({
      check: i.id,
      severity: i.severity.name,
      confidence: i.confidence.name,
      file: i.file.replaceAll('\\', '/'),
      line: i.location.line,
      sample: i.sample,
    }));
    const parseErrors = out.errors
      .filter((e) => !e.tolerable)
      .map((e) => `${relative(stage, e.file)}: ${e.message}`);
    const suppressions = JSON.parse(
      readFileSync(join(root, 'tools/electronegativity-suppressions.json'), 'utf8'),
    ) as { suppressions: Suppression[] };
    const result = gate(findings, suppressions.suppressions, parseErrors);
    for (const f of inlineDisables(sources.map((d) => join(root, d))))
      result.failures.push(
        `inline eng-disable in ${relative(root, f)}: write the reason in the suppression file`,
      );
    console.log(
      `electronegativity (Electron ${electronVersion}): ${out.globalChecks + out.atomicChecks} checks over ${sources.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log(findings.length > 0 ? formatTable(result.rows) : 'no findings');
    for (const e of out.errors.filter((x) => x.tolerable))
      console.log(`parse warning: ${relative(stage, e.file)}: ${e.message}`);
    if (result.failures.length > 0) {
      console.error(`electronegativity gate FAILED:\n${result.failures.map((f) => `  - ${f}`).join('\n')}`);
      return 1;
    }
    console.log('electronegativity gate: no HIGH or MEDIUM finding without a written reason');
    return 0;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error('electronegativity gate: the tool failed to run:', err);
      process.exit(1);
    },
  );
}
