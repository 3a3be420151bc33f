import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * A writer for the "newc" cpio format the Linux kernel unpacks as its initramfs. Written here so
 * the guest image needs neither `cpio` nor root (device nodes are just header fields).
 */
export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(n: number): Buffer {
  return Buffer.alloc((4 - (n % 4)) % 4);
}

export function writeCpio(outPath: string, entries: readonly CpioEntry[]): void {
  const fd = openSync(outPath, 'w');
  let offset = 0;
  let ino = 1;
  const put = (b: Buffer): void => {
    writeSync(fd, b);
    offset += b.length;
  };
  const header = (
    name: string,
    mode: number,
    size: number,
    rdev: { major: number; minor: number } = { major: 0, minor: 0 },
  ): void => {
    const nameBytes = Buffer.from(`${name}\0`, 'utf8');
    const fields = [
      ino++,
      mode,
      0, // uid
      0, // gid
      mode & S_IFDIR ? 2 : 1,
      0, // mtime: fixed, so the same inputs give the same bytes
      size,
      0,
      0,
      rdev.major,
      rdev.minor,
      nameBytes.length,
      0,
    ];
    put(Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii'));
    put(nameBytes);
    put(pad4(offset));
  };
  try {
    for (const e of entries) {
      const name = e.path.replace(/^\/+/, '');
      if (e.kind === 'dir') header(name, S_IFDIR | (e.mode ?? 0o755), 0);
      else if (e.kind === 'chardev')
        header(name, S_IFCHR | (e.mode ?? 0o600), 0, { major: e.major, minor: e.minor });
      else {
        const data = e.kind === 'file' ? e.data : Buffer.from(e.target, 'utf8');
        const mode = e.kind === 'file' ? S_IFREG | (e.mode ?? 0o644) : S_IFLNK | 0o777;
        header(name, mode, data.length);
        put(data);
        put(pad4(offset));
      }
    }
    header('TRAILER!!!', 0, 0);
  } finally {
    closeSync(fd);
  }
}
