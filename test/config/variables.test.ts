// The variables' documentation (variables.ts, plain data read by every
// command) and their schema (schema.ts, compiled ahead of time) list the same
// variables in the same order: the order errors and the README table use.
import { expect, test } from "bun:test";
import { EnvSchema } from "../../src/config/schema.ts";
import { ENV_NAMES } from "../../src/config/variables.ts";

test("variables.ts documents exactly the schema's variables, in its order", () => {
  expect(ENV_NAMES).toEqual(Object.keys(EnvSchema.properties) as typeof ENV_NAMES);
});
