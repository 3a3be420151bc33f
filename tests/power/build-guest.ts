/**
 * Builds the power-cut guest: a Debian kernel (unpacked with dpkg-deb, never installed), an
 * initramfs holding busybox, the kernel modules for virtio and ext4, this machine's node with its
 * shared libraries, the pad's core bundled with the guest driver, and the native modules the
 * bundle loads. Cached outside the repository, keyed by a hash of every input, so a second run
 * costs one esbuild pass and a hash.
 *
 *   npx tsx tests/power/build-guest.ts      # prints the image's folder
 *
 * Needs: apt-get (for the first download; the lists must be current), dpkg-deb, ldd. No root, no
 * mounting: the initramfs is written by cpio.ts.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { writeCpio, type CpioEntry } from './cpio.js';

const root = join(import.meta.dirname, '../..');

/** Bump when the base layer's recipe changes; the Debian versions it got are recorded inside. */
const BASE_RECIPE = 'base-1';
/** Modules the guest needs; their dependencies are found from each module's .modinfo. */
const WANTED_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_console', 'virtio-rng', 'ext4', 'crc32c_generic'];
/** Packages the bundle leaves external (native code), copied with their runtime dependencies. */
const EXTERNALS = ['better-sqlite3', 'serialport', '@resvg/resvg-js'];
/** Install-time helpers nothing loads at run time. */
const SKIP_PACKAGES = new Set(['prebuild-install']);

export interface GuestImage {
  dir: string;
  kernel: string;
  initrd: string;
  key: string;
}

export function cacheRoot(): string {
  return process.env.HCP_POWER_CACHE ?? join(homedir(), '.cache', 'hcp-kiosk', 'power-guest');
}

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The `depends=` field of a kernel module's .modinfo section, read without modinfo (kmod). */
function moduleDepends(ko: Buffer): string[] {
  const at = ko.indexOf('\0depends=');
  if (at < 0) return [];
  const end = ko.indexOf(0, at + 1);
  const list = ko.subarray(at + '\0depends='.length, end).toString('utf8');
  return list ? list.split(',') : [];
}

/** Kernel modules in load order (dependencies first), as paths relative to the modules folder. */
function resolveModules(modulesDir: string): string[] {
  const byName = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ko')) byName.set(e.name.slice(0, -3).replace(/-/g, '_'), p);
    }
  };
  walk(modulesDir);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const key = name.replace(/-/g, '_');
    if (seen.has(key)) return;
    seen.add(key);
    const path = byName.get(key);
    if (!path) throw new Error(`kernel module ${name} not found in ${modulesDir}`);
    for (const dep of moduleDepends(readFileSync(path))) visit(dep);
    order.push(relative(modulesDir, path));
  };
  for (const m of WANTED_MODULES) visit(m);
  return order;
}

/** The versioned package behind Debian's `linux-image-amd64`, refreshing the apt lists once if needed. */
function currentKernelPackage(): string {
  const ask = (): string | undefined => {
    try {
      const show = run('apt-cache', ['show', '--no-all-versions', 'linux-image-amd64']);
      return /^Depends: (linux-image-[^\s,]+)/m.exec(show)?.[1];
    } catch {
      return undefined;
    }
  };
  let pkg = ask();
  if (!pkg && process.getuid?.() === 0) {
    run('apt-get', ['update', '-qq']);
    pkg = ask();
  }
  if (!pkg) throw new Error('apt-cache knows no linux-image-amd64: run `apt-get update` (as root) first');
  return pkg;
}

/** Kernel, modules and busybox from Debian packages, downloaded once per recipe. */
function ensureBase(): { dir: string; info: string } {
  const dir = join(cacheRoot(), BASE_RECIPE);
  if (existsSync(join(dir, 'ready'))) return { dir, info: readFileSync(join(dir, 'ready'), 'utf8') };
  mkdirSync(cacheRoot(), { recursive: true });
  const work = mkdtempSync(join(cacheRoot(), 'base-tmp-'));
  try {
    const kernelPkg = currentKernelPackage();
    run('apt-get', ['download', kernelPkg, 'busybox-static'], work);
    const debs = readdirSync(work).filter((f) => f.endsWith('.deb'));
    const x = join(work, 'x');
    for (const d of debs) run('dpkg-deb', ['-x', join(work, d), x]);
    const vmlinuz = readdirSync(join(x, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    const release = vmlinuz?.slice('vmlinuz-'.length);
    if (!vmlinuz || !release) throw new Error(`${kernelPkg} holds no vmlinuz`);
    const out = join(work, 'out');
    mkdirSync(join(out, 'modules'), { recursive: true });
    cpSync(join(x, 'boot', vmlinuz), join(out, 'vmlinuz'));
    cpSync(join(x, 'bin', 'busybox'), join(out, 'busybox'));
    const modulesDir = join(x, 'lib', 'modules', release, 'kernel');
    const order = resolveModules(modulesDir);
    for (const m of order) cpSync(join(modulesDir, m), join(out, 'modules', basename(m)));
    writeFileSync(join(out, 'modules.order'), order.map((m) => basename(m)).join('\n') + '\n');
    const info = `${debs.sort().join(' ')}\n`;
    writeFileSync(join(out, 'ready'), info);
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
    return { dir, info };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The guest driver and the core it imports, as one minified CommonJS file: under TCG an ES module
 * bundle of the same code took seconds longer to start (eager compile, named-export lexing of
 * every external). `import.meta.url` is defined from __filename, as the pad's main bundle does.
 */
export async function bundleDriver(): Promise<Buffer> {
  const r = await build({
    entryPoints: [join(import.meta.dirname, 'guest-driver.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    write: false,
    outfile: 'guest-driver.cjs',
    define: { 'import.meta.url': '__hcpModuleUrl' },
    external: [...EXTERNALS, '@serialport/*', '@resvg/*', 'bufferutil', 'utf-8-validate'],
    banner: {
      js: "const __hcpModuleUrl = require('node:url').pathToFileURL(__filename).href;",
    },
    logLevel: 'error',
  });
  const file = r.outputFiles[0];
  if (!file) throw new Error('esbuild produced no bundle');
  return Buffer.from(file.contents);
}

/** A package folder and those of its run-time dependencies, found as Node would from the root. */
function packageClosure(): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string): void => {
    if (found.has(name) || SKIP_PACKAGES.has(name)) return;
    const dir = join(root, 'node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) return; // an optional dependency for another platform
    found.set(name, dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const d of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(d);
  };
  for (const e of EXTERNALS) visit(e);
  return found;
}

/** What of a package the guest needs: for better-sqlite3 its JS and the compiled addon only. */
function packageFiles(name: string, dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (
        name === 'better-sqlite3' &&
        !/^(package\.json|lib(\/|$)|build(\/Release(\/better_sqlite3\.node)?)?$)/.test(rel)
      )
        continue;
      // Prebuilt addons for other platforms: the guest is linux-x64 with glibc.
      if (/(^|\/)prebuilds\/(?!linux-x64)/.test(rel) || rel.endsWith('.musl.node')) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(dir);
  return files;
}

/** Shared libraries of a binary as absolute paths (ldd), the loader included. */
function sharedLibraries(binary: string): string[] {
  return run('ldd', [binary])
    .split('\n')
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
}

export async function ensureGuestImage(log: (s: string) => void = () => {}): Promise<GuestImage> {
  const base = ensureBase();
  const bundle = await bundleDriver();
  const init = readFileSync(join(import.meta.dirname, 'guest-init.sh'));
  const node = realpathSync(process.execPath);
  const packages = packageClosure();
  const files = new Map<string, string>(); // guest path → host path
  files.set('/usr/bin/node', node);
  const natives: string[] = [node];
  for (const [name, dir] of packages)
    for (const f of packageFiles(name, dir)) {
      files.set(join('/opt/hcp/node_modules', name, relative(dir, f)), f);
      if (f.endsWith('.node')) natives.push(f);
    }
  for (const n of natives) for (const lib of sharedLibraries(n)) files.set(lib, lib);
  const assets = join(root, 'assets');
  for (const a of readdirSync(assets, { recursive: true, encoding: 'utf8' }))
    if (statSync(join(assets, a)).isFile()) files.set(join('/opt/hcp/assets', a), join(assets, a));
  // The core finds its app root by this package.json's name.
  const appPackage = Buffer.from(JSON.stringify({ name: 'hcp-kiosk', private: true, type: 'module' }));

  const hash = createHash('sha256');
  hash.update(base.info).update(bundle).update(init).update(appPackage);
  for (const [guest, host] of [...files].sort()) hash.update(guest).update(readFileSync(host));
  const key = hash.digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), `image-${key}`);
  const image: GuestImage = { dir, kernel: join(base.dir, 'vmlinuz'), initrd: join(dir, 'initrd.cpio'), key };
  if (existsSync(join(dir, 'ready'))) return image;

  log(`building the guest image ${key}`);
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const addDir = (d: string): void => {
    if (d === '/' || dirs.has(d)) return;
    addDir(dirname(d));
    dirs.add(d);
    entries.push({ kind: 'dir', path: d });
  };
  for (const d of ['/bin', '/dev', '/proc', '/sys', '/tmp', '/data', '/etc/hcp', '/lib/modules']) addDir(d);
  entries.push({ kind: 'chardev', path: '/dev/console', major: 5, minor: 1 });
  entries.push({
    kind: 'file',
    path: '/bin/busybox',
    data: readFileSync(join(base.dir, 'busybox')),
    mode: 0o755,
  });
  entries.push({ kind: 'file', path: '/init', data: init, mode: 0o755 });
  const modules = readFileSync(join(base.dir, 'modules.order'), 'utf8').trim().split('\n');
  for (const m of modules)
    entries.push({
      kind: 'file',
      path: `/lib/modules/${m}`,
      data: readFileSync(join(base.dir, 'modules', m)),
    });
  entries.push({ kind: 'file', path: '/etc/hcp/modules', data: Buffer.from(modules.join('\n') + '\n') });
  // /lib64 holds the loader on Debian; /lib is a real folder in the guest.
  for (const [guest, host] of [...files].sort()) {
    addDir(dirname(guest));
    const mode = statSync(host).mode & 0o777;
    entries.push({ kind: 'file', path: guest, data: readFileSync(host), mode });
  }
  addDir('/opt/hcp');
  entries.push({ kind: 'file', path: '/opt/hcp/guest-driver.cjs', data: bundle });
  entries.push({ kind: 'file', path: '/opt/hcp/package.json', data: appPackage });

  const tmp = mkdtempSync(join(cacheRoot(), 'image-tmp-'));
  try {
    writeCpio(join(tmp, 'initrd.cpio'), entries);
    writeFileSync(join(tmp, 'ready'), `${new Date().toISOString()}\n`);
    pruneOldImages();
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return image;
}

/** Keeps the cache from growing by ~110 MB per source change: the three newest images stay. */
function pruneOldImages(): void {
  const images = readdirSync(cacheRoot())
    .filter((d) => d.startsWith('image-'))
    .map((d) => ({ d, t: statSync(join(cacheRoot(), d)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { d } of images.slice(2)) rmSync(join(cacheRoot(), d), { recursive: true, force: true });
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(import.meta.filename)) {
  const t0 = Date.now();
  const image = await ensureGuestImage((s) => console.log(s));
  console.log(`${image.dir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
