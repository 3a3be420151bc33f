import { afterAll, describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import type { BodyVersion } from '../../../src/store/body-decoder.js';
import { verifyChain } from '../../../src/store/verify.js';
import { BODY_CODEC, recordVersions, unpackBody } from '../../../src/store/record-codec.js';
import { elideRowValues, rowValueColumns, type RowValues } from '../../../src/store/row-values.js';
import { oneCase, serviceFixture, STAFF } from '../../helpers/service.js';

/** The first three bits of a raw DEFLATE stream: BFINAL, then BTYPE (01 fixed codes, 10 codes of its own). */
const ONE_BLOCK_FIXED = 0b011;
const ONE_BLOCK_OWN_CODES = 0b101;

describe('how the pad packs the records it seals (decision 235)', () => {
  const fx = serviceFixture();
  afterAll(() => fx.cleanup());
  for (let i = 0; i < 60; i++) {
    fx.svc.start(
      { cases: [oneCase(`370900-2026-${String(i).padStart(6, '0')}`)] },
      { origin: 'window_api', staff: STAFF },
    );
    fx.clock.advance(3000);
    fx.svc.press({ source: 'key', key: 3 + (i % 3), board: { serial: 'PACK', bootId: 1, counter: i + 1 } });
    fx.clock.advance(30_000);
  }
  const rows = (
    fx.db
      .prepare(`SELECT body, ${rowValueColumns('')} FROM records ORDER BY device_seq`)
      .raw(true)
      .all() as unknown[][]
  ).map(([body, ...values]) => ({ body: body as Buffer, row: values as unknown as RowValues }));
  const [, dictionary] = recordVersions().find(([version]) => version === BODY_CODEC) as BodyVersion;

  it('packs each body as one final block in fixed Huffman codes', () => {
    expect(rows).toHaveLength(60);
    for (const { body } of rows) {
      expect(body[0]).toBe(BODY_CODEC);
      expect((body[1] as number) & 0b111).toBe(ONE_BLOCK_FIXED);
    }
    expect(verifyChain(fx.db)).toEqual({ ok: true, count: 60 });
  });

  it('still unpacks and verifies a body packed before, in codes made for it', () => {
    let ownCodes = 0;
    for (const { body, row } of rows) {
      const text = unpackBody(body, row);
      const elided = elideRowValues(text, row) as string;
      // as bodies were packed before: zlib chose per body, codes of its own where they were shorter
      const before = Buffer.concat([
        Buffer.from([BODY_CODEC]),
        deflateRawSync(elided, { level: 9, dictionary }),
      ]);
      if (((before[1] as number) & 0b111) === ONE_BLOCK_OWN_CODES) ownCodes += 1;
      expect(unpackBody(before, row)).toBe(text);
      fx.db.prepare('UPDATE records SET body = ? WHERE device_seq = ?').run(before, row[0]);
    }
    expect(ownCodes).toBeGreaterThan(rows.length / 2);
    expect(verifyChain(fx.db)).toEqual({ ok: true, count: 60 });
  });
});
