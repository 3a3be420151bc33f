/**
 * Reads electron-builder.yml and the installed production dependencies, and lists what is wrong
 * with the packaging: files it names that are missing, native modules the asar would swallow,
 * targets a hall needs that are not built. Used by the packaging tests; each finding is a sentence.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

export const root = join(import.meta.dirname, '../../..');

type Target = string | { target: string; arch?: string | string[] };
export interface BuilderConfig {
  files?: string[];
  asarUnpack?: string[];
  directories?: { buildResources?: string; output?: string };
  linux?: { target?: Target[]; icon?: string; extraResources?: Array<{ from: string; to: string }> };
  deb?: { afterInstall?: string; afterRemove?: string; depends?: string[] };
  win?: { target?: Target[]; icon?: string; extraResources?: Array<{ from: string; to: string }> };
  nsis?: { include?: string; script?: string; installerIcon?: string };
  [key: string]: unknown;
}

export function readBuilderConfig(file = join(root, 'electron-builder.yml')): BuilderConfig {
  return yaml.load(readFileSync(file, 'utf8')) as BuilderConfig;
}

/** Every path the config names (not the `files` globs) that does not exist in the repository. */
export function missingNamedFiles(cfg: BuilderConfig): string[] {
  const named: Array<[string, string | undefined]> = [
    ['directories.buildResources', cfg.directories?.buildResources],
    ['linux.icon', cfg.linux?.icon],
    ['deb.afterInstall', cfg.deb?.afterInstall],
    ['deb.afterRemove', cfg.deb?.afterRemove],
    ['win.icon', cfg.win?.icon],
    ['nsis.include', cfg.nsis?.include],
    ['nsis.script', cfg.nsis?.script],
    ['nsis.installerIcon', cfg.nsis?.installerIcon],
    ...(cfg.linux?.extraResources ?? []).map(
      (r, i) => [`linux.extraResources[${i}].from`, r.from] as [string, string],
    ),
    ...(cfg.win?.extraResources ?? []).map(
      (r, i) => [`win.extraResources[${i}].from`, r.from] as [string, string],
    ),
  ];
  return named
    .filter(([, p]) => p !== undefined && !existsSync(join(root, p)))
    .map(([key, p]) => `${key} names ${p}, which does not exist`);
}

const targetName = (t: Target) => (typeof t === 'string' ? t : t.target);
const archesOf = (t: Target): string[] =>
  typeof t === 'string' ? ['x64'] : t.arch === undefined ? ['x64'] : [t.arch].flat();

/** Linux AppImage and deb for x64 and arm64, Windows NSIS for x64. */
export function missingTargets(cfg: BuilderConfig): string[] {
  const out: string[] = [];
  const want: Array<[string, Target[] | undefined, string, string[]]> = [
    ['linux', cfg.linux?.target, 'AppImage', ['x64', 'arm64']],
    ['linux', cfg.linux?.target, 'deb', ['x64', 'arm64']],
    ['win', cfg.win?.target, 'nsis', ['x64']],
  ];
  for (const [os, targets, name, arches] of want) {
    const have = (targets ?? []).filter((t) => targetName(t).toLowerCase() === name.toLowerCase());
    const haveArches = new Set(have.flatMap(archesOf));
    for (const a of arches) if (!haveArches.has(a)) out.push(`${os} target ${name} for ${a} is missing`);
  }
  return out;
}

/** A glob of electron-builder's kind (`**`, `*`, `{a,b}`) as a regular expression over `/` paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+^$()|[\]\\?]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Production dependencies (transitively) that carry a compiled addon (`*.node` or binding.gyp). */
export function nativeProductionModules(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const seen = new Set<string>();
  const queue = Object.keys(pkg.dependencies ?? {});
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    const dir = join(root, 'node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) continue; // an optional dependency of another platform
    seen.add(name);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    queue.push(...Object.keys(meta.dependencies ?? {}), ...Object.keys(meta.optionalDependencies ?? {}));
  }
  return [...seen].filter((name) => hasAddon(join(root, 'node_modules', name))).sort();
}

function hasAddon(dir: string, depth = 0): boolean {
  if (existsSync(join(dir, 'binding.gyp'))) return true;
  if (depth > 4) return false;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const p = join(dir, entry);
    if (entry.endsWith('.node') && statSync(p).isFile()) return true;
    if (statSync(p).isDirectory() && hasAddon(p, depth + 1)) return true;
  }
  return false;
}

/** Native modules none of whose files `asarUnpack` takes out of the archive. */
export function nativeModulesLeftInAsar(cfg: BuilderConfig, modules = nativeProductionModules()): string[] {
  const patterns = (cfg.asarUnpack ?? []).map(globToRegExp);
  return modules
    .filter((m) => !patterns.some((re) => re.test(`node_modules/${m}/index.node`)))
    .map((m) => `native module ${m} is not unpacked from the asar (add it to asarUnpack)`);
}
