import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientSession } from '../../../src/api/dispatch.js';
import { hashPin, MAX_PIN_FAILURES } from '../../../src/domain/pin.js';
import { MAX_FAILURE_ROWS } from '../../../src/service/staff-auth.js';
import { SAMPLE_HALL, startTestCore } from '../../helpers/core.js';
import { FakeClock } from '../../helpers/tmp.js';

type Pad = Awaited<ReturnType<typeof startTestCore>>;
let pad: Pad | null = null;
afterEach(async () => {
  await pad?.stop();
  pad = null;
});

const BADGES = Object.fromEntries(
  (SAMPLE_HALL.staff as Array<{ staffId: string; badgeSecret?: string }>).map((s) => [
    s.staffId,
    s.badgeSecret ?? '',
  ]),
);
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

/** The sample roster as the platform serves it: PINs as PHC strings (cheap ones), badges as hashes. */
function loadRoster(p: Pad, ln = 10): void {
  const items = SAMPLE_HALL.staff.map((s) => ({
    staffId: s.staffId,
    name: s.name,
    title: s.title,
    windowNos: s.windowNos,
    pin: hashPin(s.pin, { ln, r: 8, p: 1 }),
    ...(BADGES[s.staffId] ? { badge: sha(BADGES[s.staffId] as string) } : {}),
  }));
  p.core.db
    .prepare(`INSERT OR REPLACE INTO refdata (name, etag, body, fetched_ms) VALUES ('staff', NULL, ?, ?)`)
    .run(JSON.stringify({ items }), Date.now());
}

const session = (): ClientSession => ({ techUnlocked: false });
async function call(p: Pad, s: ClientSession, method: string, params: unknown = {}) {
  return p.core.dispatch(method, params, s);
}
const ITEM = { projectNo: 'P-1', taskCode: 'T', taskName: '事项', promiseType: 1 as const };

describe('staff panel behind the PIN (finding: one touch opens it while someone is signed in)', () => {
  it('a screen session that did not type the PIN gets staff_locked, not the panel', async () => {
    pad = await startTestCore();
    loadRoster(pad);
    const staffScreen = session();
    expect(await call(pad, staffScreen, 'staffSignIn', { staffId: 'T0107', pin: '246810' })).toMatchObject({
      ok: true,
      result: { lockAfterS: 60 },
    });
    const citizen = session(); // another screen session (reload, second tab, another client)
    for (const [method, params] of [
      ['staffOverview', {}],
      ['setWindowState', { state: 'paused' }],
      ['staffSignOut', {}],
      ['fileAppeal', { recordId: 'E1', reason: '这不是我的错' }],
      ['startEvaluation', { cases: [ITEM] }],
      ['printReceipt', { evaluationId: 'E1' }],
    ] as const) {
      expect(await call(pad, citizen, method, params), method).toMatchObject({
        ok: false,
        error: { code: 'staff_locked' },
      });
    }
    expect(await call(pad, citizen, 'staffUnlock', { pin: '135790' })).toMatchObject({
      ok: false,
      error: { code: 'bad_credentials' },
    });
    expect(await call(pad, citizen, 'staffUnlock', { pin: '246810' })).toMatchObject({ ok: true });
    expect(await call(pad, citizen, 'staffOverview')).toMatchObject({ ok: true });
  });

  it('locks itself after 60 s untouched (default), a touch keeps it open, closing locks it', async () => {
    const clock = new FakeClock(Date.now());
    pad = await startTestCore({}, { clock });
    loadRoster(pad);
    const s = session();
    await call(pad, s, 'staffSignIn', { staffId: 'T0107', pin: '246810' });
    clock.advance(50_000);
    expect(await call(pad, s, 'staffTouch')).toMatchObject({ ok: true, result: { open: true } });
    clock.advance(50_000); // 50 s after the touch, 100 s after sign-in
    expect(await call(pad, s, 'staffOverview')).toMatchObject({ ok: true });
    clock.advance(60_001);
    expect(await call(pad, s, 'staffOverview')).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
    expect(await call(pad, s, 'staffUnlock', { pin: '246810' })).toMatchObject({ ok: true });
    expect(await call(pad, s, 'staffLock')).toMatchObject({ ok: true });
    expect(await call(pad, s, 'staffOverview')).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
  });

  it('locks when an evaluation starts, from any path', async () => {
    pad = await startTestCore();
    loadRoster(pad);
    const s = session();
    await call(pad, s, 'staffSignIn', { staffId: 'T0107', pin: '246810' });
    const { evaluationId } = await pad.core.startEvaluation({ cases: [ITEM] }, 'window_api');
    pad.core.cancelEvaluation(evaluationId, 'citizen_left', 'test');
    expect(pad.core.evaluations.openEvaluation()).toBeNull();
    expect(await call(pad, s, 'staffOverview')).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
  });

  it('the cancel control on the rating screen takes the signed-in member’s PIN; without it nothing is cancelled', async () => {
    pad = await startTestCore();
    loadRoster(pad);
    await call(pad, session(), 'staffSignIn', { staffId: 'T0107', pin: '246810' });
    const { evaluationId } = await pad.core.startEvaluation({ cases: [ITEM] }, 'window_api');
    const citizen = session();
    const noPin = await call(pad, citizen, 'cancelEvaluation', { evaluationId, reason: 'citizen_left' });
    expect(noPin).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const wrong = await call(pad, citizen, 'cancelEvaluation', {
      evaluationId,
      reason: 'citizen_left',
      pin: '135790',
    });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'bad_credentials' } });
    expect(pad.core.evaluations.openEvaluation()?.evaluation.id).toBe(evaluationId);
    const right = await call(pad, citizen, 'cancelEvaluation', {
      evaluationId,
      reason: 'citizen_left',
      pin: '246810',
    });
    expect(right).toMatchObject({ ok: true });
    expect(pad.core.evaluations.openEvaluation()).toBeNull();
  });
});

describe('badges (finding: typing HCP-STAFF:<工号> signs anyone in, from any window)', () => {
  it('the old text is no badge; the real badge signs in for the shift but does not open the panel', async () => {
    pad = await startTestCore();
    loadRoster(pad);
    const s = session();
    expect(await call(pad, s, 'staffBadge', { code: 'HCP-STAFF:T0107' })).toMatchObject({
      ok: false,
      error: { code: 'bad_credentials' },
    });
    expect(pad.core.staff.status().staff).toBeNull();
    expect(await call(pad, s, 'staffBadge', { code: `${BADGES.T0107}\r\n` })).toMatchObject({
      ok: true,
      result: { staff: { staffId: 'T0107' } },
    });
    expect(pad.core.staff.status().staff?.staffId).toBe('T0107');
    expect(await call(pad, s, 'staffOverview')).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
  });

  it('a badge of another window’s staff is refused here', async () => {
    pad = await startTestCore();
    loadRoster(pad);
    const r = await call(pad, session(), 'staffBadge', { code: BADGES.T0203 });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_credentials' } });
    expect(pad.core.staff.status().staff).toBeNull();
  });

  it('wrong scans lock badge sign-in (the PIN lockout cannot be sidestepped with badges)', async () => {
    pad = await startTestCore();
    loadRoster(pad);
    for (let i = 0; i < 5; i++) await call(pad, session(), 'staffBadge', { code: `HCP-STAFF:GUESS${i}` });
    expect(await call(pad, session(), 'staffBadge', { code: BADGES.T0107 })).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });
  });
});

describe('unknown and known 工号 cost the same; failure rows are bounded', () => {
  it('an unknown 工号 takes as long as a wrong PIN for a known one (finding: 30× faster)', async () => {
    pad = await startTestCore();
    loadRoster(pad, 14); // the usual cost (16 MiB scrypt)
    const time = async (staffId: string) => {
      const t = process.hrtime.bigint();
      await call(pad as Pad, session(), 'staffSignIn', { staffId, pin: '000000' });
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time('T0107'));
      unknown.push(await time(`NOBODY${i}`));
    }
    const k = Math.min(...known);
    const u = Math.min(...unknown);
    expect(u / k, `known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`).toBeGreaterThan(0.5);
    expect(u / k).toBeLessThan(2);
  });

  it('a PIN is checked off the event loop: the pad goes on serving meanwhile (finding: 86 ms frozen a sign-in)', async () => {
    pad = await startTestCore();
    loadRoster(pad, 14); // the usual cost (16 MiB scrypt, tens of ms)
    for (const [method, params] of [
      ['staffSignIn', { staffId: 'T0107', pin: '246810' }],
      ['staffUnlock', { pin: '246810' }],
    ] as const) {
      const order: string[] = [];
      const answered = call(pad, session(), method, params).then((r) => {
        order.push(`answered ${String(r.ok)}`);
      });
      setImmediate(() => order.push('event loop turned'));
      await answered;
      expect(order, method).toEqual(['event loop turned', 'answered true']);
    }
  });

  it('a PIN typed for one shift does not open the panel for the next one that began while it was checked', async () => {
    pad = await startTestCore();
    loadRoster(pad, 14);
    expect(await call(pad, session(), 'staffSignIn', { staffId: 'T0107', pin: '246810' })).toMatchObject({
      ok: true,
    });
    const screen = session();
    const unlocking = call(pad, screen, 'staffUnlock', { pin: '246810' });
    // T0112 badges in for the next shift while T0107's PIN is being hashed.
    expect(await call(pad, session(), 'staffBadge', { code: BADGES.T0112 as string })).toMatchObject({
      ok: true,
      result: { staff: { staffId: 'T0112' } },
    });
    expect(await unlocking).toMatchObject({ ok: false, error: { code: 'no_staff' } });
    expect(await call(pad, screen, 'staffOverview')).toMatchObject({
      ok: false,
      error: { code: 'staff_locked' },
    });
  });

  it('guesses sent all at once are counted one by one: the lockout holds', async () => {
    pad = await startTestCore();
    loadRoster(pad);
    const p = pad;
    const guesses = await Promise.all(
      Array.from({ length: 2 * MAX_PIN_FAILURES }, (_, i) =>
        call(p, session(), 'staffSignIn', { staffId: 'T0107', pin: String(100000 + i) }),
      ),
    );
    const codes = guesses.map((g) => (g.ok ? 'ok' : g.error.code));
    expect(codes.slice(0, MAX_PIN_FAILURES - 1)).toEqual(Array(MAX_PIN_FAILURES - 1).fill('bad_credentials'));
    expect(codes.slice(MAX_PIN_FAILURES - 1)).toEqual(Array(MAX_PIN_FAILURES + 1).fill('locked'));
    // Locked: even the right PIN is refused now.
    expect(await call(p, session(), 'staffSignIn', { staffId: 'T0107', pin: '246810' })).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });
  });

  it(`${MAX_FAILURE_ROWS + 60} different 工号 leave at most ${MAX_FAILURE_ROWS} failure rows`, async () => {
    pad = await startTestCore();
    loadRoster(pad, 4);
    const p = pad;
    await Promise.all(
      Array.from({ length: MAX_FAILURE_ROWS + 60 }, (_, i) =>
        p.core.dispatch('staffSignIn', { staffId: `X${i}`, pin: '1234' }, session()),
      ),
    );
    const n = (pad.core.db.prepare('SELECT COUNT(*) AS n FROM auth_failures').get() as { n: number }).n;
    expect(n).toBeLessThanOrEqual(MAX_FAILURE_ROWS);
  });
});

describe('technician access (finding: no lockout, 300 wrong codes in 158 ms, nothing logged)', () => {
  it('wrong codes lock with growing delays, kept across a restart; every attempt is logged', async () => {
    const clock = new FakeClock(Date.now());
    pad = await startTestCore({}, { clock });
    const s = session();
    const codes: string[] = [];
    for (let i = 0; i < 3; i++)
      codes.push(
        ((await call(pad, s, 'techUnlock', { code: '111111' })) as { error: { code: string } }).error.code,
      );
    expect(codes).toEqual(['bad_credentials', 'bad_credentials', 'locked']);
    // locked: even the right code is refused now
    expect(await call(pad, s, 'techUnlock', { code: '482913' })).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });
    clock.advance(31_000);
    const fourth = await call(pad, s, 'techUnlock', { code: '111111' });
    expect(fourth).toMatchObject({
      ok: false,
      error: { code: 'locked', message: expect.stringMatching(/60/) },
    });
    // a restart keeps the lock
    const dir = pad.dir;
    await pad.core.stop();
    const again = await startTestCore({ dataDir: dir }, { clock });
    pad = {
      ...again,
      stop: async () => {
        await again.core.stop();
      },
    };
    expect(await call(pad, session(), 'techUnlock', { code: '482913' })).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });
    clock.advance(61_000);
    expect(await call(pad, s, 'techUnlock', { code: '482913' })).toMatchObject({ ok: true });
    const log = readFileSync(join(dir, 'logs', 'kiosk.log'), 'utf8');
    expect(log.match(/technician unlock failed/g)?.length).toBe(4);
    expect(log).toMatch(/technician unlock refused: locked/); // repeats within 10 s are counted on one line
    expect(log).toMatch(/technician unlocked/);
    expect(log).not.toMatch(/111111|482913/);
  });

  it('the technician screens relock when idle', async () => {
    const clock = new FakeClock(Date.now());
    pad = await startTestCore({ 'technician.idleLockS': 120 }, { clock });
    const s = session();
    await call(pad, s, 'techUnlock', { code: '482913' });
    expect(await call(pad, s, 'techStatus')).toMatchObject({ ok: true });
    clock.advance(119_000);
    expect(await call(pad, s, 'printerTestPage')).toMatchObject({ error: { code: 'printer_unavailable' } }); // a touch
    clock.advance(119_000);
    expect(await call(pad, s, 'techStatus')).toMatchObject({ ok: true }); // the screen's polling: no touch
    clock.advance(1_001);
    expect(await call(pad, s, 'techStatus')).toMatchObject({ ok: false, error: { code: 'tech_locked' } });
  });
});
