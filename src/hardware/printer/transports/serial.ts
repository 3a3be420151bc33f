/** Serial (RS-232 or USB-serial) printer connection: the pad's one serial transport (../../serial-port.ts). */
import { SerialByteTransport } from '../../serial-port.js';
import type { ByteTransport } from '../transport.js';

/** The printer's line: the driver's default line control, each write drained before it resolves. */
export class SerialTransport extends SerialByteTransport implements ByteTransport {
  constructor(path: string, baudRate: number) {
    super(path, baudRate, { lineControl: 'defaults', drainOnWrite: true, forgetOnError: true });
  }
}
