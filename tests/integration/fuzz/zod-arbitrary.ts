/**
 * fast-check arbitraries from zod 4 schemas: values shaped like what a schema accepts (bounds,
 * enums, literals, regexes, strict objects), so the fuzz reaches past the first validation step,
 * plus `nearly()` which breaks one part of such a value the way a broken client would.
 */
import fc from 'fast-check';
import type { z } from 'zod';

interface Def {
  type: string;
  [k: string]: unknown;
}
interface Check {
  _zod: { def: { check: string; minimum?: number; maximum?: number; format?: string; pattern?: RegExp } };
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (d: Def): Check['_zod']['def'][] =>
  ((d.checks as Check[] | undefined) ?? []).map((c) => c._zod.def);

/** Text a hall sees, plus the characters that break parsers and screens. */
const nastyChar = fc.constantFrom(
  '\u0000',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\n',
  '"',
  '\\',
  '%',
  '…',
  '𠀀',
);
const text = (min: number, max: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(fc.string({ maxLength: 3 }), nastyChar), {
          maxLength: Math.max(1, Math.min(max, 40)),
        })
        .map((a) => a.join('')),
    },
  );

export function arbitraryFor(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const d = defOf(schema);
  const checks = checksOf(d);
  const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
  const max = checks.find((c) => c.check === 'max_length')?.maximum ?? 40;
  switch (d.type) {
    case 'string': {
      const re = checks.find((c) => c.format === 'regex')?.pattern;
      return re ? fc.oneof(fc.stringMatching(re), text(0, 16)) : text(min, Math.min(max, 600));
    }
    case 'number': {
      const s = schema as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
      const lo = Number.isFinite(s.minValue) ? (s.minValue as number) : -1e6;
      const hi = Number.isFinite(s.maxValue) ? (s.maxValue as number) : 1e6;
      return s.isInt ? fc.integer({ min: lo, max: hi }) : fc.double({ min: lo, max: hi, noNaN: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(d.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(d.entries as Record<string, unknown>));
    case 'array':
      return fc.array(arbitraryFor(d.element as z.ZodType, depth + 1), {
        minLength: min,
        maxLength: Math.min(max, depth > 0 ? 3 : 6),
      });
    case 'object': {
      const shape = d.shape as Record<string, z.ZodType>;
      const entries = Object.entries(shape).map(([k, v]) => {
        const optional = ['optional', 'default', 'prefault'].includes(defOf(v).type);
        return [
          k,
          optional ? fc.option(arbitraryFor(v, depth + 1), { nil: undefined }) : arbitraryFor(v, depth + 1),
        ];
      });
      return fc
        .record(Object.fromEntries(entries) as Record<string, fc.Arbitrary<unknown>>)
        .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return d.type === 'nullable'
        ? fc.option(arbitraryFor(d.innerType as z.ZodType, depth), { nil: null })
        : arbitraryFor(d.innerType as z.ZodType, depth);
    case 'union':
      return fc.oneof(...(d.options as z.ZodType[]).map((o) => arbitraryFor(o, depth)));
    case 'pipe': {
      // safeText is string → refine/transform → string(min, max): the output holds the bounds.
      const out = d.out as z.ZodType;
      return defOf(out).type === 'transform'
        ? arbitraryFor(d.in as z.ZodType, depth)
        : arbitraryFor(out, depth);
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A schema-shaped value with one part broken: a field dropped, retyped or added, or the whole replaced. */
export function nearly(schema: z.ZodType): fc.Arbitrary<unknown> {
  const base = arbitraryFor(schema);
  const junk = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(null, -1, 1e308, '', '__proto__', [], {}, true, 'constructor'),
  );
  return fc.oneof(
    { weight: 4, arbitrary: base },
    {
      weight: 3,
      arbitrary: fc.tuple(base, fc.nat(), junk, fc.boolean()).map(([v, i, j, drop]) => {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return j;
        const keys = Object.keys(v);
        const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
        if (keys.length === 0) return { [typeof j === 'string' && j ? j.slice(0, 12) : 'x']: j };
        const k = keys[i % keys.length] as string;
        if (drop) delete out[k];
        else out[k] = j;
        return out;
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(base, fc.string({ maxLength: 12 }), junk)
        .map(([v, k, j]) => ({ ...(v as object), [k]: j })),
    },
    { weight: 1, arbitrary: junk },
  );
}
