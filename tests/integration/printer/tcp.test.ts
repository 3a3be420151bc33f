import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPrinterEmulator, type PrinterEmulator } from '../../emulators/printer.js';
import {
  createPrinter,
  parseEscPos,
  PrinterJobError,
  PrinterUnavailableError,
  qrCodes,
  textLines,
  type QueuedPrinter,
  type PrinterStatus,
} from '../../../src/hardware/printer/index.js';
import { sampleReceipt } from '../../unit/printer/fixtures.js';

let emu: PrinterEmulator;
let printer: QueuedPrinter;

beforeEach(async () => {
  emu = await startPrinterEmulator();
  printer = createPrinter({
    kind: 'tcp',
    host: emu.host,
    port: emu.port,
    profile: { paperWidthMm: 80, qr: 'native' },
    statusTimeoutMs: 300,
    pollIntervalMs: 0,
  });
});
afterEach(async () => {
  await printer.stop();
  await emu.close();
});

describe('TCP 9100 printer against the emulator', () => {
  it('prints: status before and after, bytes parse back to Chinese text and a well-formed QR', async () => {
    await printer.start();
    expect(printer.status()).toMatchObject({ state: 'ok', paperLow: false });
    emu.clear();
    const receipt = sampleReceipt();
    const { bytes } = await printer.print(receipt);
    // DLE EOT 1–4 before the job and again after it.
    expect(emu.statusRequests()).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    const printed = emu.printed();
    expect(printed.length).toBe(bytes);
    const parsed = parseEscPos(printed);
    expect(parsed.errors).toEqual([]);
    expect(textLines(parsed)).toContain('办件编号：370900-2026-000123');
    expect(qrCodes(parsed)).toEqual([expect.objectContaining({ data: receipt.qrUrl, model: 2, ec: 'M' })]);
  });

  it('paper out: print rejects with the status, status() reports it, a refill is picked up', async () => {
    emu.setState({ paperOut: true });
    await printer.start();
    expect(printer.status()).toMatchObject({ state: 'paper_out', paperOut: true, paperLow: true });
    const err = await printer.print(sampleReceipt()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrinterUnavailableError);
    expect((err as PrinterUnavailableError).status.state).toBe('paper_out');
    emu.setState({ paperOut: false, paperNearEnd: true });
    expect(await printer.refreshStatus()).toMatchObject({ state: 'ok', paperLow: true });
    await expect(printer.print(sampleReceipt())).resolves.toMatchObject({ bytes: expect.any(Number) });
  });

  it('cover open: rejects with cover_open', async () => {
    emu.setState({ coverOpen: true });
    await printer.start();
    await expect(printer.print(sampleReceipt())).rejects.toMatchObject({
      code: 'printer_unavailable',
      status: { state: 'cover_open', coverOpen: true },
    });
    expect(printer.status().state).toBe('cover_open');
  });

  it('paper runs out while queued: the job fails at its pre-check, reported by event', async () => {
    await printer.start();
    const events: PrinterStatus[] = [];
    printer.onStatus((s) => events.push(s));
    emu.setState({ paperOut: true }); // the printer's last known state is still ok
    const err = await printer.print(sampleReceipt()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrinterUnavailableError);
    expect(printer.status().lastJob).toMatchObject({ ok: false });
    expect(events.at(-1)).toMatchObject({ state: 'paper_out', lastJob: { ok: false } });
    expect(parseEscPos(emu.printed()).elements.filter((e) => e.kind === 'text')).toHaveLength(0);
  });

  it('paper runs out during the job: PrinterJobError, so the caller can offer a reprint', async () => {
    await printer.start();
    emu.setStateAfterBytes(100, { paperOut: true });
    const err = await printer.print(sampleReceipt()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrinterJobError);
    expect((err as PrinterJobError).status.state).toBe('paper_out');
  });

  it('a silent or missing printer is absent; it comes back by itself', async () => {
    emu.setState({ silent: true });
    await printer.start();
    expect(printer.status().state).toBe('absent');
    await expect(printer.print(sampleReceipt())).rejects.toBeInstanceOf(PrinterUnavailableError);
    emu.setState({ silent: false });
    expect((await printer.refreshStatus()).state).toBe('ok');
    emu.dropConnections(); // printer power-cycled: the socket dies, the next exchange reconnects
    await new Promise((r) => setTimeout(r, 50));
    expect((await printer.refreshStatus()).state).toBe('ok');
    await expect(printer.print(sampleReceipt())).resolves.toBeTruthy();
  });

  it('nothing listening is absent with the reason', async () => {
    const port = emu.port;
    await emu.close();
    const p = createPrinter({
      kind: 'tcp',
      host: '127.0.0.1',
      port,
      profile: { paperWidthMm: 58 },
      statusTimeoutMs: 200,
      pollIntervalMs: 0,
    });
    await p.start();
    expect(p.status()).toMatchObject({ state: 'absent', detail: expect.stringContaining('ECONNREFUSED') });
    await p.stop();
    emu = await startPrinterEmulator();
  });

  it('queues: print() returns at once, concurrent jobs go out whole and in order', async () => {
    await printer.start();
    emu.clear();
    const receipts = [1, 2, 3].map((s) => sampleReceipt({ serviceNumber: s }));
    let settled = 0;
    const jobs = receipts.map((r) => printer.print(r).finally(() => settled++));
    // print() only enqueued: nothing has been built, sent or settled yet.
    expect(settled).toBe(0);
    expect(emu.received().length).toBe(0);
    expect(printer.status().lastJob).toBeNull();
    const results = await Promise.all(jobs);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(3);
    const qrs = qrCodes(parseEscPos(emu.printed()));
    expect(qrs.map((q) => /&s=(\d+)&/.exec(q.data)?.[1])).toEqual(['1', '2', '3']);
  });

  it('background polling notices a state change without a print', async () => {
    const p = createPrinter({
      kind: 'tcp',
      host: emu.host,
      port: emu.port,
      profile: { paperWidthMm: 58 },
      statusTimeoutMs: 300,
      pollIntervalMs: 50,
    });
    await p.start();
    const changed = new Promise<PrinterStatus>((resolve) =>
      p.onStatus((s) => s.state === 'cover_open' && resolve(s)),
    );
    emu.setState({ coverOpen: true });
    await expect(changed).resolves.toMatchObject({ state: 'cover_open' });
    await p.stop();
  });
});
