// fast-check arbitraries from TypeBox schemas, for the kinds our schemas use
// (Object, Record, Array, Union, Literal, String, Number, Integer, Boolean,
// Null): values the schema accepts, and near misses made from them by
// replacing or deleting one part. Used to check that the checks generated
// ahead of time (src/generated/checks.ts) agree with TypeBox's Value.Check.

import { Kind, OptionalKind, type TSchema } from "@sinclair/typebox";
import fc from "fast-check";

const INT32 = 2 ** 31 - 1;
/** A key TypeBox would skip or mishandle less obviously than a plain name: prototype names too. */
const KEY = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("constructor", "__proto__", "toString", "valueOf"));

/** Values that `schema` accepts (as Value.Check sees them). */
export function validValue(schema: TSchema): fc.Arbitrary<unknown> {
  const s = schema as TSchema & Record<string, any>;
  switch (s[Kind]) {
    case "Object": {
      const props = s.properties as Record<string, TSchema>;
      const required = Object.keys(props).filter((k) => (props[k] as unknown as Record<symbol, unknown>)[OptionalKind] !== "Optional");
      const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, validValue(p)])), { requiredKeys: required });
      // Extra fields are allowed (newer servers add some): they come first, so the schema's own win.
      return fc.tuple(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }), record).map(([extra, own]) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(extra)) if (!(k in props)) out[k] = v;
        return Object.assign(out, own);
      });
    }
    case "Record": {
      const [pattern, value] = Object.entries(s.patternProperties as Record<string, TSchema>)[0]!;
      const key = fc.stringMatching(new RegExp(pattern)).filter((k) => k.length <= 40);
      return fc.dictionary(key, validValue(value), { maxKeys: Math.min(s.maxProperties ?? 4, 4) });
    }
    case "Array":
      return fc.array(validValue(s.items), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, Math.max(4, s.minItems ?? 0)) });
    case "Union":
      return fc.oneof(...(s.anyOf as TSchema[]).map(validValue));
    case "Literal":
      return fc.constant(s.const);
    case "Boolean":
      return fc.boolean();
    case "Null":
      return fc.constant(null);
    case "String": {
      const base = s.pattern !== undefined ? fc.stringMatching(new RegExp(s.pattern)) : fc.string({ maxLength: 20 });
      return base.filter((t) => t.length >= (s.minLength ?? 0) && t.length <= (s.maxLength ?? Infinity));
    }
    case "Integer": {
      const lo = s.minimum ?? Number.MIN_SAFE_INTEGER;
      const hi = s.maximum ?? Number.MAX_SAFE_INTEGER;
      // fast-check's integers are 32-bit: the bounds themselves stand for the rest of a wider range.
      return fc.oneof(fc.integer({ min: Math.max(lo, -INT32), max: Math.min(hi, INT32) }), fc.constantFrom(lo, hi));
    }
    case "Number":
      return fc.double({ min: s.minimum ?? -1e12, max: s.maximum ?? 1e12, noNaN: true, noDefaultInfinity: true });
    default:
      throw new Error(`schema-arbitrary: no arbitrary for the kind ${String(s[Kind])}; add one`);
  }
}

/** Anything at all, including what JSON.parse never makes (Map, Date, boxed values, null prototypes). */
export const anyValue = fc.anything({
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  key: KEY,
});

/** Leaf values just outside what `schema` accepts: off by one, a bound crossed, the wrong type. */
function offValue(schema: TSchema): fc.Arbitrary<unknown> {
  const s = schema as TSchema & Record<string, any>;
  switch (s[Kind]) {
    case "Integer":
    case "Number": {
      const lo = s.minimum ?? 0;
      const hi = s.maximum ?? 0;
      const edges = [NaN, Infinity, -Infinity, String(lo), lo + 0.5, null];
      if (s.minimum !== undefined) edges.push(lo - 1, lo - Math.max(1e-9, Math.abs(lo) * 1e-12));
      if (s.maximum !== undefined) edges.push(hi + 1, hi + Math.max(1e-9, Math.abs(hi) * 1e-12));
      return fc.constantFrom(...edges);
    }
    case "String": {
      const edges: unknown[] = [1, null, ["x"], " ", "a b", "\n", "é"];
      if (s.minLength !== undefined) edges.push("".padEnd(s.minLength - 1, "a"));
      if (s.maxLength !== undefined) edges.push("".padEnd(s.maxLength + 1, "a"));
      if (s.pattern !== undefined) edges.push("x y", "http://x/y", "1abc", "");
      return fc.oneof(fc.constantFrom(...edges), fc.string({ maxLength: 8 }));
    }
    case "Literal":
      return typeof s.const === "string"
        ? fc.constantFrom(s.const.toUpperCase(), `${s.const} `, s.const.slice(1), 1, null)
        : fc.constantFrom(String(s.const), (s.const as number) + 1, null);
    case "Boolean":
      return fc.constantFrom("true", 0, 1, null);
    case "Null":
      return fc.constantFrom(undefined, 0, "null", false);
    case "Union":
      return fc.oneof(...(s.anyOf as TSchema[]).map(offValue));
    default:
      return fc.constantFrom(null, "x", 1, [], {});
  }
}

/**
 * Values with one thing wrong, made from values the schema accepts: one
 * part replaced by a value just outside its own schema or by anything, a
 * required field deleted, one item too many. (A union member's miss may be
 * another member's hit, so some are valid: the tests compare, not presume.)
 */
export function nearMiss(schema: TSchema): fc.Arbitrary<unknown> {
  const s = schema as TSchema & Record<string, any>;
  const wrong = fc.oneof({ weight: 3, arbitrary: offValue(schema) }, { weight: 1, arbitrary: anyValue });
  switch (s[Kind]) {
    case "Object": {
      const props = s.properties as Record<string, TSchema>;
      const keys = Object.keys(props);
      const inner = fc.tuple(validValue(schema), fc.constantFrom(...keys), fc.nat(3)).chain(([value, key, how]) => {
        const copy = { ...(value as Record<string, unknown>) };
        if (how === 0) {
          delete copy[key];
          return fc.constant(copy);
        }
        return nearMiss(props[key]!).map((v) => ({ ...copy, [key]: v }));
      });
      return fc.oneof({ weight: 5, arbitrary: inner }, { weight: 1, arbitrary: wrong });
    }
    case "Record": {
      const [pattern, value] = Object.entries(s.patternProperties as Record<string, TSchema>)[0]!;
      const key = fc.stringMatching(new RegExp(pattern)).filter((k) => k.length <= 40);
      const one = fc.tuple(validValue(schema), key, nearMiss(value)).map(([rec, k, v]) => ({ ...(rec as object), [k]: v }));
      const parts: fc.Arbitrary<unknown>[] = [one, wrong];
      if (s.maxProperties !== undefined) {
        const max = s.maxProperties as number;
        parts.push(validValue(value).map((v) => Object.fromEntries(Array.from({ length: max + 1 }, (_, i) => [`q${i}`, v]))));
      }
      return fc.oneof(...parts);
    }
    case "Array": {
      const one = fc.tuple(validValue(schema), nearMiss(s.items), fc.nat()).map(([items, v, n]) => {
        const copy = [...(items as unknown[])];
        copy.splice(n % (copy.length + 1), 0, v);
        return copy;
      });
      const parts: fc.Arbitrary<unknown>[] = [one, wrong];
      if (s.maxItems !== undefined) parts.push(validValue(s.items).map((v) => Array.from({ length: s.maxItems + 1 }, () => v)));
      if (s.minItems !== undefined && s.minItems > 0) parts.push(fc.array(validValue(s.items), { minLength: s.minItems - 1, maxLength: s.minItems - 1 }));
      return fc.oneof(...parts);
    }
    default:
      return wrong;
  }
}
