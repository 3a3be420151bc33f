/**
 * The values a record's row keeps in its own columns, left out of its packed body (decision 219).
 *
 * A sealed record's canonical text names its deviceSeq, the time it was sealed, its evaluation
 * id, star, staff member and status; its row keeps the same six values as columns (`device_seq`,
 * `created_ms`, `record_id`, `satisfaction`, `staff_id`, `status`) because queries read them
 * without unpacking the body. A body packed since version 2 (record-codec.ts) leaves these six
 * fields out and they are put back, in their canonical places, from the row when it is unpacked:
 * each value is kept once. The text put back is byte for byte the text that was hashed — a body
 * is packed this way only when putting the values back gives exactly its text (record-codec.ts
 * checks it on every seal), and otherwise it is packed whole (version 1).
 *
 * So a row's columns are part of the record's evidence: a column edited by hand makes the text
 * unpacked from the row a different text, which no longer hashes to the record's hash. Before,
 * the same edit was a disagreement between a column and its body that verification looked for.
 *
 * `restoreRowValues` is self-contained (nothing from this module's scope is used inside), so that
 * the verification walk's worker threads run its source text (verify-parallel.ts).
 */

/** The row's values in the order of their keys in a canonical record (sorted) and of RowValues. */
export const ROW_VALUE_KEYS = [
  'deviceSeq',
  'deviceTimeMs',
  'evaluationId',
  'satisfaction',
  'staffId',
  'status',
] as const;

/**
 * A row's `device_seq`, `created_ms`, `record_id`, `satisfaction`, `staff_id` and `status`, as
 * SQL gives them (a NULL is a field the record does not have).
 */
export type RowValues = readonly [
  deviceSeq: unknown,
  createdMs: unknown,
  recordId: unknown,
  satisfaction: unknown,
  staffId: unknown,
  status: unknown,
];

/** The columns of `records` that make a RowValues, in its order, for SQL (`alias` '' or a table alias). */
export function rowValueColumns(alias: string): string {
  const a = alias === '' ? '' : `${alias}.`;
  return `${a}device_seq, ${a}created_ms, ${a}record_id, ${a}satisfaction, ${a}staff_id, ${a}status`;
}

function jsonOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * The canonical text without the row's values, or null when the text and the row do not agree
 * (a field the row has is missing or different, or the text has a field the row has as NULL):
 * such a text is packed whole.
 */
export function elideRowValues(text: string, row: RowValues): string | null {
  let out = text;
  for (let i = 0; i < ROW_VALUE_KEYS.length; i += 1) {
    const value = jsonOf(row[i]);
    const name = `"${ROW_VALUE_KEYS[i] as string}":`;
    const first = out.charCodeAt(0) === 123 /* { */ && out.startsWith(name, 1);
    const commaAt = first ? 0 : out.indexOf(`,${name}`);
    if (!first && commaAt < 0) {
      if (value === undefined) continue;
      return null;
    }
    if (value === undefined) return null;
    const valueAt = first ? 1 + name.length : commaAt + 1 + name.length;
    if (!out.startsWith(value, valueAt)) return null;
    const after = valueAt + value.length;
    const next = out.charCodeAt(after);
    if (next !== 44 /* , */ && next !== 125 /* } */) return null;
    if (first) out = out.slice(0, 1) + out.slice(next === 44 ? after + 1 : after);
    else out = out.slice(0, commaAt) + out.slice(after);
  }
  return out;
}

/**
 * The canonical text of a body packed without its row's values: each of the row's non-NULL
 * values put back before the first top-level key that sorts after its own (canonical records
 * keep their keys sorted). A top-level key is found as `,"name":` (or right after the opening
 * brace): inside a JSON string every quote is escaped, and inside an array a string is never
 * followed by a colon. Never change what this returns for a given input: every version-2 body
 * ever stored unpacks through it.
 */
export function restoreRowValues(elided: string, row: RowValues): string {
  const keys = ['deviceSeq', 'deviceTimeMs', 'evaluationId', 'satisfaction', 'staffId', 'status'];
  // The next top-level key at or after `from`: the index of its opening quote and its name.
  let keyAt = -1;
  let keyName = '';
  const findKey = (from: number): void => {
    if (from <= 1 && elided.charCodeAt(0) === 123 && elided.charCodeAt(1) === 34) {
      const close = elided.indexOf('"', 2);
      if (close > 0 && elided.charCodeAt(close + 1) === 58 /* : */) {
        keyAt = 1;
        keyName = elided.slice(2, close);
        return;
      }
    }
    let comma = elided.indexOf(',"', Math.max(from - 1, 0));
    while (comma >= 0) {
      const close = elided.indexOf('"', comma + 2);
      if (close < 0) break;
      if (elided.charCodeAt(close + 1) === 58) {
        keyAt = comma + 1;
        keyName = elided.slice(comma + 2, close);
        return;
      }
      comma = elided.indexOf(',"', comma + 1);
    }
    keyAt = -1;
    keyName = '';
  };
  findKey(1);
  let out = '';
  let copied = 0;
  let empty = elided === '{}';
  for (let i = 0; i < keys.length; i += 1) {
    const raw = row[i];
    if (raw === null || raw === undefined) continue;
    const key = keys[i] as string;
    const value = typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
    while (keyAt >= 0 && keyName < key) findKey(keyAt + 1);
    let at: number;
    let piece: string;
    if (keyAt === 1) {
      at = 1;
      piece = `"${key}":${value},`;
    } else if (keyAt > 1) {
      at = keyAt - 1;
      piece = `,"${key}":${value}`;
    } else {
      at = elided.length - 1;
      piece = empty ? `"${key}":${value}` : `,"${key}":${value}`;
    }
    out += elided.slice(copied, at) + piece;
    copied = at;
    empty = false;
  }
  return copied === 0 && out === '' ? elided : out + elided.slice(copied);
}
