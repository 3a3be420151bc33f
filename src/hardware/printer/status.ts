/** Printer status: the public shape, and its derivation from the four DLE EOT answers. */

export type PrinterState = 'ok' | 'paper_out' | 'cover_open' | 'absent' | 'error';

export interface PrinterJobOutcome {
  id: string;
  ok: boolean;
  at: number;
  error?: string;
}

export interface PrinterStatus {
  state: PrinterState;
  paperLow: boolean;
  paperOut: boolean;
  coverOpen: boolean;
  detail: string | null;
  lastJob: PrinterJobOutcome | null;
}

/** The raw answer bytes to DLE EOT 1..4; null where the printer did not answer in time. */
export interface RawStatus {
  printer: number | null;
  offline: number | null;
  error: number | null;
  paper: number | null;
}

export type DeviceStatus = Omit<PrinterStatus, 'lastJob'>;

// Every DLE EOT answer has bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0 (Epson ESC/POS reference).
const wellFormed = (v: number) => (v & 0x93) === 0x12;

export function decodeStatus(raw: RawStatus): DeviceStatus {
  if (raw.printer === null) {
    return {
      state: 'absent',
      paperLow: false,
      paperOut: false,
      coverOpen: false,
      detail: 'no answer to DLE EOT 1',
    };
  }
  for (const [k, v] of Object.entries(raw)) {
    if (v !== null && !wellFormed(v)) {
      return {
        state: 'error',
        paperLow: false,
        paperOut: false,
        coverOpen: false,
        detail: `malformed ${k} status 0x${v.toString(16)}`,
      };
    }
  }
  const offline = (raw.printer & 0x08) !== 0;
  const coverOpen = raw.offline !== null && (raw.offline & 0x04) !== 0;
  const paperOut =
    (raw.paper !== null && (raw.paper & 0x60) !== 0) || (raw.offline !== null && (raw.offline & 0x20) !== 0);
  const paperLow = paperOut || (raw.paper !== null && (raw.paper & 0x0c) !== 0);
  const errBits = raw.error ?? 0x12;
  const errors: string[] = [];
  if (errBits & 0x08) errors.push('autocutter error');
  if (errBits & 0x20) errors.push('unrecoverable error');
  if (errBits & 0x40) errors.push('auto-recoverable error (head temperature)');
  if (errBits & 0x04 && !(errBits & 0x08)) errors.push('mechanical error');
  if (raw.offline !== null && raw.offline & 0x40 && errors.length === 0) errors.push('error');
  // Cover first: with the cover open many paper sensors also read "no paper", and closing the
  // cover is what the staff must do first anyway.
  if (coverOpen) return { state: 'cover_open', paperLow, paperOut, coverOpen, detail: '打印机盖未关' };
  if (paperOut) return { state: 'paper_out', paperLow, paperOut, coverOpen, detail: '打印纸用完' };
  if (errors.length > 0) return { state: 'error', paperLow, paperOut, coverOpen, detail: errors.join(', ') };
  if (offline) return { state: 'error', paperLow, paperOut, coverOpen, detail: 'offline (cause unknown)' };
  return { state: 'ok', paperLow, paperOut, coverOpen, detail: paperLow ? '打印纸将尽' : null };
}

export class PrinterUnavailableError extends Error {
  readonly code = 'printer_unavailable';
  constructor(readonly status: PrinterStatus) {
    super(`printer unavailable: ${status.state}${status.detail ? ` (${status.detail})` : ''}`);
    this.name = 'PrinterUnavailableError';
  }
}

/** The job was sent but the printer was not fine afterwards (or the send failed): reprint it. */
export class PrinterJobError extends Error {
  readonly code = 'printer_job_failed';
  constructor(
    message: string,
    readonly status: PrinterStatus,
  ) {
    super(message);
    this.name = 'PrinterJobError';
  }
}
