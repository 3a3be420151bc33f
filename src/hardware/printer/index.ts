/** Receipt printing: the one entry point the core uses. See README.md in this folder. */
import { formatCst } from '../../domain/time.js';
import { EscPosDevice, VirtualDevice, type PrinterDevice } from './devices.js';
import { QueuedPrinter, silentLog, type PrinterLog } from './printer.js';
import { printerConfigSchema, type PrinterConfigInput } from './profile.js';
import { SerialTransport } from './transports/serial.js';
import { TcpTransport } from './transports/tcp.js';
import { UsbDeviceFileTransport } from './transports/usb.js';

export type { PrinterState, PrinterStatus, PrinterJobOutcome, DeviceStatus, RawStatus } from './status.js';
export { PrinterUnavailableError, PrinterJobError, decodeStatus } from './status.js';
export type { ReceiptPrinter, PrintResult, PrinterLog, PrinterLogFn } from './printer.js';
export { QueuedPrinter } from './printer.js';
export {
  printerConfigSchema,
  printerProfileSchema,
  geometry,
  type PrinterConfig,
  type PrinterConfigInput,
  type PrinterProfile,
  type PrinterProfileInput,
} from './profile.js';
export {
  receiptDataSchema,
  buildReceipt,
  buildTestPage,
  RECEIPT_TEXT,
  type ReceiptData,
  type TestPageIdentity,
} from './layout.js';
export { parseEscPos, textLines, qrCodes, rasters, type ParsedEscPos, type EscPosElement } from './parser.js';
export { renderReceiptPng, findCjkFont } from './render.js';
export { VirtualDevice, EscPosDevice, type PrinterDevice } from './devices.js';

/** Validates the config section (zod) and builds the printer; call start() before printing. */
export function createPrinter(config: PrinterConfigInput, log: PrinterLog = silentLog): QueuedPrinter {
  const c = printerConfigSchema.parse(config);
  let device: PrinterDevice;
  switch (c.kind) {
    case 'virtual':
      device = new VirtualDevice(
        c.outputDir,
        c.profile,
        { state: c.simulateState, paperLow: c.simulatePaperLow },
        c.fontFile,
        c.fontDir,
      );
      break;
    case 'serial':
      device = new EscPosDevice(new SerialTransport(c.path, c.baudRate), c.statusTimeoutMs);
      break;
    case 'usb':
      device = new EscPosDevice(
        new UsbDeviceFileTransport(c.path, c.statusQuery),
        c.statusTimeoutMs,
        c.statusQuery,
      );
      break;
    case 'tcp':
      device = new EscPosDevice(new TcpTransport(c.host, c.port, c.connectTimeoutMs), c.statusTimeoutMs);
      break;
  }
  return new QueuedPrinter(
    device,
    c.profile,
    { pollIntervalMs: c.pollIntervalMs, sendTimeoutMs: c.sendTimeoutMs, formatTime: formatCst },
    log,
  );
}
