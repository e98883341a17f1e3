// Error answers, shaped the way each Immich version shapes them. A client
// that branches on the body (or only on the status, as it should) must see
// exactly what a real server of that version sends:
// - v1–v2 (NestJS exception filter + class-validator): the HttpException
//   body `{message, error, statusCode}` with `correlationId` appended (also
//   sent in the `x-immich-cid` header); validation messages are an array of
//   class-validator sentences. Recorded in test/fixtures/immich/recorded-v2.7.5.
// - v3 (GlobalExceptionFilter + nestjs-zod): only `{message}` (plus `errors`
//   for validation, zod issues verbatim), the id in the X-Correlation-ID
//   header. Recorded in test/fixtures/immich/recorded-v3.1.0.

import type { Profile } from "./profiles.ts";

/** Nest's reason phrases, used as `error` in v1–v2 bodies. */
const REASON: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** One validation problem, described once and rendered per profile. */
export type ValidationIssue =
  /** A value outside an enum (a queue name, a command, a job status...). */
  | { kind: "enum"; path: (string | number)[]; values: readonly string[]; each?: boolean }
  /** A required value missing or empty (class-validator's IsNotEmpty; v1–v2 only). */
  | { kind: "empty"; path: (string | number)[] }
  /** A value of the wrong JSON type. */
  | { kind: "type"; path: (string | number)[]; expected: "boolean" | "array" | "object" | "string"; received: unknown };

export class HttpError {
  constructor(
    readonly status: number,
    /** A sentence, or for v1–v2 validation the class-validator sentences. */
    readonly message: string | string[],
    /** v3 validation: zod issues, sent as `errors`. */
    readonly errors?: unknown[],
    /**
     * True when the error did not come from an HttpException (an unexpected
     * crash): Nest then omits `error` in v1–v2 bodies.
     */
    readonly internal = false,
  ) {}
}

/**
 * 400 for a body that is not JSON. Express's body parser rejects it before
 * Immich's middleware runs: in v1–v2 the answer has no correlation id, in
 * the body or in a header (recorded on v2.7.5).
 */
export class BodyParseError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

/** 400 for a list of validation issues, in the profile's validator's words. */
export function validationError(profile: Profile, issues: ValidationIssue[]): HttpError {
  if (profile.errorShape === "v3") {
    return new HttpError(400, "Validation failed", issues.map(zodIssue));
  }
  return new HttpError(400, issues.map(classValidatorMessage));
}

// class-validator's default messages (IsEnum, IsBoolean, IsArray...). The
// property is the last path element; `each` prefixes "each value in".
function classValidatorMessage(issue: ValidationIssue): string {
  const property = String(issue.path.filter((p) => typeof p === "string").at(-1) ?? "value");
  if (issue.kind === "empty") return `${property} should not be empty`;
  if (issue.kind === "enum") {
    const prefix = issue.each ? "each value in " : "";
    return `${prefix}${property} must be one of the following values: ${issue.values.join(", ")}`;
  }
  switch (issue.expected) {
    case "boolean":
      return `${property} must be a boolean value`;
    case "array":
      return `${property} must be an array`;
    case "string":
      return `${property} must be a string`;
    case "object":
      return `${property} must be an object`;
  }
}

// zod 4's issue objects, key order as recorded:
// {"code":"invalid_value","values":[...],"path":[...],"message":"Invalid option: expected one of \"a\"|\"b\""}
// {"expected":"array","code":"invalid_type","path":[...],"message":"Invalid input: expected array, received string"}
function zodIssue(issue: ValidationIssue): Record<string, unknown> {
  // zod reports a missing required value as a wrong type (undefined).
  if (issue.kind === "empty") issue = { kind: "type", path: issue.path, expected: "string", received: undefined };
  if (issue.kind === "enum") {
    return {
      code: "invalid_value",
      values: [...issue.values],
      path: issue.path,
      message: `Invalid option: expected one of ${issue.values.map((v) => JSON.stringify(v)).join("|")}`,
    };
  }
  return {
    expected: issue.expected,
    code: "invalid_type",
    path: issue.path,
    message: `Invalid input: expected ${issue.expected}, received ${zodTypeName(issue.received)}`,
  };
}

function zodTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return typeof value;
}

/** The JSON body of an error for this profile. */
export function errorBody(profile: Profile, error: HttpError, correlationId: string): Record<string, unknown> {
  if (profile.errorShape === "v3") {
    return error.errors ? { message: error.message, errors: error.errors } : { message: error.message };
  }
  // Nest builds {message, error, statusCode}; Immich's filter appends the id.
  if (error.internal) return { message: error.message, statusCode: error.status, correlationId };
  const body = { message: error.message, error: REASON[error.status] ?? "Error", statusCode: error.status };
  return error instanceof BodyParseError ? body : { ...body, correlationId };
}

/**
 * The header carrying the correlation id: v1–v2 send `x-immich-cid` on every
 * answer (recorded on v2.7.5), v3 `X-Correlation-ID` on errors. None when the
 * body parser refused the request before the id was made.
 */
export function correlationHeader(profile: Profile, correlationId: string, error?: HttpError): Record<string, string> {
  if (error instanceof BodyParseError && profile.errorShape === "v1") return {};
  return profile.errorShape === "v3" ? { "x-correlation-id": correlationId } : { "x-immich-cid": correlationId };
}

/** A complete error Response for this profile. */
export function errorResponse(profile: Profile, error: HttpError, correlationId: string): Response {
  return new Response(JSON.stringify(errorBody(profile, error, correlationId)), {
    status: error.status,
    headers: { ...correlationHeader(profile, correlationId, error), "content-type": "application/json; charset=utf-8" },
  });
}

/** Express's 404 for a route that does not exist ("Cannot GET /api/x"). */
export function routeNotFound(method: string, pathname: string): HttpError {
  return new HttpError(404, `Cannot ${method} ${pathname}`);
}
