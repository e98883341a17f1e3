// The OpenAPI checker used by the contract tests must itself catch what it
// is there to catch: wrong types, missing and invented properties, values
// outside an enum, undocumented statuses, bad error bodies.

import { describe, expect, test } from "bun:test";
import { type Exchange, findOperation, loadOpenApi, validateError, validateSuccess } from "../helpers/openapi.ts";

const v3 = loadOpenApi("immich-jobs-api-v3.1.0.json");
const v1 = loadOpenApi("immich-jobs-api-v1.138.1.json");

const counts = { active: 1, completed: 0, failed: 0, delayed: 0, waiting: 2, paused: 0 };
const ok = (over: Partial<Exchange>): Exchange => ({
  method: "GET",
  path: "/api/queues/thumbnailGeneration",
  status: 200,
  body: { name: "thumbnailGeneration", isPaused: false, statistics: counts },
  contentType: "application/json; charset=utf-8",
  ...over,
});

describe("OpenAPI checker", () => {
  test("finds operations with path parameters, and nothing else", () => {
    expect(findOperation(v3, "PUT", "/api/queues/smartSearch")?.params).toEqual({ name: "smartSearch" });
    expect(findOperation(v1, "put", "/api/jobs/smartSearch")?.template).toBe("/jobs/{id}");
    expect(findOperation(v1, "GET", "/api/queues")).toBeUndefined();
    expect(findOperation(v3, "GET", "/queues")).toBeUndefined();
  });

  test("accepts a valid answer", () => {
    expect(validateSuccess(v3, ok({}))).toEqual([]);
  });

  test("rejects wrong types, missing and invented properties, bad enums", () => {
    expect(validateSuccess(v3, ok({ body: { name: "thumbnailGeneration", isPaused: "no", statistics: counts } }))).toEqual([
      '$.isPaused: expected a boolean, got "no"',
    ]);
    expect(validateSuccess(v3, ok({ body: { name: "thumbnailGeneration", statistics: counts } }))).toEqual([
      "$: missing required property isPaused",
    ]);
    expect(validateSuccess(v3, ok({ body: { name: "thumbs", isPaused: false, statistics: counts, extra: 1 } }))).toHaveLength(2);
    expect(validateSuccess(v3, ok({ body: { name: "thumbnailGeneration", isPaused: false, statistics: { ...counts, active: 1.5 } } }))).toEqual([
      "$.statistics.active: expected an integer, got 1.5",
    ]);
    expect(validateSuccess(v3, ok({ path: "/api/queues/nope" }))[0]).toStartWith("path.name:");
  });

  test("checks nullable, minimum and undocumented statuses", () => {
    const version = (body: unknown, status = 200): Exchange => ({
      method: "GET",
      path: "/api/server/version",
      status,
      body,
      contentType: "application/json",
    });
    expect(validateSuccess(v3, version({ major: 3, minor: 1, patch: 0, prerelease: null }))).toEqual([]);
    expect(validateSuccess(v3, version({ major: 3, minor: 1, patch: 0 }))).toEqual(["$: missing required property prerelease"]);
    expect(validateSuccess(v3, version({ major: -1, minor: 1, patch: 0, prerelease: null }))).toEqual(["$.major: -1 < minimum 0"]);
    expect(validateSuccess(v3, version({ major: 3, minor: 1, patch: 0, prerelease: null }, 201))[0]).toContain("not documented");
    // v1 documents no prerelease: strict mode rejects it.
    expect(validateSuccess(v1, version({ major: 1, minor: 137, patch: 3, prerelease: null }))).toEqual([
      "$: unexpected property prerelease",
    ]);
  });

  test("checks error bodies per shape", () => {
    const err = (body: unknown, status = 401): Exchange => ({
      method: "GET",
      path: "/api/jobs",
      status,
      body,
      contentType: "application/json",
    });
    expect(validateError(v3, "v3", err({ message: "Invalid API key" }), "abc")).toEqual([]);
    expect(validateError(v3, "v3", err({ message: "Invalid API key" }), null)).toEqual(["missing X-Correlation-ID header"]);
    expect(validateError(v3, "v3", err({ message: "x", statusCode: 401 }), "abc")).toEqual(["$: unexpected property statusCode"]);
    const good = { message: "Invalid API key", error: "Unauthorized", statusCode: 401, correlationId: "c" };
    expect(validateError(v1, "v1", err(good), null)).toEqual([]);
    expect(validateError(v1, "v1", err({ ...good, statusCode: 403 }), null)).toEqual(["$.statusCode 403 is not the status 401"]);
    expect(validateError(v1, "v1", err({ ...good, message: [] }), null)[0]).toStartWith("$.message:");
  });
});
