import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/api/contract.js';
import type { KioskCore } from '../../../src/host/core.js';
import { verifyChain } from '../../../src/store/verify.js';
import { api, putOnDuty } from '../../helpers/core.js';
import { startPad, until } from './pad-fixture.js';

/**
 * A live pad whose data filesystem the kernel turns read-only under it: an ext4 image on a loop
 * device mounted `errors=remount-ro`, with an ext4 error raised through
 * `/sys/fs/ext4/<dev>/trigger_fs_error` — the same path ext4 takes when the eMMC answers a write
 * with an I/O error. (A plain `mount -o remount,ro` is refused with EBUSY while SQLite holds its
 * files open for writing, so this is the only way a live pad's filesystem turns read-only.)
 * Root only (mount, losetup).
 */
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('read-only tests skipped: mounting a loop device needs root');

let work: string;
let mountDir: string;
let image: string;
let core: KioskCore | null = null;

function run(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { stdio: 'pipe', encoding: 'utf8' });
}

beforeEach(() => {
  if (!isRoot) return;
  work = mkdtempSync(join(tmpdir(), 'hcp-ro-'));
  mountDir = join(work, 'mnt');
  run('mkdir', mountDir);
  image = join(work, 'data.img');
  writeFileSync(image, '');
  run('truncate', '-s', '32M', image);
  run('mkfs.ext4', '-q', '-F', image);
  run('mount', '-o', 'loop,errors=remount-ro', image, mountDir);
});
afterEach(async () => {
  await core?.stop();
  core = null;
  if (!isRoot) return;
  run('umount', mountDir); // also detaches the loop device (autoclear)
  rmdirSync(mountDir);
  rmSync(work, { recursive: true, force: true });
});

const CASE = {
  projectNo: '370900-2026-710001',
  taskCode: '370900-XK-0001',
  taskName: '个体工商户设立登记',
  promiseType: 1,
};

/** What the board's press handler meets: the stored outcome, or the error that keeps the press unacknowledged. */
function press(c: KioskCore): string {
  try {
    c.guardStorage(() => c.evaluations.press({ source: 'key', key: 4 }));
  } catch (err) {
    return err instanceof ApiError ? err.code : String((err as { code?: string }).code);
  }
  return 'stored';
}

describe.skipIf(!isRoot)('read-only filesystem under a live pad', () => {
  it('said within a second everywhere, no press stored or acknowledged, reads served; after fsck and a restart the resend counts', async () => {
    const dataDir = join(mountDir, 'data');
    core = await startPad(dataDir, 'http://127.0.0.1:9');
    const c = core;
    putOnDuty(c);
    const done = await api(c, 'POST', '/v1/evaluations', { cases: [CASE] });
    expect(done.status).toBe(201);
    expect(press(c)).toBe('stored');
    const open = await api(c, 'POST', '/v1/evaluations', {
      cases: [{ ...CASE, projectNo: '370900-2026-710002' }],
    });
    expect(open.status).toBe(201);
    expect(c.storage.state()).toBe('ok');

    const dev = basename(run('findmnt', '-n', '-o', 'SOURCE', mountDir).trim());
    writeFileSync(`/sys/fs/ext4/${dev}/trigger_fs_error`, 'hcp-kiosk read-only test');
    const t0 = Date.now();
    expect(run('findmnt', '-n', '-o', 'OPTIONS', mountDir)).toMatch(/^ro,|emergency_ro/);
    await until(() => c.storage.state() === 'read_only', 1000, 'read_only within a second');
    const saidAfterMs = Date.now() - t0;

    // Everyone sees it: window API status, the snapshot the citizen screen and staff panel draw.
    expect((await api(c, 'GET', '/v1/status')).body).toMatchObject({ storage: 'read_only' });
    expect(c.snapshot().storage).toBe('read_only');

    // The board's press cannot be stored: the handler throws, so the key sequencer never acks it
    // and the board keeps resending; the evaluation stays open, nothing was sealed.
    const recordsBefore = (c.db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
    for (let i = 0; i < 3; i++) expect(press(c)).toBe('storage_unavailable');
    expect(c.evaluations.openEvaluation()?.evaluation.state).toBe('waiting');
    expect((c.db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n).toBe(recordsBefore);

    // New evaluations are refused with the documented answer…
    const refused = await api(c, 'POST', '/v1/evaluations', {
      cases: [{ ...CASE, projectNo: '370900-2026-710003' }],
    });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'storage_unavailable', storage: 'read_only' });

    // …while what is stored is still served.
    const read = await api(c, 'GET', `/v1/evaluations/${String(done.body.evaluationId)}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ state: 'done' });
    expect((await api(c, 'GET', `/v1/evaluations/${String(open.body.evaluationId)}`)).status).toBe(200);
    expect(c.queries.windowFigures('12')).toBeTruthy();

    // Back: ext4 keeps a filesystem that met an error read-only until it is unmounted, i.e. the
    // pad restarts after the filesystem check. Nothing acknowledged is lost, the chain is whole,
    // and the board's resend of the refused press now counts.
    await c.stop();
    core = null;
    run('umount', mountDir);
    const fsck = spawnSync('e2fsck', ['-fy', image], { stdio: 'pipe' });
    expect(fsck.status).toBeLessThanOrEqual(1); // 0 clean, 1 errors corrected
    run('mount', '-o', 'loop,errors=remount-ro', image, mountDir);
    core = await startPad(dataDir, 'http://127.0.0.1:9');
    const again = core;
    expect(again.storage.state()).toBe('ok');
    expect(verifyChain(again.db).ok).toBe(true);
    expect(again.evaluations.get(String(done.body.evaluationId))?.evaluation.state).toBe('rated');
    expect(again.evaluations.openEvaluation()?.evaluation.id).toBe(open.body.evaluationId);
    expect(press(again)).toBe('stored');
    expect(again.evaluations.get(String(open.body.evaluationId))?.evaluation.state).toBe('rated');
    expect((again.db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n).toBe(
      recordsBefore + 1,
    );
    console.log(
      `read-only: pad said read_only ${saidAfterMs} ms after the kernel remounted; 3 presses refused, unacknowledged; reads served; after fsck and restart the resend was stored`,
    );
  });
});
