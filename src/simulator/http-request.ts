// Reading a request the way Immich's stack reads it: Express's JSON body
// parser (no JSON content type = empty object; unparsable JSON = 400 in
// Node's words, see json-errors.ts), the
// `qs` query parser (`status[]=a` and repeated keys are arrays, a single
// `status=a` is a string), and DTO validation that reports every bad field
// at once in the profile's validator's words (errors.ts renders them).

import { BodyParseError, HttpError, type ValidationIssue, validationError } from "./errors.ts";
import { v8JsonParseError } from "./json-errors.ts";
import type { Profile } from "./profiles.ts";

export type QueryValue = string | string[];

/** `qs`-style: `k[]=a`, `k[0]=a` and repeated `k` make arrays; a lone `k=a` stays a string. */
export function parseQuery(params: URLSearchParams): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  for (const [rawKey, value] of params) {
    const bracket = /^([^[\]]+)\[(\d*)\]$/.exec(rawKey);
    const key = bracket?.[1] ?? rawKey;
    const prev = out[key];
    if (bracket) out[key] = prev === undefined ? [value] : [...(Array.isArray(prev) ? prev : [prev]), value];
    else if (prev === undefined) out[key] = value;
    else out[key] = [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

/**
 * The parsed body as Express's `json()` middleware leaves it: `{}` when there
 * is no JSON content type or no body at all; a 400 (BodyParseError, worded
 * as Node's JSON.parse words it) when the JSON does not parse or, in
 * body-parser's strict mode, does not start with an object or an array.
 */
export async function readJsonBody(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type.trim())) return {};
  const text = await req.text();
  if (text === "") return {};
  const message = strictParseError(text);
  if (message !== undefined) return Promise.reject(new BodyParseError(message));
  return JSON.parse(text) as unknown;
}

/**
 * body-parser's strict mode: a body whose first non-blank character is not
 * `{` or `[` is parsed again with the rest masked by `#`, and the masked run
 * is put back into V8's message (so "true" gives Unexpected token 't', "true").
 */
function strictParseError(text: string): string | undefined {
  const index = text.search(/[^ \t\n\r]/);
  const first = index < 0 ? undefined : text[index];
  if (first === "{" || first === "[") return v8JsonParseError(text);
  const partial = index < 0 ? "" : text.slice(0, index) + "#".repeat(text.length - index);
  const message = v8JsonParseError(partial) ?? "Unexpected end of JSON input";
  return message.replace(/#+/g, (run) => text.substring(index, index + run.length));
}

/** One field of a request DTO. */
export type FieldSpec =
  /** `notEmpty`: class-validator's @IsNotEmpty as well (v1–v2 say "x should not be empty" first). */
  | { name: string; kind: "enum"; values: readonly string[]; required: boolean; notEmpty?: boolean }
  | { name: string; kind: "boolean"; required: false };

/**
 * Validates a JSON body against a DTO's fields and returns only those fields
 * (unknown properties are stripped, as Immich's whitelisting pipes do). Every
 * problem is reported at once, in field order.
 */
export function validateBody(profile: Profile, body: unknown, fields: readonly FieldSpec[]): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    if (profile.errorShape === "v3") {
      throw validationError(profile, [{ kind: "type", path: [], expected: "object", received: body }]);
    }
    // class-validator on an array body validates nothing useful; Nest
    // rejects it with the messages of every required field.
    body = {};
  }
  const input = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const issues: ValidationIssue[] = [];
  for (const field of fields) {
    let value = input[field.name];
    // class-validator's @IsOptional treats null like undefined; zod's optional does not.
    const absent = value === undefined || (profile.errorShape === "v1" && value === null);
    if (field.kind === "boolean") {
      if (absent) continue;
      // Immich's ValidateBoolean transforms the strings "true"/"false" (v1–v2).
      if (profile.errorShape === "v1" && (value === "true" || value === "false")) value = value === "true";
      if (typeof value !== "boolean") {
        issues.push({ kind: "type", path: [field.name], expected: "boolean", received: value });
        continue;
      }
      out[field.name] = value;
      continue;
    }
    if (absent && !field.required) continue;
    if (field.notEmpty && profile.errorShape === "v1" && (absent || value === "")) {
      issues.push({ kind: "empty", path: [field.name] });
    }
    if (typeof value !== "string" || !field.values.includes(value)) {
      issues.push({ kind: "enum", path: [field.name], values: field.values });
      continue;
    }
    out[field.name] = value;
  }
  if (issues.length > 0) throw validationError(profile, issues);
  return out;
}

/**
 * A path parameter that must be one of `values` (a queue name). v1.137 names
 * the parameter `id` (PUT /jobs/{id}), later versions `name`.
 */
export function enumParam(profile: Profile, param: string, value: string, values: readonly string[]): string {
  if (values.includes(value)) return value;
  throw validationError(profile, [{ kind: "enum", path: [param], values }]);
}

/**
 * `?status=` of GET /queues/{name}/jobs: an optional array of job states.
 * v3 (zod) rejects a lone string as recorded; v2 (class-validator with
 * `each: true`) validates a lone string as one element and accepts it.
 */
export function statusQuery<S extends string>(profile: Profile, value: QueryValue | undefined, states: readonly S[]): S[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    if (profile.errorShape === "v3") {
      throw validationError(profile, [{ kind: "type", path: ["status"], expected: "array", received: value }]);
    }
    value = [value];
  }
  const issues: ValidationIssue[] = [];
  value.forEach((v, i) => {
    if (!(states as readonly string[]).includes(v)) {
      issues.push({ kind: "enum", path: profile.errorShape === "v3" ? ["status", i] : ["status"], values: states, each: true });
    }
  });
  // class-validator reports one message per property, however many elements fail.
  if (issues.length > 0) throw validationError(profile, profile.errorShape === "v3" ? issues : issues.slice(0, 1));
  return value as S[];
}
