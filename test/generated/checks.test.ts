// The checks compiled ahead of time (src/generated/checks.ts, issue 6): the
// committed module is what scripts/gen-checks.ts writes from today's schemas,
// and each function says exactly what TypeBox's Value.Check says, for values
// the schema accepts, near misses of them and anything at all.
import { describe, expect, test } from "bun:test";
import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import * as checks from "../../src/generated/checks.ts";
import type { VersionSchema } from "../../src/immich/schemas.ts";
import { CHECKS, GENERATED_PATH, generateChecks, schemaOf } from "../../scripts/gen-checks.ts";
import { anyValue, nearMiss, validValue } from "../helpers/schema-arbitrary.ts";

test("src/generated/checks.ts is what scripts/gen-checks.ts writes from the schemas", async () => {
  const fresh = await generateChecks();
  if (fresh !== readFileSync(GENERATED_PATH, "utf8")) {
    throw new Error("src/generated/checks.ts is stale: a schema changed; run `bun scripts/gen-checks.ts` and commit the result");
  }
});

test("the generator refuses a schema whose check would need TypeBox's registries", async () => {
  const spec = { name: "isBad", module: "../test/generated/registry-schema.ts", exported: "UniqueSchema" };
  await expect(generateChecks([spec])).rejects.toThrow(/calls hash\(\)/);
});

test("every check the generator writes is exported, and nothing else", () => {
  expect(Object.keys(checks).sort()).toEqual(CHECKS.map((c) => c.name).sort());
});

// Type level: the guards narrow to the schema's Static type, not to any.
type Guarded<F> = F extends (value: unknown) => value is infer T ? T : never;
type IsAny<T> = 0 extends 1 & T ? true : false;
const narrowsToVersion: [IsAny<Guarded<typeof checks.isVersion>>, Guarded<typeof checks.isVersion> extends Static<typeof VersionSchema> ? true : false] = [false, true];

const specs = await Promise.all(CHECKS.map(async (spec) => ({ ...spec, schema: await schemaOf(spec) })));

describe("each generated check agrees with Value.Check", () => {
  for (const { name, schema } of specs) {
    const check = (checks as Record<string, (value: unknown) => boolean>)[name]!;
    const agrees = (value: unknown) => {
      expect(check(value)).toBe(Value.Check(schema as TSchema, value));
    };

    test(`${name}: values the schema accepts`, () => {
      fc.assert(
        fc.property(validValue(schema), (value) => {
          expect(Value.Check(schema, value)).toBe(true); // the arbitrary itself is right
          expect(check(value)).toBe(true);
        }),
        { numRuns: 200 },
      );
    });
    test(`${name}: near misses and anything at all`, () => {
      fc.assert(fc.property(nearMiss(schema), agrees), { numRuns: 1000 });
      fc.assert(fc.property(anyValue, agrees), { numRuns: 200 });
    });
  }
  test("the guards are typed with their schema's Static type", () => {
    expect(narrowsToVersion).toEqual([false, true]);
  });
});
