/**
 * Fails on any import cycle among the project's own modules (type-only imports included: a cycle
 * of types is still a knot for the reader). Usage: `npx tsx tools/check-cycles.ts [folders…]`;
 * prints the modules it read, every cycle found, and ends `N cycles`. Exit 1 on any cycle.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const folders = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['src', 'main', 'renderer/src', 'platform-sim', 'tools', 'tests/emulators'];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts') && !/\.test\.tsx?$/.test(name))
      out.push(full);
  }
  return out;
}

/** `./x.js` in TypeScript source names `./x.ts` (or .tsx, or a folder's index). */
function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(js|mjs|jsx)$/, '');
  for (const c of [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    join(base, 'index.ts'),
    join(base, 'index.tsx'),
  ])
    if (existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

const files = folders.flatMap((f) => (existsSync(resolve(root, f)) ? walk(resolve(root, f), []) : []));
const graph = new Map<string, string[]>();
for (const file of files) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const deps = info.importedFiles
    .map((i) => resolveImport(file, i.fileName))
    .filter((d): d is string => d !== null && /\.(ts|tsx|mts)$/.test(d));
  graph.set(file, [...new Set(deps)]);
}

// Tarjan's strongly connected components: every component of more than one module (or a module
// importing itself) is a cycle.
let index = 0;
const stack: string[] = [];
const onStack = new Set<string>();
const idx = new Map<string, number>();
const low = new Map<string, number>();
const cycles: string[][] = [];
function connect(v: string): void {
  idx.set(v, index);
  low.set(v, index);
  index += 1;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
  }
  if (low.get(v) === idx.get(v)) {
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component);
  }
}
for (const v of graph.keys()) if (!idx.has(v)) connect(v);

const rel = (f: string) => relative(root, f);
console.log(`import cycles: read ${graph.size} modules in ${folders.join(', ')}`);
for (const c of cycles) {
  console.log(`cycle (${c.length} modules):`);
  for (const f of c.sort()) {
    const inCycle = (graph.get(f) ?? []).filter((d) => c.includes(d)).map(rel);
    console.log(`  ${rel(f)} → ${inCycle.join(', ')}`);
  }
}
console.log(`${cycles.length} cycles`);
process.exit(cycles.length > 0 ? 1 : 0);
