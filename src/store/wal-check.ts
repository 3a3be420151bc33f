import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads a WAL file the way SQLite does at recovery (https://sqlite.org/fileformat2.html#walformat)
 * to tell a normal crash from lost commits. SQLite replays frames up to the first one whose salt
 * or checksum does not match and silently drops the rest: after a power cut that is a half-written
 * transaction nobody was told about, but if a later frame with the current salt completes a
 * transaction (a commit frame), committed — possibly acknowledged — data sat behind a damaged
 * frame and is about to be dropped. Only that second case is reported.
 */
export interface WalInspection {
  frames: number;
  validFrames: number;
  /** a frame failed its salt/checksum and a committed transaction follows it */
  lostCommits: boolean;
  /** the file ends inside a frame */
  tornTail: boolean;
}

const HEADER = 32;
const FRAME_HEADER = 24;

export function inspectWal(path: string): WalInspection | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < HEADER) return { frames: 0, validFrames: 0, lostCommits: false, tornTail: size > 0 };
    const header = Buffer.alloc(HEADER);
    readSync(fd, header, 0, HEADER, 0);
    const magic = header.readUInt32BE(0);
    if (magic !== 0x377f0682 && magic !== 0x377f0683)
      return { frames: 0, validFrames: 0, lostCommits: false, tornTail: false };
    const bigEndian = (magic & 1) === 1;
    const pageSize = header.readUInt32BE(8) || 65536;
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    let [s0, s1] = checksum(header.subarray(0, 24), 0, 0, bigEndian);
    if (s0 !== header.readUInt32BE(24) || s1 !== header.readUInt32BE(28))
      return { frames: 0, validFrames: 0, lostCommits: false, tornTail: false };
    const frameSize = FRAME_HEADER + pageSize;
    const frames = Math.floor((size - HEADER) / frameSize);
    const tornTail = (size - HEADER) % frameSize !== 0;
    const frame = Buffer.alloc(frameSize);
    let validFrames = 0;
    let broken = false;
    let lostCommits = false;
    for (let i = 0; i < frames; i++) {
      readSync(fd, frame, 0, frameSize, HEADER + i * frameSize);
      const saltOk = frame.readUInt32BE(8) === salt1 && frame.readUInt32BE(12) === salt2;
      const isCommit = frame.readUInt32BE(4) !== 0;
      if (!broken) {
        [s0, s1] = checksum(frame.subarray(0, 8), s0, s1, bigEndian);
        [s0, s1] = checksum(frame.subarray(FRAME_HEADER), s0, s1, bigEndian);
        if (saltOk && s0 === frame.readUInt32BE(16) && s1 === frame.readUInt32BE(20)) {
          validFrames += 1;
          continue;
        }
        broken = true;
        continue;
      }
      if (saltOk && isCommit) {
        lostCommits = true;
        break;
      }
    }
    return { frames, validFrames, lostCommits, tornTail };
  } finally {
    closeSync(fd);
  }
}

/** SQLite's WAL checksum over 8-byte chunks, continuing from (s0, s1). */
function checksum(buf: Buffer, s0: number, s1: number, bigEndian: boolean): [number, number] {
  let a = s0 >>> 0;
  let b = s1 >>> 0;
  for (let i = 0; i + 8 <= buf.length; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    a = (a + x0 + b) >>> 0;
    b = (b + x1 + a) >>> 0;
  }
  return [a, b];
}
