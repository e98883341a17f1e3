// Why the environment failed its check, in words a user acts on: TypeBox's
// errors against EnvSchema, one per problem. Loaded (with TypeBox) only when
// the check compiled ahead of time (isEnv, src/generated/checks.ts) fails,
// through load.ts's require(), so a valid configuration never evaluates
// TypeBox (issue 6, idle memory).

import { type ValueError, ValueErrorType } from "@sinclair/typebox/errors";
import { Value } from "@sinclair/typebox/value";
import { EnvSchema } from "./schema.ts";
import { API_KEY_PATTERN, type EnvName } from "./variables.ts";

/** Each schema error, in TypeBox's order, with the variable it is about (the first segment of its path). */
export function envProblems(values: unknown): { name: EnvName; problem: string }[] {
  return [...Value.Errors(EnvSchema, values)].map((e) => ({ name: e.path.split("/")[1] as EnvName, problem: explain(e) }));
}

/** A TypeBox error in words a user acts on. */
function explain(e: ValueError): string {
  const s = e.schema as { minimum?: number; maximum?: number; pattern?: string };
  switch (e.type) {
    case ValueErrorType.Integer:
      return typeof e.value === "number" ? "is not a whole number" : "is not a number";
    case ValueErrorType.Number:
      return "is not a number";
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${s.minimum}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${s.maximum}`;
    case ValueErrorType.Boolean:
      return "is not a yes/no value";
    case ValueErrorType.Union:
      return "is not one of the accepted values";
    case ValueErrorType.ArrayMinItems:
      return "lists no queue";
    case ValueErrorType.StringPattern:
      if (s.pattern === API_KEY_PATTERN) return "contains spaces or characters an API key cannot have";
      // A list item: the path ends with its index.
      if (e.path.split("/").length > 2) return `${JSON.stringify(e.value)} is not a queue name (letters and digits, like thumbnailGeneration)`;
      return "is not in the accepted form";
    default:
      return e.message.toLowerCase();
  }
}
