import { describe, expect, it } from 'vitest';
import {
  cobsDecode,
  cobsEncode,
  crc16,
  decodeFrame,
  encodeFrame,
  frameBytes,
  messages as M,
} from '../../../src/hardware/board/index.js';

const hex = (s: string) => Uint8Array.from(s.split(' ').map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

describe('EVB/1 §5 test vectors', () => {
  it('CRC-16/CCITT-FALSE of 123456789 is 0x29B1', () => {
    expect(crc16(Buffer.from('123456789', 'ascii'))).toBe(0x29b1);
  });

  const cases = [
    { name: 'HELLO seq 0', frame: M.hello(0), decoded: '01 01 00 00 c5 44', wire: '03 01 01 01 03 c5 44 00' },
    {
      name: 'LEDS seq 7, LED5 on, LED6 slow',
      frame: M.leds(7, [0, 0, 0, 0, 1, 2]),
      decoded: '01 02 07 06 00 00 00 00 01 02 3d 55',
      wire: '05 01 02 07 06 01 01 01 05 01 02 3d 55 00',
    },
    {
      name: 'KEY seq 3',
      frame: M.key(3, { bootId: 0x1234abcd, counter: 42, key: 2, kind: 1, uptimeMs: 600000 }),
      decoded: '01 82 03 0e 12 34 ab cd 00 00 00 2a 02 01 00 09 27 c0 2b bd',
      wire: '09 01 82 03 0e 12 34 ab cd 01 01 04 2a 02 01 06 09 27 c0 2b bd 00',
    },
    {
      name: 'EVENTS_ACK seq 9',
      frame: M.eventsAck(9, 0x1234abcd, 42),
      decoded: '01 04 09 08 12 34 ab cd 00 00 00 2a 45 03',
      wire: '09 01 04 09 08 12 34 ab cd 01 01 04 2a 45 03 00',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: decoded bytes and wire bytes match the spec, and decode back`, () => {
      expect(toHex(frameBytes(c.frame))).toBe(c.decoded);
      expect(toHex(encodeFrame(c.frame))).toBe(c.wire);
      const wire = hex(c.wire);
      expect(toHex(cobsDecode(wire.subarray(0, -1))!)).toBe(c.decoded);
      const r = decodeFrame(wire.subarray(0, -1));
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.frame.type).toBe(c.frame.type);
        expect(r.frame.seq).toBe(c.frame.seq);
        expect(toHex(r.frame.payload)).toBe(toHex(c.frame.payload));
      }
    });
  }

  it('parses the KEY vector payload', () => {
    const r = decodeFrame(hex(cases[2]!.wire).subarray(0, -1));
    if (!r.ok) throw new Error('vector rejected');
    expect(M.parseKey(r.frame.payload)).toEqual({
      bootId: 0x1234abcd,
      counter: 42,
      key: 2,
      kind: 1,
      uptimeMs: 600000,
    });
  });

  it('COBS handles 254-byte runs without zeros', () => {
    const data = new Uint8Array(600).map((_, i) => (i % 300 === 299 ? 0 : 1 + (i % 255)));
    expect(cobsDecode(cobsEncode(data))).toEqual(data);
  });
});
