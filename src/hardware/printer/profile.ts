import { z } from 'zod';

/**
 * What the receipt layout needs to know about a printer. Font A (12×24 dots) is assumed:
 * 58 mm paper prints 384 dots = 32 columns, 80 mm prints 576 dots = 48 columns (203 dpi).
 * A Chinese character takes two columns (24×24 dots).
 */
export const printerProfileSchema = z.object({
  paperWidthMm: z.union([z.literal(58), z.literal(80)]),
  /** native: the printer draws the QR from `GS ( k` (≈ 0.1 KB); raster: we send its bitmap (`GS v 0`). */
  qr: z.enum(['native', 'raster']).default('native'),
  codepage: z.literal('gb18030').default('gb18030'),
});
export type PrinterProfile = z.output<typeof printerProfileSchema>;
export type PrinterProfileInput = z.input<typeof printerProfileSchema>;

export interface PaperGeometry {
  columns: number;
  dots: number;
  /** Dots per QR module: as large as fits comfortably, for old phones' cameras. */
  qrModuleDots: number;
}

export function geometry(p: Pick<PrinterProfile, 'paperWidthMm'>): PaperGeometry {
  return p.paperWidthMm === 58
    ? { columns: 32, dots: 384, qrModuleDots: 6 }
    : { columns: 48, dots: 576, qrModuleDots: 8 };
}

const timing = {
  /** Wait for each DLE EOT answer. A printer that misses it is reported absent. */
  statusTimeoutMs: z.number().int().positive().default(800),
  /** Background status poll, so that a refilled paper roll shows up without a print attempt. */
  pollIntervalMs: z.number().int().nonnegative().default(15_000),
  /** Upper bound for handing one job to the transport. */
  sendTimeoutMs: z.number().int().positive().default(30_000),
};

export const printerStates = ['ok', 'paper_out', 'cover_open', 'absent', 'error'] as const;

/** The printer section of the core's configuration (the core embeds this schema). */
export const printerConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('virtual'),
    outputDir: z.string().min(1),
    profile: printerProfileSchema,
    /** The state the virtual printer reports; lets a demo show the paper-out path. */
    simulateState: z.enum(printerStates).default('ok'),
    simulatePaperLow: z.boolean().default(false),
    /** CJK font for the PNG render; found automatically when absent. */
    fontFile: z.string().min(1).optional(),
    /** A folder of fonts shipped with the app (assets/receipt/), tried after the system's. */
    fontDir: z.string().min(1).optional(),
    ...timing,
  }),
  z.object({
    kind: z.literal('serial'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
    profile: printerProfileSchema,
    ...timing,
  }),
  z.object({
    kind: z.literal('usb'),
    path: z.string().min(1),
    profile: printerProfileSchema,
    /** Some USB printers (usblp without a read endpoint) never answer DLE EOT: then assume ok. */
    statusQuery: z.boolean().default(true),
    ...timing,
  }),
  z.object({
    kind: z.literal('tcp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(9100),
    profile: printerProfileSchema,
    connectTimeoutMs: z.number().int().positive().default(3000),
    ...timing,
  }),
]);
export type PrinterConfig = z.output<typeof printerConfigSchema>;
export type PrinterConfigInput = z.input<typeof printerConfigSchema>;
