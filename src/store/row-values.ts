/**
 * The values a record's row keeps in its own columns, left out of its packed body (decision 219).
 *
 * A sealed record's canonical text names its deviceSeq, the time it was sealed, its evaluation
 * id, star, staff member and status; its row keeps the same six values as columns (`device_seq`,
 * `created_ms`, `record_id`, `satisfaction`, `staff_id`, `status`) because queries read them
 * without unpacking the body. A body packed since version 2 (record-codec.ts) has each of these
 * fields — `"key":value`, the commas around it stay — replaced by one mark, the character U+0001,
 * and the row's values are put back at the marks, in their order, when it is unpacked: each value
 * is kept once. U+0001 never stands raw in canonical JSON (JSON.stringify writes every control
 * character as an escape), so a mark is never the record's own text. The text put back is byte
 * for byte the text that was hashed: a body is packed this way only when putting the values back
 * gives exactly its text (record-codec.ts checks it on every seal), and otherwise it is packed
 * whole (version 1).
 *
 * So a row's columns are part of the record's evidence: a column edited by hand makes the text
 * unpacked from the row a different text, which no longer hashes to the record's hash. Before,
 * the same edit was a disagreement between a column and its body that verification looked for.
 *
 * `restoreRowValues` works on bytes, so that the verification walk hashes the record without
 * making a string of it, and is self-contained (nothing from this module's scope is used inside):
 * the walk's worker threads run its source text (verify-parallel.ts).
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

/** What stands in a version-2 body where a row's value was. */
export const ROW_VALUE_MARK = '\u0001';

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
 * The canonical text with each of the row's values marked out, or null when the text and the row
 * do not agree (a field the row has is missing or different, the text has a field the row has as
 * NULL) or the text holds a mark already: such a text is packed whole.
 */
export function elideRowValues(text: string, row: RowValues): string | null {
  if (text.includes(ROW_VALUE_MARK)) return null;
  let out = text;
  for (let i = 0; i < ROW_VALUE_KEYS.length; i += 1) {
    const value = jsonOf(row[i]);
    const name = `"${ROW_VALUE_KEYS[i] as string}":`;
    const first = out.charCodeAt(0) === 123 /* { */ && out.startsWith(name, 1);
    const nameAt = first ? 1 : out.indexOf(`,${name}`) + 1;
    if (nameAt === 0) {
      if (value === undefined) continue;
      return null;
    }
    if (value === undefined) return null;
    const valueAt = nameAt + name.length;
    if (!out.startsWith(value, valueAt)) return null;
    const after = valueAt + value.length;
    const next = out.charCodeAt(after);
    if (next !== 44 /* , */ && next !== 125 /* } */) return null;
    out = out.slice(0, nameAt) + ROW_VALUE_MARK + out.slice(after);
  }
  return out;
}

/**
 * Writes into `out` the canonical UTF-8 bytes of a body packed without its row's values:
 * `elided[0..length)` with the row's non-NULL values, in their order, put at the marks, in theirs,
 * as `"key":value`. Returns the number of bytes written; -1 when `out` may be too small (the
 * caller grows it and asks again); -2 when the row does not fit the body: a value not of its
 * column's type, a mark more or fewer than the row has values, a mark that is not where a field
 * stands (after the opening `{` or a `,`, before `,` or `}`), or one of the six keys written as `"key":` in the
 * body itself. So a text put back has each of the
 * six fields once, with its column's value, where a top-level field stands — what the checks of a
 * body packed whole look for — and every body packed from a canonical text fits.
 * Never change what this writes for a given input: every version-2 body ever stored unpacks through it.
 */
export function restoreRowValues(elided: Uint8Array, length: number, row: RowValues, out: Buffer): number {
  const keys = ['deviceSeq', 'deviceTimeMs', 'evaluationId', 'satisfaction', 'staffId', 'status'];
  // Each value of the type its column has (a table whose STRICT was taken off could hold another,
  // written here as no JSON would write it): integers, the star possibly NULL, and strings.
  for (let v = 0; v < 6; v += 1) {
    const raw = row[v];
    const fits =
      v === 2 || v === 4 || v === 5
        ? typeof raw === 'string'
        : Number.isSafeInteger(raw) || (v === 3 && (raw === null || raw === undefined));
    if (!fits) return -2;
  }
  // Room enough for the text and every value escaped at worst (six bytes a UTF-16 unit).
  let need = length;
  for (let v = 0; v < 6; v += 1) {
    const raw = row[v];
    if (raw !== null && raw !== undefined) need += (keys[v] as string).length + 5 + 6 * String(raw).length;
  }
  if (need > out.length) return -1;
  // Bytes are written as they are read (a copy per stretch costs more than this loop).
  let written = 0;
  let value = 0;
  for (let i = 0; i < length; i += 1) {
    const byte = elided[i] as number;
    if (byte === 34 /* " */) {
      // One of the six keys written as `"key":` in the body itself: the row does not fit.
      const next = elided[i + 1];
      if (next === 100 /* d */ || next === 101 /* e */ || next === 115 /* s */) {
        for (let k = 0; k < 6; k += 1) {
          const key = keys[k] as string;
          if (i + key.length + 3 > length) continue;
          let j = 0;
          while (j < key.length && elided[i + 1 + j] === key.charCodeAt(j)) j += 1;
          if (j === key.length && elided[i + 1 + j] === 34 && elided[i + 2 + j] === 58 /* : */) return -2;
        }
      }
      out[written] = byte;
      written += 1;
      continue;
    }
    if (byte !== 1) {
      out[written] = byte;
      written += 1;
      continue;
    }
    // A mark: the row's next non-NULL value, where a field stands (after the opening `{` or a `,`, before `,` or `}`).
    while (value < 6 && (row[value] === null || row[value] === undefined)) value += 1;
    if (value === 6) return -2;
    const before = i > 0 ? elided[i - 1] : 0;
    const after = i + 1 < length ? elided[i + 1] : 0;
    // `{` only as the text's own first byte: a field of a nested object is not the record's.
    if (!((before === 123 && i === 1) || before === 44) || !(after === 125 || after === 44)) return -2;
    const key = keys[value] as string;
    const raw = row[value];
    value += 1;
    out[written] = 34;
    written += 1;
    for (let j = 0; j < key.length; j += 1) out[written + j] = key.charCodeAt(j);
    written += key.length;
    out[written] = 34;
    out[written + 1] = 58;
    written += 2;
    // JSON.stringify's text of the value, written without making it where it is plain ASCII.
    const text = typeof raw === 'string' ? raw : String(raw);
    let plain = true;
    for (let j = 0; j < text.length && plain; j += 1) {
      const c = text.charCodeAt(j);
      plain = c >= 32 && c < 127 && c !== 34 && c !== 92;
    }
    if (!plain) {
      written += out.write(typeof raw === 'string' ? JSON.stringify(raw) : text, written, 'utf8');
      continue;
    }
    const quoted = typeof raw === 'string';
    if (quoted) {
      out[written] = 34;
      written += 1;
    }
    for (let j = 0; j < text.length; j += 1) out[written + j] = text.charCodeAt(j);
    written += text.length;
    if (quoted) {
      out[written] = 34;
      written += 1;
    }
  }
  while (value < 6 && (row[value] === null || row[value] === undefined)) value += 1;
  return value === 6 ? written : -2;
}

/** restoreRowValues for a text (packing's check, tests); null when the row does not fit. */
export function restoreRowValuesText(elided: string, row: RowValues): string | null {
  const bytes = Buffer.from(elided, 'utf8');
  let out = Buffer.allocUnsafe(bytes.length + 1024);
  let length = restoreRowValues(bytes, bytes.length, row, out);
  while (length === -1) {
    out = Buffer.allocUnsafe(out.length * 2);
    length = restoreRowValues(bytes, bytes.length, row, out);
  }
  return length < 0 ? null : out.toString('utf8', 0, length);
}
