/**
 * Masks the personal numbers a citizen may write into a comment before it is sealed: the pad
 * stores no ID number or phone number at all (docs/protocols/rules.md), and a sealed record can
 * never be edited afterwards. Rule (decision 129): resident ID numbers (18 characters ending in the
 * check character, or the old 15 digits) and mainland mobile numbers (1[3-9] + 9 digits) keep
 * their first 3 and last 4 digits; every other digit becomes `*`. Separators typed inside a phone
 * number stay. The text keeps its length, so the ≤ 500 limit already checked still holds.
 */

// Birth date in an ID: YYYYMMDD (1800–2099) or YYMMDD, checked loosely — a citizen's typo in a
// real ID (a wrong check character, a wrong day) is still personal data, while a long case
// number rarely carries a month and a day at exactly these places.
const MONTH = '(?:0[1-9]|1[0-2])';
const DAY = '(?:0[1-9]|[12]\\d|3[01])';
const ID18 = new RegExp(`(?<!\\d)\\d{6}(?:18|19|20)\\d{2}${MONTH}${DAY}\\d{3}[\\dXx](?![\\dXx])`, 'g');
const ID15 = new RegExp(`(?<!\\d)\\d{6}\\d{2}${MONTH}${DAY}\\d{3}(?![\\dXx])`, 'g');
// Optionally after +86 / 86, with a space or dash after the 3rd and the 7th digit.
const MOBILE = /(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?![\dXx])/g;

/** Full-width digits and Ｘ/ｘ (from Chinese input methods) read as ASCII; one code unit each. */
function asciiShadow(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

export function maskPersonalNumbers(text: string): string {
  const shadow = asciiShadow(text);
  const hide = new Array<boolean>(text.length).fill(false);
  /** Stars every digit of [start, end) of the shadow but the first 3 and the last 4. */
  const mark = (start: number, end: number) => {
    const digits: number[] = [];
    for (let i = start; i < end; i++) if (/[\dXx]/.test(shadow[i] ?? '')) digits.push(i);
    for (const i of digits.slice(3, Math.max(3, digits.length - 4))) hide[i] = true;
  };
  for (const m of shadow.matchAll(ID18)) mark(m.index, m.index + m[0].length);
  for (const m of shadow.matchAll(ID15)) mark(m.index, m.index + m[0].length);
  for (const m of shadow.matchAll(MOBILE)) {
    const own = m[1] ?? m[0];
    const start = m.index + m[0].length - own.length;
    mark(start, start + own.length);
  }
  if (!hide.includes(true)) return text;
  // Digits are one UTF-16 unit each, so masking by unit never splits a character.
  let out = '';
  for (let i = 0; i < text.length; i++) out += hide[i] ? '*' : text[i];
  return out;
}
