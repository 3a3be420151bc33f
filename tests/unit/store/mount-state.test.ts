import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { mountReadOnly } from '../../../src/store/mount-state.js';
import { onReadOnlyFileSystem } from '../../../src/store/volume.js';
import { tempDir } from '../../helpers/tmp.js';

const t = tempDir('hcp-mounts-');
afterEach(() => t.cleanup());

function table(dataMountOptions: string, superOptions: string): string {
  const dir = join(t.dir, 'with space');
  mkdirSync(dir, { recursive: true });
  const escaped = dir.replace(/ /g, '\\040');
  const file = join(t.dir, 'mountinfo');
  writeFileSync(
    file,
    [
      '22 1 253:1 / / rw,relatime - ext4 /dev/vda rw',
      `44 22 7:0 / ${escaped} ${dataMountOptions} - ext4 /dev/loop0 ${superOptions}`,
      '',
    ].join('\n'),
  );
  return file;
}

it('reads the mount holding the directory: rw, ro, and ext4 emergency_ro after an I/O error', () => {
  const dir = join(t.dir, 'with space', 'data');
  mkdirSync(dir, { recursive: true });
  expect(mountReadOnly(dir, table('rw,relatime', 'rw,errors=remount-ro'))).toBe(false);
  expect(mountReadOnly(dir, table('ro,relatime', 'rw'))).toBe(true);
  expect(mountReadOnly(dir, table('rw,relatime', 'ro'))).toBe(true);
  // access(W_OK) says writable here, every write answers EROFS
  expect(mountReadOnly(dir, table('rw,relatime', 'rw,errors=remount-ro,emergency_ro'))).toBe(true);
  // a directory elsewhere is on the root mount
  expect(mountReadOnly('/', table('ro', 'ro'))).toBe(false);
  expect(mountReadOnly(dir, join(t.dir, 'absent'))).toBeNull();
});

it('a data directory is read-only for the start’s diagnosis when ext4 marked it emergency_ro, though access(2) says writable', () => {
  const dir = join(t.dir, 'with space', 'data');
  mkdirSync(dir, { recursive: true });
  expect(onReadOnlyFileSystem(dir, table('rw,relatime', 'rw,errors=remount-ro'))).toBe(false);
  expect(onReadOnlyFileSystem(dir, table('rw,relatime', 'rw,emergency_ro,errors=remount-ro'))).toBe(true);
});
