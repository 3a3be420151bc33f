/** The two kinds of device behind the print queue: a real ESC/POS printer, and the virtual one. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseEscPos } from './parser.js';
import { geometry, type PrinterProfile } from './profile.js';
import { findCjkFont, renderReceiptPng } from './render.js';
import { decodeStatus, type DeviceStatus, type PrinterState } from './status.js';
import { queryRawStatus, type ByteTransport } from './transport.js';

export interface PrinterDevice {
  readonly name: string;
  /** Never throws: an unreachable device is `absent` with the reason in `detail`. */
  status(): Promise<DeviceStatus>;
  send(bytes: Buffer, jobId: string): Promise<void>;
  close(): Promise<void>;
}

const absent = (detail: string): DeviceStatus => ({
  state: 'absent',
  paperLow: false,
  paperOut: false,
  coverOpen: false,
  detail,
});

export class EscPosDevice implements PrinterDevice {
  constructor(
    private readonly transport: ByteTransport,
    private readonly statusTimeoutMs: number,
    /** False: the device cannot answer DLE EOT; an open device counts as ok. */
    private readonly statusQuery = true,
  ) {}

  get name(): string {
    return this.transport.name;
  }

  async status(): Promise<DeviceStatus> {
    try {
      await this.transport.open();
    } catch (e) {
      return absent(`cannot open ${this.transport.name}: ${(e as Error).message}`);
    }
    if (!this.statusQuery)
      return {
        state: 'ok',
        paperLow: false,
        paperOut: false,
        coverOpen: false,
        detail: 'status not queried',
      };
    try {
      const raw = await queryRawStatus(this.transport, this.statusTimeoutMs);
      // Silence usually means a dead connection (printer off, half-open TCP): reconnect next time.
      if (raw.printer === null) await this.transport.close();
      return decodeStatus(raw);
    } catch (e) {
      await this.transport.close().catch(() => undefined);
      return absent(`status query failed: ${(e as Error).message}`);
    }
  }

  async send(bytes: Buffer): Promise<void> {
    await this.transport.open();
    await this.transport.write(bytes);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

export interface VirtualOutput {
  jobId: string;
  bin: string;
  png: string;
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * The printer for development and demos: writes each job as `<time>-<jobId>.bin` (the exact
 * ESC/POS bytes) and `.png` (how it would print), parsing with the same parser the tests use, so
 * an encoder bug fails the job here instead of printing garbage on a real printer later.
 */
/** The virtual printer keeps this many jobs (a .bin and a .png each); older ones go first. */
export const VIRTUAL_KEEP_JOBS = 200;

/**
 * Names start with `j` and a job number that only grows (`j000000042-<time>-<jobId>`), so name
 * order is age order even when the wall clock jumps back (a pad booting in 2000 must not prune
 * the receipts it just printed as "oldest"). Files of older versions (a time stamp first) sort
 * before every numbered one and go first.
 */
const JOB_NAME = /^j(\d{9})-/;

async function pruneOldest(dir: string, keepFiles: number): Promise<void> {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.bin') || n.endsWith('.png')).sort();
  for (const name of names.slice(0, Math.max(0, names.length - keepFiles))) {
    await fs.rm(path.join(dir, name), { force: true });
  }
}

async function lastJobNumber(dir: string): Promise<number> {
  let last = 0;
  for (const n of await fs.readdir(dir)) {
    const m = JOB_NAME.exec(n);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return last;
}

export class VirtualDevice implements PrinterDevice {
  readonly outputs: VirtualOutput[] = [];
  private jobNumber: number | null = null;
  constructor(
    private readonly outputDir: string,
    private readonly profile: PrinterProfile,
    private readonly simulate: { state: PrinterState; paperLow: boolean },
    private readonly fontFile?: string,
    private readonly fontDir?: string,
    private readonly keepJobs = VIRTUAL_KEEP_JOBS,
  ) {}

  get name(): string {
    return `virtual:${this.outputDir}`;
  }

  async status(): Promise<DeviceStatus> {
    const s = this.simulate.state;
    return {
      state: s,
      paperLow: this.simulate.paperLow || s === 'paper_out',
      paperOut: s === 'paper_out',
      coverOpen: s === 'cover_open',
      detail: s === 'ok' ? (this.simulate.paperLow ? '打印纸将尽 (simulated)' : null) : `simulated ${s}`,
    };
  }

  /** Lets a demo or test flip the simulated state at run time. */
  setSimulatedState(state: PrinterState, paperLow = false): void {
    this.simulate.state = state;
    this.simulate.paperLow = paperLow;
  }

  async send(bytes: Buffer, jobId: string): Promise<void> {
    const parsed = parseEscPos(bytes);
    if (parsed.errors.length > 0)
      throw new Error(`malformed ESC/POS: ${parsed.errors.slice(0, 3).join('; ')}`);
    await fs.mkdir(this.outputDir, { recursive: true });
    this.jobNumber = (this.jobNumber ?? (await lastJobNumber(this.outputDir))) + 1;
    const number = String(this.jobNumber).padStart(9, '0');
    const base = path.join(this.outputDir, `j${number}-${stamp(new Date())}-${jobId}`);
    const png = renderReceiptPng(
      parsed,
      geometry(this.profile).dots,
      findCjkFont(this.fontFile, this.fontDir),
    );
    await fs.writeFile(`${base}.bin`, bytes);
    await fs.writeFile(`${base}.png`, png);
    this.outputs.push({ jobId, bin: `${base}.bin`, png: `${base}.png` });
    if (this.outputs.length > this.keepJobs) this.outputs.splice(0, this.outputs.length - this.keepJobs);
    await pruneOldest(this.outputDir, this.keepJobs * 2);
  }

  async close(): Promise<void> {}
}
