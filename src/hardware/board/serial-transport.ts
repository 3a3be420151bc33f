/** The board on a real serial device (USB CDC-ACM, USB-serial adapter, UART) via serialport 13. */
import { existsSync, readdirSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { SerialByteTransport } from '../serial-port.js';
import type { ByteTransport } from './transport.js';

/** The board's line: no DTR/RTS games, no flow control, writes handed to the OS (EVB/1 §1). */
export class SerialTransport extends SerialByteTransport implements ByteTransport {
  constructor(path: string, baudRate: number) {
    super(path, baudRate, { lineControl: 'none', drainOnWrite: false, forgetOnError: false });
  }
}

export const STABLE_BOARD_PATH = '/dev/hcp-board';
const SCAN_PREFIXES = ['ttyACM', 'ttyUSB', 'ttyS'];

/**
 * Ports that might hold a board, most likely first: the udev symlink, configured extras, then a
 * /dev scan. SerialPort.list() needs udevadm, which small images lack, so it is only a bonus.
 */
export async function listSerialCandidates(
  extra: readonly string[] = [],
  devDir = '/dev',
): Promise<string[]> {
  const out: string[] = [];
  const add = (p: string) => {
    if (!out.includes(p) && existsSync(p)) out.push(p);
  };
  add(STABLE_BOARD_PATH);
  extra.forEach(add);
  let names: string[] = [];
  try {
    names = readdirSync(devDir);
  } catch {
    names = [];
  }
  for (const prefix of SCAN_PREFIXES) {
    names
      .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
      .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
      .forEach((n) => add(`${devDir}/${n}`));
  }
  try {
    const listed = await Promise.race([
      SerialPort.list(),
      new Promise<never[]>((r) => setTimeout(() => r([]), 1000)),
    ]);
    listed.forEach((p) => add(p.path));
  } catch {
    // udevadm missing: the scan above stands.
  }
  return out;
}
