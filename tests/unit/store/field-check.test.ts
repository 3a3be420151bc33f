import { describe, expect, it } from 'vitest';
import { bytesStringFieldIs, fieldIs, fieldNeedle, rawField } from '../../../src/store/verify.js';

/**
 * The fast walk checks a record's link to the one before it on the record's UTF-8 bytes
 * (bytesStringFieldIs); the careful walk on its text (rawField). Wherever the bytes check says
 * yes, the text check must say yes too, and for a value a hash can be it must give the same answer.
 */

const HASH = 'a301ba960c08ec2110ef3f432b6b319d56e163e42508418eed0f0204403a04dd';
const OTHER = `${HASH.slice(0, 63)}e`;

const texts = [
  `{"prevHash":"${HASH}","x":1}`,
  `{"a":"记录","prevHash":"${HASH}","x":1}`,
  `{"a":"记录","prevHash":"${HASH}"}`,
  `{"a":1,"prevHash":"${OTHER}","x":1}`,
  `{"a":1,"prevHash":"${HASH}x","x":1}`,
  `{"a":1,"prevHash":"${HASH}`,
  `{"a":1,"prevHash":"${HASH.slice(0, 40)}`,
  `{"a":1,"prevHash":${HASH},"x":1}`,
  `{"a":1,"prevHash":"","x":1}`,
  `{"a":1,"prevHash":null}`,
  `{"a":1,"x":"\\",\\"prevHash\\":\\"${HASH}\\""}`,
  `{"a":1,"prevHashes":"${HASH}"}`,
  `{"a":{"prevHash":"${HASH}"},"prevHash":"${OTHER}"}`,
  `{"a":1,"prevHash":"${OTHER}","prevHash":"${HASH}"}`,
  `{"a":1}`,
  '',
  '{',
];
const values = [HASH, OTHER, '', 'a"b', 'a\\b', 'é', HASH.slice(0, 40)];

describe('the link check over bytes', () => {
  it('answers as the text check does, for every value without a quote, a backslash or a character outside ASCII', () => {
    const key = fieldNeedle('prevHash');
    for (const text of texts)
      for (const value of values) {
        const bytes = bytesStringFieldIs(Buffer.from(text, 'utf8'), key, value);
        const onText = fieldIs(text, key, `"${value}"`);
        // the careful walk's own check: yes only if this one says yes
        if (onText) expect(rawField(text, 'prevHash'), text).toBe(`"${value}"`);
        if (/^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value))
          expect(bytes, `${text} / ${value}`).toBe(onText);
        else expect(bytes, `${text} / ${value}`).toBe(false);
      }
  });

  it('a body that ends before the closing quote does not match, whatever follows it in memory', () => {
    const key = fieldNeedle('prevHash');
    const whole = Buffer.from(`{"a":1,"prevHash":"${HASH}"}`, 'utf8');
    expect(bytesStringFieldIs(whole, key, HASH)).toBe(true);
    // the same bytes in a larger buffer, cut before the closing quote
    expect(bytesStringFieldIs(whole.subarray(0, whole.length - 2), key, HASH)).toBe(false);
  });
});
