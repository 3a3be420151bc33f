import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAhead } from '../../../src/store/read-ahead.js';
import { tempDir } from '../../helpers/tmp.js';

const MB = 1024 * 1024;

describe('readAhead', () => {
  const tmp = tempDir('hcp-read-ahead-');
  afterAll(() => tmp.cleanup());

  it('reads the whole file, across several chunks', () => {
    const file = join(tmp.dir, 'big.db');
    const size = 2 * MB + 12_345; // 1 MB chunks: two whole ones and a part
    writeFileSync(file, Buffer.alloc(size, 7));
    expect(readAhead(file, 1024 * MB)).toEqual({ bytes: size, ms: expect.any(Number) });
  });

  it('reads an empty file without a loop that never ends', () => {
    const file = join(tmp.dir, 'empty.db');
    writeFileSync(file, '');
    expect(readAhead(file, 1024)).toEqual({ bytes: 0, ms: expect.any(Number) });
  });

  it('leaves a file larger than half the memory available unread', () => {
    const file = join(tmp.dir, 'large.db');
    writeFileSync(file, Buffer.alloc(4096, 1));
    expect(readAhead(file, 8191)).toMatchObject({ bytes: 0, skipped: 'too_large' });
    expect(readAhead(file, 8192)).toEqual({ bytes: 4096, ms: expect.any(Number) });
  });

  it('says it could not read a file that is not there, or a directory, without throwing', () => {
    expect(readAhead(join(tmp.dir, 'missing.db'))).toMatchObject({ bytes: 0, skipped: 'unreadable' });
    expect(readAhead(tmp.dir)).toMatchObject({ bytes: 0, skipped: 'unreadable' });
  });
});
