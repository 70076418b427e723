/**
 * fast-check arbitraries derived from a zod (v4) schema for fuzzing: values that are mostly valid field by field, mixed
 * with near misses at the schema's own limits (length min−1 / max+1, out-of-range, fractional and huge numbers,
 * unknown enum members), wrong types and hostile strings. Everything produced is JSON-serialisable, since that is all
 * that can reach the API (NaN and Infinity travel as null).
 */
import * as fc from "fast-check";
import type { ZodType } from "zod";

import { checksOf, type ZodDef as Def, defOf } from "./zod-def";

const HOSTILE_STRINGS = [
  "",
  " ",
  "\n",
  "\u0000",
  "null",
  "undefined",
  "[object Object]",
  "'; DROP TABLE users; --",
  "<img src=x onerror=alert(1)>",
  "\u202eevil",
  "🙂".repeat(40),
  "가".repeat(300),
  "a".repeat(10_000),
  "%00%ff",
  "../../etc/passwd",
  "-1",
  "1e309",
];

/** Any JSON value of a different shape, for "wrong type" near misses. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 }),
);

export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

interface StringFacts {
  min: number;
  max: number;
  patterns: RegExp[];
  email: boolean;
}

function stringFacts(...schemas: Def[]): StringFacts {
  const facts: StringFacts = { min: 0, max: 200, patterns: [], email: false };
  for (const def of schemas) {
    if (def.format === "email") facts.email = true;
    for (const c of checksOf(def)) {
      if (c.check === "min_length") facts.min = Math.max(facts.min, Number(c.minimum));
      if (c.check === "max_length") facts.max = Math.min(facts.max, Number(c.maximum));
      if (c.check === "length_equals") facts.min = facts.max = Number(c.length);
      if (c.check === "string_format" && c.pattern instanceof RegExp && c.format === "regex")
        facts.patterns.push(c.pattern);
    }
  }
  return facts;
}

function stringArbitrary(facts: StringFacts): fc.Arbitrary<unknown> {
  const { min, max } = facts;
  const valid: fc.Arbitrary<string>[] = [];
  if (facts.email) {
    // fc.emailAddress() covers RFC oddities (most of which zod refuses); the plain ones get through to the procedure.
    const plain = fc
      .tuple(fc.stringMatching(/^[a-z0-9]{1,16}$/), fc.constantFrom("example.com", "gonggu.kr", "naver.com"))
      .map(([local, domain]) => `${local}@${domain}`);
    valid.push(fc.emailAddress(), plain);
  }
  for (const pattern of facts.patterns) {
    valid.push(fc.stringMatching(pattern).filter((v) => v.length >= min && v.length <= max));
  }
  if (!facts.email && facts.patterns.length === 0) {
    valid.push(
      fc.string({ minLength: min, maxLength: max }),
      fc.string({ minLength: min, maxLength: max, unit: "grapheme" }),
    );
  }
  const nearMiss = fc.oneof(
    fc.constantFrom(...new Set([Math.max(0, min - 1), min, max, max + 1])).map((n) => "a".repeat(n)),
    fc.string({ minLength: max + 1, maxLength: max + 20, unit: "binary" }),
    fc.string({ maxLength: 30, unit: "binary-ascii" }),
    fc.constantFrom(...HOSTILE_STRINGS),
  );
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(...valid) }, { weight: 2, arbitrary: nearMiss });
}

function numberArbitrary(def: Def): fc.Arbitrary<unknown> {
  let min = -1e6;
  let max = 1e6;
  let int = false;
  for (const c of checksOf(def)) {
    if (c.check === "greater_than") min = Number(c.value);
    if (c.check === "less_than") max = Number(c.value);
    if (c.check === "number_format" && String(c.format).includes("int")) int = true;
  }
  const valid = int
    ? fc.integer({ min: Math.ceil(Math.max(min, -(2 ** 31))), max: Math.floor(Math.min(max, 2 ** 31)) })
    : fc.double({ min, max, noNaN: true });
  const nearMiss = fc.constantFrom(
    min - 1,
    min,
    max,
    max + 1,
    min + 0.5,
    -1,
    0,
    -0,
    0.1,
    1e308,
    -1e308,
    2 ** 53 + 2,
    Number.MIN_VALUE,
  );
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: nearMiss });
}

/** An arbitrary for inputs of `schema`: mostly-valid fields, near misses and wrong types, mixed per field. */
export function arbitraryFor(schema: ZodType): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: build(defOf(schema)) },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: anyJson },
  );
}

function field(def: Def): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: build(def) }, { weight: 1, arbitrary: wrongType });
}

function build(def: Def): fc.Arbitrary<unknown> {
  switch (def.type) {
    case "object": {
      const shape = Object.fromEntries(
        Object.entries(def.shape as Record<string, unknown>).map(([k, v]) => [k, field(defOf(v))]),
      );
      const full = fc.record(shape);
      const partial = fc.record(shape, { requiredKeys: [] });
      const extra = fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 });
      return fc.oneof(
        { weight: 4, arbitrary: full },
        { weight: 1, arbitrary: partial },
        { weight: 1, arbitrary: fc.tuple(full, extra).map(([a, b]) => ({ ...b, ...a })) },
      );
    }
    case "string":
      return stringArbitrary(stringFacts(def));
    case "number":
      return numberArbitrary(def);
    case "boolean":
      return fc.boolean();
    case "enum":
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...Object.values(def.entries as Record<string, string | number>)) },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
      );
    case "literal":
      return fc.oneof(fc.constantFrom(...(def.values as unknown[])), wrongType);
    case "optional":
    case "default":
    case "prefault":
      return fc.oneof(
        { weight: 3, arbitrary: build(defOf(def.innerType)) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      );
    case "nullable":
      return fc.oneof(
        { weight: 3, arbitrary: build(defOf(def.innerType)) },
        { weight: 1, arbitrary: fc.constant(null) },
      );
    case "array": {
      let max = 20;
      for (const c of checksOf(def)) if (c.check === "max_length") max = Number(c.maximum);
      return fc.array(field(defOf(def.element)), { maxLength: Math.min(max + 2, 60) });
    }
    case "union":
      return fc.oneof(...(def.options as unknown[]).map((o) => build(defOf(o))));
    case "pipe": {
      const [input, output] = [defOf(def.in), defOf(def.out)];
      // trim().max().toLowerCase().pipe(z.email()): one string with the constraints of both sides.
      if (input.type === "string" && output.type === "string") return stringArbitrary(stringFacts(input, output));
      return build(input);
    }
    default:
      return anyJson;
  }
}
