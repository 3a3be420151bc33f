import { z } from 'zod';
import type { PrinterConfigInput } from './profile.js';

/**
 * The pad's printer settings (`printer` in config.json, `HCP__printer__*`): the one schema of
 * them (config.ts embeds it) and the one mapping to the driver's config, with the defaults a
 * setting may leave out.
 */
export const printerSettingsSchema = z
  .object({
    kind: z.enum(['virtual', 'serial', 'usb', 'tcp', 'none']).default('virtual'),
    path: z.string().optional(),
    host: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    baudRate: z.number().int().optional(),
    paperWidthMm: z.union([z.literal(58), z.literal(80)]).default(80),
    qr: z.enum(['native', 'raster']).default('native'),
    /** Print a receipt (with the rating QR) automatically when an evaluation closes unrated. */
    autoPrintUnrated: z.boolean().default(false),
  })
  .strict()
  // A network printer has no sensible default address: guessing 127.0.0.1 would print nowhere.
  .refine((p) => p.kind !== 'tcp' || (p.host !== undefined && p.host.trim() !== ''), {
    message: 'a tcp printer needs its host (printer.host)',
    path: ['host'],
  })
  .prefault({});
export type PrinterSettings = z.output<typeof printerSettingsSchema>;

/** What a setting may leave out, per kind. A tcp printer has no default host (it is refused). */
export const PRINTER_DEFAULTS = {
  serialPath: '/dev/ttyS0',
  serialBaudRate: 9600,
  usbPath: '/dev/usb/lp0',
  tcpPort: 9100,
} as const;

/** The driver's config (profile.ts `printerConfigSchema`) for these settings, or null for `none`. */
export function printerConfigFromSettings(
  p: PrinterSettings,
  dirs: { outputDir: string; fontDir: string },
): PrinterConfigInput | null {
  const profile = { paperWidthMm: p.paperWidthMm, qr: p.qr, codepage: 'gb18030' as const };
  switch (p.kind) {
    case 'none':
      return null;
    case 'virtual':
      return { kind: 'virtual', outputDir: dirs.outputDir, fontDir: dirs.fontDir, profile };
    case 'serial':
      return {
        kind: 'serial',
        path: p.path ?? PRINTER_DEFAULTS.serialPath,
        baudRate: p.baudRate ?? PRINTER_DEFAULTS.serialBaudRate,
        profile,
      };
    case 'usb':
      return { kind: 'usb', path: p.path ?? PRINTER_DEFAULTS.usbPath, profile };
    case 'tcp':
      return { kind: 'tcp', host: p.host ?? '', port: p.port ?? PRINTER_DEFAULTS.tcpPort, profile };
  }
}
