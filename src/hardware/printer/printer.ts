/**
 * The print queue in front of one device. One job or status exchange at a time (a DLE EOT in the
 * middle of a job's bytes would be read by the printer as image data or be answered out of
 * order). print() returns at once with a promise; the outcome also goes to onStatus/onJob.
 */
import { randomBytes } from 'node:crypto';
import type { PrinterDevice } from './devices.js';
import {
  buildReceipt,
  buildTestPage,
  receiptDataSchema,
  type ReceiptData,
  type TestPageIdentity,
} from './layout.js';
import type { PrinterProfile } from './profile.js';
import {
  PrinterJobError,
  PrinterUnavailableError,
  type DeviceStatus,
  type PrinterJobOutcome,
  type PrinterStatus,
} from './status.js';
import { withTimeout } from './transport.js';

export type PrinterLogFn = (msg: string, fields?: Record<string, unknown>) => void;
/** A plain function (as the board driver takes) or a levelled logger. */
export type PrinterLog = PrinterLogFn | { info: PrinterLogFn; warn: PrinterLogFn; error: PrinterLogFn };
interface LevelledLog {
  info: PrinterLogFn;
  warn: PrinterLogFn;
  error: PrinterLogFn;
}

export const silentLog: PrinterLog = () => undefined;

function levelled(log: PrinterLog): LevelledLog {
  if (typeof log !== 'function') return log;
  const at =
    (level: string): PrinterLogFn =>
    (msg, fields) =>
      log(msg, level === 'info' ? fields : { level, ...fields });
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

export interface PrintResult {
  jobId: string;
  bytes: number;
}

export interface ReceiptPrinter {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Rejects with PrinterUnavailableError(status) when the last known state is not ok. */
  print(receipt: ReceiptData): Promise<PrintResult>;
  /** Chinese and English text and a QR code, for the technician; `pad` names the pad on paper. */
  printTestPage(pad?: TestPageIdentity): Promise<PrintResult>;
  status(): PrinterStatus;
  refreshStatus(): Promise<PrinterStatus>;
  onStatus(listener: (s: PrinterStatus) => void): () => void;
  onJob(listener: (job: PrinterJobOutcome) => void): () => void;
  /** Jobs queued or printing: an update or a restart waits for them (a receipt was promised). */
  queuedJobs(): number;
}

export interface QueueOptions {
  pollIntervalMs: number;
  sendTimeoutMs: number;
  now?: () => number;
  /** For the test page's time line (yyyy-MM-dd HH:mm:ss). */
  formatTime?: (ms: number) => string;
}

function newJobId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export class QueuedPrinter implements ReceiptPrinter {
  private current: PrinterStatus = {
    state: 'absent',
    paperLow: false,
    paperOut: false,
    coverOpen: false,
    detail: 'not started',
    lastJob: null,
  };
  private chain: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly statusListeners = new Set<(s: PrinterStatus) => void>();
  private readonly jobListeners = new Set<(j: PrinterJobOutcome) => void>();
  private readonly now: () => number;
  private readonly log: LevelledLog;

  constructor(
    readonly device: PrinterDevice,
    private readonly profile: PrinterProfile,
    private readonly opts: QueueOptions,
    log: PrinterLog = silentLog,
  ) {
    this.now = opts.now ?? Date.now;
    this.log = levelled(log);
  }

  async start(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.running = true;
    await this.refreshStatus();
    if (this.opts.pollIntervalMs > 0) {
      this.timer = setInterval(() => {
        // Polling between jobs only: a queued job checks the status itself.
        if (this.pending === 0) void this.refreshStatus();
      }, this.opts.pollIntervalMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.chain.catch(() => undefined); // let queued jobs finish: a receipt was promised
    await this.device.close();
    this.apply({ state: 'absent', paperLow: false, paperOut: false, coverOpen: false, detail: 'stopped' });
  }

  queuedJobs(): number {
    return this.pending;
  }

  status(): PrinterStatus {
    return { ...this.current, lastJob: this.current.lastJob ? { ...this.current.lastJob } : null };
  }

  refreshStatus(): Promise<PrinterStatus> {
    return this.enqueue(async () => {
      this.apply(await this.device.status());
      return this.status();
    });
  }

  onStatus(listener: (s: PrinterStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onJob(listener: (job: PrinterJobOutcome) => void): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  print(receipt: ReceiptData): Promise<PrintResult> {
    const parsed = receiptDataSchema.safeParse(receipt);
    if (!parsed.success) return Promise.reject(parsed.error);
    return this.submit(() => buildReceipt(parsed.data, this.profile), 'receipt');
  }

  printTestPage(pad?: TestPageIdentity): Promise<PrintResult> {
    const t = this.opts.formatTime ? this.opts.formatTime(this.now()) : new Date(this.now()).toISOString();
    return this.submit(() => buildTestPage(this.profile, t, pad), 'test page');
  }

  /** The bytes are built inside the queue, so the caller only pays for validation and enqueueing. */
  private submit(build: () => Buffer, what: string): Promise<PrintResult> {
    if (!this.running)
      return Promise.reject(new PrinterUnavailableError({ ...this.status(), detail: 'printer not started' }));
    if (this.current.state !== 'ok') return Promise.reject(new PrinterUnavailableError(this.status()));
    const jobId = newJobId();
    return this.enqueue(() => this.runJob(jobId, build(), what));
  }

  private async runJob(jobId: string, bytes: Buffer, what: string): Promise<PrintResult> {
    const pre = await this.device.status();
    this.apply(pre);
    if (pre.state !== 'ok') {
      const err = new PrinterUnavailableError(this.status());
      this.finishJob(jobId, false, err.message);
      throw new PrinterUnavailableError(this.status());
    }
    try {
      await withTimeout(this.device.send(bytes, jobId), this.opts.sendTimeoutMs, `sending ${what} ${jobId}`);
    } catch (e) {
      this.apply(await this.device.status());
      const msg = `send failed: ${(e as Error).message}`;
      this.finishJob(jobId, false, msg);
      throw new PrinterJobError(msg, this.status());
    }
    const post = await this.device.status();
    this.apply(post);
    if (post.state !== 'ok') {
      // The bytes went out, but the printer stopped (paper ran out mid-receipt, cover opened):
      // the receipt is probably incomplete, so the caller should offer a reprint.
      const msg = `printer ${post.state} after the job${post.detail ? ` (${post.detail})` : ''}`;
      this.finishJob(jobId, false, msg);
      throw new PrinterJobError(msg, this.status());
    }
    this.finishJob(jobId, true);
    this.log.info('job done', { jobId, what, bytes: bytes.length });
    return { jobId, bytes: bytes.length };
  }

  private finishJob(id: string, ok: boolean, error?: string): void {
    const job: PrinterJobOutcome = { id, ok, at: this.now(), ...(error !== undefined ? { error } : {}) };
    if (!ok) this.log.warn('job failed', { jobId: id, error });
    this.current = { ...this.current, lastJob: job };
    this.emitStatus();
    for (const l of this.jobListeners) {
      try {
        l({ ...job });
      } catch (e) {
        this.log.error('job listener threw', { error: String(e) });
      }
    }
  }

  private apply(s: DeviceStatus): void {
    const c = this.current;
    const changed =
      c.state !== s.state ||
      c.paperLow !== s.paperLow ||
      c.paperOut !== s.paperOut ||
      c.coverOpen !== s.coverOpen ||
      c.detail !== s.detail;
    if (!changed) return;
    if (c.state !== s.state) {
      const fields = { from: c.state, to: s.state, detail: s.detail };
      if (s.state === 'ok' || s.detail === 'stopped') this.log.info('state', fields);
      else this.log.warn('state', fields);
    }
    this.current = { ...s, lastJob: c.lastJob };
    this.emitStatus();
  }

  private emitStatus(): void {
    for (const l of this.statusListeners) {
      try {
        l(this.status());
      } catch (e) {
        this.log.error('status listener threw', { error: String(e) });
      }
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const p = this.chain.then(task).finally(() => this.pending--);
    this.chain = p.catch(() => undefined);
    return p;
  }
}
