// A small OpenAPI 3.0 checker for the contract tests: finds the operation for
// a method and a concrete path in one of Immich's documents
// (test/fixtures/immich/openapi/) and checks a JSON value against a schema.
// It covers the subset those documents use: $ref, allOf, type (object, array,
// string, integer, number, boolean), properties, required, enum, items,
// nullable, minimum/maximum, additionalProperties. `strict` also rejects
// properties a schema with `properties` does not list (unless it allows
// additionalProperties), so the simulator cannot invent fields.
//
// Immich's documents describe only successful answers; error bodies are
// checked against ERROR_SCHEMAS below (the shapes of API.md §2 and the
// recorded v3.1.0 answers), written in the same dialect.

import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Schema = {
  $ref?: string;
  allOf?: Schema[];
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  additionalProperties?: boolean | Schema;
  [extension: string]: unknown;
};

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  security?: Record<string, string[]>[];
  "x-immich-permission"?: string;
  "x-immich-admin-only"?: boolean;
}

export interface OpenApiDoc {
  openapi: string;
  info: { version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export const OPENAPI_DIR = join(import.meta.dir, "../fixtures/immich/openapi");

const cache = new Map<string, OpenApiDoc>();

export function loadOpenApi(file: string): OpenApiDoc {
  let doc = cache.get(file);
  if (!doc) {
    doc = JSON.parse(readFileSync(join(OPENAPI_DIR, file), "utf8")) as OpenApiDoc;
    cache.set(file, doc);
  }
  return doc;
}

/** Every operation of a document as [method, template] pairs, e.g. ["put", "/queues/{name}"]. */
export function operations(doc: OpenApiDoc): { method: string; template: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method, template, op })),
  );
}

/**
 * The operation answering `method path` (path with the server prefix, e.g.
 * /api/jobs/thumbnailGeneration), and its path parameters.
 */
export function findOperation(
  doc: OpenApiDoc,
  method: string,
  path: string,
): { template: string; op: Operation; params: Record<string, string> } | undefined {
  const prefix = doc.servers[0]?.url ?? "";
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length).split("?")[0] ?? "";
  const segments = rest.split("/");
  for (const [template, ops] of Object.entries(doc.paths)) {
    const op = ops[method.toLowerCase()];
    if (!op) continue;
    const parts = template.split("/");
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((p, i) => {
      const s = segments[i] ?? "";
      const m = /^\{(.+)\}$/.exec(p);
      if (m?.[1]) {
        params[m[1]] = decodeURIComponent(s);
        return s !== "";
      }
      return p === s;
    });
    if (ok) return { template, op, params };
  }
  return undefined;
}

function resolve(doc: OpenApiDoc, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; s.$ref && i < 20; i++) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(s.$ref)?.[1];
    const target = name ? doc.components.schemas[name] : undefined;
    if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

/** Problems of `value` against `schema`, each naming where (e.g. `$.thumbnailGeneration.jobCounts.active`). */
export function validateSchema(
  doc: OpenApiDoc,
  schema: Schema,
  value: unknown,
  opts: { strict?: boolean } = {},
  at = "$",
): string[] {
  const s = resolve(doc, schema);
  const errors: string[] = [];
  for (const part of s.allOf ?? []) errors.push(...validateSchema(doc, part, value, opts, at));
  if (value === null) {
    if (s.nullable) return errors;
    if (s.type || s.enum || s.properties) return [...errors, `${at}: null is not allowed`];
    return errors;
  }
  if (s.enum && !s.enum.includes(value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  }
  switch (s.type) {
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [...errors, `${at}: expected an object`];
      const obj = value as Record<string, unknown>;
      for (const name of s.required ?? []) {
        if (!(name in obj)) errors.push(`${at}: missing required property ${name}`);
      }
      for (const [name, v] of Object.entries(obj)) {
        const prop = s.properties?.[name];
        if (prop) errors.push(...validateSchema(doc, prop, v, opts, `${at}.${name}`));
        else if (typeof s.additionalProperties === "object") {
          errors.push(...validateSchema(doc, s.additionalProperties, v, opts, `${at}.${name}`));
        } else if (s.additionalProperties === false || (opts.strict && s.properties && s.additionalProperties !== true)) {
          errors.push(`${at}: unexpected property ${name}`);
        }
      }
      break;
    }
    case "array":
      if (!Array.isArray(value)) return [...errors, `${at}: expected an array`];
      if (s.items) value.forEach((v, i) => errors.push(...validateSchema(doc, s.items as Schema, v, opts, `${at}[${i}]`)));
      break;
    case "string":
      if (typeof value !== "string") errors.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
      break;
    case "boolean":
      if (typeof value !== "boolean") errors.push(`${at}: expected a boolean, got ${JSON.stringify(value)}`);
      break;
    case "integer":
    case "number":
      if (typeof value !== "number" || (s.type === "integer" && !Number.isInteger(value))) {
        errors.push(`${at}: expected ${s.type === "integer" ? "an integer" : "a number"}, got ${JSON.stringify(value)}`);
      } else {
        if (s.minimum !== undefined && value < s.minimum) errors.push(`${at}: ${value} < minimum ${s.minimum}`);
        if (s.maximum !== undefined && value > s.maximum) errors.push(`${at}: ${value} > maximum ${s.maximum}`);
      }
      break;
  }
  return errors;
}

/** What the contract tests hand over for each answer. */
export interface Exchange {
  method: string;
  /** With query string, e.g. /api/queues/x/jobs?status[]=paused */
  path: string;
  requestBody?: unknown;
  status: number;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  contentType: string | null;
}

/**
 * Problems of one successful exchange against the document: the operation
 * exists, its path parameters and request body are valid, the status is one
 * it documents, and the body matches that response's schema (or is absent
 * when the response has no content).
 */
export function validateSuccess(doc: OpenApiDoc, ex: Exchange, strict = true): string[] {
  const found = findOperation(doc, ex.method, ex.path);
  if (!found) return [`${ex.method} ${ex.path}: no such operation in the document`];
  const { op, params } = found;
  const errors: string[] = [];
  for (const p of op.parameters ?? []) {
    if (p.in !== "path") continue;
    errors.push(...validateSchema(doc, p.schema, params[p.name], { strict }, `path.${p.name}`));
  }
  const reqSchema = op.requestBody?.content["application/json"]?.schema;
  if (reqSchema && ex.requestBody !== undefined) {
    errors.push(...validateSchema(doc, reqSchema, ex.requestBody, { strict }, "request"));
  }
  const response = op.responses[String(ex.status)];
  if (!response) return [...errors, `${ex.method} ${ex.path}: status ${ex.status} is not documented (${Object.keys(op.responses).join(", ")})`];
  const schema = response.content?.["application/json"]?.schema;
  if (!schema) {
    if (ex.body !== undefined) errors.push(`${ex.method} ${ex.path}: ${ex.status} documents no body, got one`);
    return errors;
  }
  if (!ex.contentType?.startsWith("application/json")) errors.push(`content-type ${ex.contentType} is not JSON`);
  return [...errors, ...validateSchema(doc, schema, ex.body, { strict })];
}

/**
 * Error bodies (not in Immich's documents): v1–v2 NestJS's
 * `{message, error, statusCode, correlationId}` (message an array for
 * validation), v3 `{message}` plus `errors` for validation.
 */
export const ERROR_SCHEMAS: Record<"v1" | "v3", Schema> = {
  v1: {
    type: "object",
    required: ["message", "error", "statusCode", "correlationId"],
    properties: {
      message: {} as Schema, // a string, or an array of strings for validation (checked below)
      error: { type: "string" },
      statusCode: { type: "integer", minimum: 400, maximum: 599 },
      correlationId: { type: "string" },
    },
    additionalProperties: false,
  },
  v3: {
    type: "object",
    required: ["message"],
    properties: {
      message: { type: "string" },
      errors: { type: "array", items: { type: "object" } },
    },
    additionalProperties: false,
  },
};

/** Problems of an error answer for a profile's error shape. */
export function validateError(doc: OpenApiDoc, shape: "v1" | "v3", ex: Exchange, correlationHeader: string | null): string[] {
  const errors = validateSchema(doc, ERROR_SCHEMAS[shape], ex.body, { strict: true });
  const body = ex.body as Record<string, unknown> | undefined;
  if (shape === "v1") {
    const m = body?.message;
    const okMessage = typeof m === "string" || (Array.isArray(m) && m.length > 0 && m.every((x) => typeof x === "string"));
    if (!okMessage) errors.push(`$.message: expected a string or an array of strings, got ${JSON.stringify(m)}`);
    if (body?.statusCode !== ex.status) errors.push(`$.statusCode ${String(body?.statusCode)} is not the status ${ex.status}`);
  } else if (!correlationHeader) {
    errors.push("missing X-Correlation-ID header");
  }
  if (!ex.contentType?.startsWith("application/json")) errors.push(`content-type ${ex.contentType} is not JSON`);
  return errors;
}
