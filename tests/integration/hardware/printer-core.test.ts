import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPrinterEmulator } from '../../emulators/printer.js';
import type { KioskCore } from '../../../src/host/core.js';
import { until } from '../board/harness.js';
import { api, putOnDuty, startTestCore } from '../../helpers/core.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A pad on duty whose receipt printer is the ESC/POS emulator on TCP 9100, ready to print. */
async function padWithPrinter(beforeReady?: (core: KioskCore) => void, clock?: { now(): number }) {
  const emu = await startPrinterEmulator();
  cleanup.push(() => emu.close());
  const pad = await startTestCore(
    { printer: { kind: 'tcp', host: '127.0.0.1', port: emu.port } },
    clock ? { clock } : {},
  );
  cleanup.push(() => pad.stop());
  putOnDuty(pad.core);
  beforeReady?.(pad.core);
  await until(() => pad.core.hardware.printerState() === 'ok', 10_000, 'printer ok');
  return { emu, pad };
}

describe('printer ↔ core (TCP 9100 emulator)', () => {
  it(
    'paper out and cover open show in /v1/status and reach staff; ratings go on unaffected',
    { timeout: 60_000 },
    async () => {
      const notices: string[] = [];
      const { emu, pad } = await padWithPrinter((core) =>
        core.subscribe((event, payload) => {
          if (event === 'notice') notices.push((payload as { text: string }).text);
        }),
      );

      // A receipt prints while the printer is fine.
      const first = await api(pad.core, 'POST', '/v1/evaluations', {
        cases: [{ projectNo: 'PR-1', taskCode: 'T', taskName: '事项', promiseType: 1 }],
        printReceipt: true,
      });
      expect(first.status).toBe(201);
      await until(() => emu.printed().length > 100, 10_000, 'receipt printed');
      pad.core.evaluations.press({ source: 'key', key: 5 });

      for (const [patch, state] of [
        [{ paperOut: true }, 'paper_out'],
        [{ paperOut: false, coverOpen: true }, 'cover_open'],
      ] as const) {
        emu.setState(patch);
        await pad.core.hardware.printer?.refreshStatus();
        await until(() => pad.core.hardware.printerState() === state, 10_000, state);
        const status = await api(pad.core, 'GET', '/v1/status');
        expect(status.body.printer).toBe(state);
        const id = String(
          (
            await api(pad.core, 'POST', '/v1/evaluations', {
              cases: [{ projectNo: `PR-${state}`, taskCode: 'T', taskName: '事项', promiseType: 1 }],
            })
          ).body.evaluationId,
        );
        const receipt = await api(pad.core, 'POST', `/v1/evaluations/${id}/receipt`);
        expect(receipt.status).toBe(503);
        expect(receipt.body).toMatchObject({ error: 'printer_unavailable', printer: state });
        pad.core.evaluations.press({ source: 'key', key: 4 });
        expect((await api(pad.core, 'GET', `/v1/evaluations/${id}`)).body.state).toBe('done');
      }
      expect(notices.some((n) => n.includes('paper_out'))).toBe(true);
      expect(notices.some((n) => n.includes('cover_open'))).toBe(true);
    },
  );

  it(
    'a receipt that fails mid-job is recorded as failed and the reprint is not a 补打 copy; the next one is',
    { timeout: 60_000 },
    async () => {
      const { emu, pad } = await padWithPrinter();
      const id = String(
        (
          await api(pad.core, 'POST', '/v1/evaluations', {
            cases: [{ projectNo: 'PR-MID', taskCode: 'T', taskName: '事项', promiseType: 1 }],
          })
        ).body.evaluationId,
      );
      pad.core.evaluations.press({ source: 'key', key: 5 });

      // The paper runs out 100 bytes into the receipt.
      emu.setStateAfterBytes(100, { paperOut: true });
      const failed = await api(pad.core, 'POST', `/v1/evaluations/${id}/receipt`);
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ error: 'printer_unavailable', printer: 'paper_out' });

      emu.setState({ paperOut: false });
      await pad.core.hardware.printer?.refreshStatus();
      await until(() => pad.core.hardware.printerState() === 'ok', 10_000, 'printer ok again');
      const reprint = await api(pad.core, 'POST', `/v1/evaluations/${id}/receipt`);
      expect(reprint.body).toMatchObject({ printed: true, copy: false });
      const copy = await api(pad.core, 'POST', `/v1/evaluations/${id}/receipt`);
      expect(copy.body).toMatchObject({ printed: true, copy: true });

      const db = new Database(join(pad.dir, 'kiosk.db'), { readonly: true });
      cleanup.push(() => {
        db.close();
      });
      const rows = db
        .prepare('SELECT copy, result FROM receipt_prints WHERE evaluation_id = ? ORDER BY id')
        .all(id);
      expect(rows).toEqual([
        { copy: 0, result: 'failed' },
        { copy: 0, result: 'printed' },
        { copy: 1, result: 'printed' },
      ]);
      const ev = db.prepare('SELECT receipt_prints AS n FROM evaluations WHERE id = ?').get(id);
      expect(ev).toEqual({ n: 2 });
    },
  );

  it(
    'rule 11: an unrated batch prints one receipt with one QR; the unrated screen promises the QR only when one was printed',
    { timeout: 60_000 },
    async () => {
      let now = Date.now();
      const { emu, pad } = await padWithPrinter(undefined, { now: () => now });
      const count = (bytes: Buffer, seq: number[]) => {
        let n = 0;
        for (let i = bytes.indexOf(Buffer.from(seq)); i >= 0; i = bytes.indexOf(Buffer.from(seq), i + 1)) n++;
        return n;
      };
      const CUT = [0x1d, 0x56, 0x42];
      const QR_STORE = (b: Buffer) => {
        // GS ( k pL pH 49 80 48: store the QR data (one per code printed)
        let n = 0;
        for (let i = 0; i + 7 < b.length; i++)
          if (
            b[i] === 0x1d &&
            b[i + 1] === 0x28 &&
            b[i + 2] === 0x6b &&
            b[i + 5] === 0x31 &&
            b[i + 6] === 0x50
          )
            n++;
        return n;
      };

      const batch = await api(pad.core, 'POST', '/v1/evaluations', {
        groupType: 'batch',
        cases: ['B-1', 'B-2', 'B-3'].map((projectNo) => ({
          projectNo,
          taskCode: 'T',
          taskName: '事项',
          promiseType: 1,
        })),
        printReceipt: true,
      });
      expect(batch.status).toBe(201);
      const batchId = String(batch.body.evaluationId);
      await until(
        () => (pad.core.evaluations.get(batchId)?.evaluation.receipt_prints ?? 0) > 0,
        10_000,
        'batch receipt printed',
      );
      now += 10 * 60_000; // nobody rates: the evaluation runs out
      pad.core.evaluations.expireDue();
      const done = await api(pad.core, 'GET', `/v1/evaluations/${batchId}`);
      expect(done.body.state).toBe('done');
      expect(pad.core.snapshot()).toMatchObject({ screen: 'unrated', receiptPrinted: true });
      await new Promise((r) => setTimeout(r, 300)); // a second receipt would have arrived by now
      expect(count(emu.printed(), CUT)).toBe(1);
      expect(QR_STORE(emu.printed())).toBe(1);

      const plain = await api(pad.core, 'POST', '/v1/evaluations', {
        cases: [{ projectNo: 'B-4', taskCode: 'T', taskName: '事项', promiseType: 1 }],
      });
      expect(plain.status).toBe(201);
      now += 10 * 60_000;
      pad.core.evaluations.expireDue();
      expect(pad.core.snapshot()).toMatchObject({ screen: 'unrated', receiptPrinted: false });
    },
  );
});
