import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordHash } from '../../../src/domain/canonical.js';
import { maskPersonalNumbers } from '../../../src/domain/personal-data.js';
import { pendingRecords } from '../../../src/store/outbox.js';
import { STAFF, oneCase, records, serviceFixture } from '../../helpers/service.js';

type Fx = ReturnType<typeof serviceFixture>;
let fx: Fx;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

const ID_NUMBER = '11010519900307123X';
const MOBILE = '13812345678';

describe('personal numbers in citizen comments are masked before sealing (finding: sealed verbatim)', () => {
  it('a 差评 comment with an ID number and a mobile number is sealed masked: record, outbox, database file', () => {
    const { evaluationId } = fx.svc.start({ cases: [oneCase()] }, { origin: 'window_api', staff: STAFF });
    fx.svc.press({ source: 'touch', key: 1, evaluationId });
    fx.svc.submitReasons(evaluationId, [], `我的身份证${ID_NUMBER}，电话${MOBILE}，没人回电话`);

    const masked = '我的身份证110***********123X，电话138****5678，没人回电话';
    const [rec] = records(fx.db);
    expect(rec).toMatchObject({ satisfaction: 1, writingEvaluation: masked });
    expect(rec?.hash).toBe(recordHash(rec as Record<string, unknown>));
    const [queued] = pendingRecords(fx.db, 10);
    expect(JSON.parse(queued?.body ?? '{}')).toMatchObject({ writingEvaluation: masked });
    // The comment is kept once, in the record (decision 212): the case row has no copy to mask.
    expect(
      (
        fx.db.prepare(`SELECT name FROM pragma_table_info('evaluation_cases')`).all() as Array<{
          name: string;
        }>
      )
        .map((c) => c.name)
        .filter((n) => n === 'writing_evaluation' || n === 'eval_detail'),
    ).toEqual([]);
    // Nowhere on disk: the database and its WAL hold neither number.
    fx.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(fx.dir)) {
      const bytes = readFileSync(join(fx.dir, f)).toString('latin1');
      for (const secret of [ID_NUMBER, MOBILE, '0519900307', '12345678'])
        expect(bytes.includes(secret), `${f} holds ${secret}`).toBe(false);
    }
  });
});

describe('maskPersonalNumbers: first 3 and last 4 stay', () => {
  it.each([
    ['18-digit ID with check digit', '110105199003071234', '110***********1234'],
    ['18-digit ID with X, wrong checksum still masked', '11010520000229123x', '110***********123x'],
    ['15-digit old ID', '旧证110105900307123号', '旧证110********7123号'],
    ['mobile', '电话13912345678。', '电话139****5678。'],
    ['mobile with +86 and dashes', '+86 138-1234-5678', '+86 138-****-5678'],
    ['mobile with spaces', '138 1234 5678', '138 **** 5678'],
    ['full-width digits', '１３８１２３４５６７８', '１３８****５６７８'],
    ['ID then mobile', 'a110105199003071234b15012345678c', 'a110***********1234b150****5678c'],
  ])('%s', (_name, input, expected) => {
    expect(maskPersonalNumbers(input)).toBe(expected);
    expect(maskPersonalNumbers(input)).toHaveLength(input.length);
  });

  it.each([
    ['a landline-length number', '05388123456'],
    ['12 is not a mobile prefix', '12345678901'],
    ['a longer digit run', '1381234567890123'],
    ['a 19-digit case number', '2026120200001234567'],
    ['plain words', '窗口人员态度很好'],
  ])('leaves %s alone', (_name, input) => {
    expect(maskPersonalNumbers(input)).toBe(input);
  });
});
