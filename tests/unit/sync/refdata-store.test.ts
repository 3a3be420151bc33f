import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/store/db.js';
import { getRefdata, putRefdata, refdataInfo, touchRefdata } from '../../../src/store/refdata.js';
import { tempDir } from '../../helpers/tmp.js';
import { openPadDb } from './fixtures.js';

const NORMS = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../assets/norms-2020.json'), 'utf8'),
) as unknown;

describe('refdata store', () => {
  let db: Db;
  let cleanup: () => void;
  beforeEach(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = openPadDb(t.dir);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  it('stores a valid copy with its etag and reads it back typed', () => {
    expect(putRefdata(db, 'norms', NORMS, '"e1"', 100)).toEqual({ ok: true });
    const row = getRefdata(db, 'norms');
    expect(row?.etag).toBe('"e1"');
    expect(row?.value.version).toBe('national-2020-05');
    expect(row?.value.items.length).toBeGreaterThan(10);
    expect(refdataInfo(db)).toEqual({
      norms: { etag: '"e1"', fetchedMs: 100 },
      profile: null,
      tasks: null,
      staff: null,
    });
  });

  it('a bad answer changes nothing', () => {
    putRefdata(db, 'norms', NORMS, '"e1"', 100);
    for (const bad of [
      null,
      'x',
      {},
      { version: 'v2', items: [] },
      { version: 'v2', items: [{ code: 'x', starLevel: 9, name: '' }] },
    ]) {
      const r = putRefdata(db, 'norms', bad, '"e2"', 200);
      expect(r.ok).toBe(false);
    }
    expect(getRefdata(db, 'norms')?.etag).toBe('"e1"');
    expect(getRefdata(db, 'norms')?.fetchedMs).toBe(100);
  });

  it('refuses a roster whose pin is not a scrypt PHC string (never plain PINs)', () => {
    const roster = { items: [{ staffId: 'T1', name: '甲', title: '', windowNos: ['12'], pin: '246810' }] };
    expect(putRefdata(db, 'staff', roster, null, 1).ok).toBe(false);
    expect(getRefdata(db, 'staff')).toBeNull();
    const good = {
      items: [
        {
          staffId: 'T1',
          name: '甲',
          title: '',
          windowNos: ['12'],
          pin: '$scrypt$ln=14,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
        },
      ],
    };
    expect(putRefdata(db, 'staff', good, null, 1).ok).toBe(true);
  });

  it('touch (304) moves fetchedMs only', () => {
    putRefdata(db, 'tasks', { items: [{ taskCode: 'A', taskName: '甲', promiseType: 1 }] }, '"t"', 1);
    touchRefdata(db, 'tasks', 50);
    expect(getRefdata(db, 'tasks')).toMatchObject({ etag: '"t"', fetchedMs: 50 });
  });
});
