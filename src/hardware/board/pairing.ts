/**
 * Which board is this pad's (decision 132): the one whose INFO reports the configured serial
 * (`board.serialNumber`), else the one remembered at first pairing, else — on a pad never paired —
 * the first device that answers EVB/1 INFO, which is then remembered. Any other device on a
 * ttyUSB/ttyACM (a scanner, a modem, a second board) is refused before a single key is read,
 * and the refusal says why for the technician screen.
 */
export interface BoardPairing {
  /** The serial the board must report, and where it comes from; null serial = not paired yet. */
  expected(): { serial: string | null; source: 'config' | 'remembered' | null };
  /** Called once, when a pad with no expected serial pairs with a board. */
  remember(serial: string): void;
}

/** Why the device is not this pad's board, or null when it is. */
export function refuseBoard(path: string, serial: string, pairing: BoardPairing | undefined): string | null {
  const want = pairing?.expected();
  if (!want?.serial || want.serial === serial) return null;
  const where = want.source === 'config' ? '配置的 board.serialNumber' : '首次配对记住的';
  return (
    `${path} 上的评价器序列号为 ${serial}，与${where} ${want.serial} 不符，未使用 / ` +
    `the board at ${path} reports serial ${serial}, not the ${want.source === 'config' ? 'configured' : 'paired'} ${want.serial}: not used`
  );
}

export function notABoard(path: string): string {
  return (
    `${path} 上的设备不应答 EVB/1 INFO，不是评价器，未使用 / ` +
    `the device at ${path} does not answer EVB/1 INFO: not a star-key board, not used`
  );
}
