// The Immich handler called directly, without a socket (it is a plain fetch
// handler): routing as Express does it, body and query parsing, the v1–v2
// error bodies, property order per version, job listings.

import { describe, expect, test } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import { createEngine } from "../../src/simulator/engine.ts";
import { Faults } from "../../src/simulator/faults.ts";
import { createImmichHandler } from "../../src/simulator/http.ts";
import { PROFILES, type ProfileName } from "../../src/simulator/profiles.ts";
import { ALL_KEYS, KEYS } from "../helpers/openapi-client.ts";

function setup(profileName: ProfileName) {
  const clock = new VirtualClock();
  const profile = PROFILES[profileName];
  const engine = createEngine(clock, { queues: profile.queues, seed: 5 });
  const handler = createImmichHandler({
    profile,
    engine,
    clock,
    keys: ALL_KEYS,
    faults: new Faults(5),
    realSleep: () => Promise.resolve(),
    correlationId: () => "cid-1",
    onError: (e) => {
      throw e;
    },
  });
  const req = async (
    method: string,
    path: string,
    init: { key?: string; body?: string; type?: string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key !== undefined) headers["x-api-key"] = init.key;
    if (init.body !== undefined) headers["content-type"] = init.type ?? "application/json";
    const res = await handler(new Request(`http://sim.test${path}`, { method, headers, body: init.body }));
    return {
      status: res.status,
      type: res.headers.get("content-type"),
      cid: res.headers.get("x-correlation-id"),
      immichCid: res.headers.get("x-immich-cid"),
      text: await res.text(),
    };
  };
  return { clock, engine, req };
}

const admin = KEYS.admin.key;

describe("routing", () => {
  test("a trailing slash and the case of fixed segments do not matter; parameters keep theirs", async () => {
    const { req } = setup("v3.1");
    expect((await req("GET", "/api/server/ping/")).text).toBe('{"res":"pong"}');
    expect((await req("GET", "/api/Server/Ping")).status).toBe(200);
    expect((await req("GET", "/api/queues/ThumbnailGeneration", { key: admin })).status).toBe(400);
  });

  test("outside /api: GET is the web app's page, anything else Nest's 404", async () => {
    const { req } = setup("v2.3");
    const page = await req("GET", "/photos");
    expect([page.status, page.type]).toEqual([200, "text/html; charset=utf-8"]);
    const post = await req("POST", "/photos");
    expect(post.status).toBe(404);
    expect(JSON.parse(post.text)).toEqual({ message: "Cannot POST /photos", error: "Not Found", statusCode: 404, correlationId: "cid-1" });
  });

  test("HEAD is served like GET, without a body", async () => {
    const { req } = setup("v3.1");
    const res = await req("HEAD", "/api/server/ping");
    expect([res.status, res.text]).toEqual([200, ""]);
  });
});

describe("error bodies", () => {
  test("v1–v2: {message, error, statusCode, correlationId}, the id also in x-immich-cid on every answer", async () => {
    const { req } = setup("v2.7");
    const res = await req("GET", "/api/jobs", { key: "nope" });
    expect(res.text).toBe('{"message":"Invalid API key","error":"Unauthorized","statusCode":401,"correlationId":"cid-1"}');
    expect([res.cid, res.immichCid]).toEqual([null, "cid-1"]);
    expect((await req("GET", "/api/server/ping")).immichCid).toBe("cid-1");
    // A caller's own x-immich-cid is kept (Immich's cls middleware).
    const own = await req("GET", "/api/jobs", { key: "nope", headers: { "x-immich-cid": "mine1234" } });
    expect([own.immichCid, JSON.parse(own.text).correlationId]).toEqual(["mine1234", "mine1234"]);
    // v3 sends its id only on errors, as X-Correlation-ID.
    const v3 = setup("v3.1");
    expect((await v3.req("GET", "/api/server/ping")).immichCid).toBeNull();
    expect((await v3.req("GET", "/api/jobs", { key: "nope" })).cid).toBe("cid-1");
    const forbidden = await req("GET", "/api/queues", { key: KEYS.jobs.key });
    expect(JSON.parse(forbidden.text)).toEqual({
      message: "Missing required permission: queue.read",
      error: "Forbidden",
      statusCode: 403,
      correlationId: "cid-1",
    });
  });

  test("v1–v2 validation: class-validator sentences, every bad field", async () => {
    const { req } = setup("v1.137");
    const res = await req("PUT", "/api/jobs/thumbnailGeneration", { key: admin, body: '{"command":"go","force":"maybe"}' });
    expect(JSON.parse(res.text)).toEqual({
      message: [
        "command must be one of the following values: start, pause, resume, empty, clear-failed",
        "force must be a boolean value",
      ],
      error: "Bad Request",
      statusCode: 400,
      correlationId: "cid-1",
    });
    // v1.137's parameter is `id`.
    const bad = JSON.parse((await req("PUT", "/api/jobs/nope", { key: admin, body: '{"command":"pause"}' })).text);
    expect(bad.message[0]).toStartWith("id must be one of the following values: thumbnailGeneration, metadataExtraction,");
    // ValidateBoolean turns "true"/"false" strings into booleans before v3.
    expect((await req("PUT", "/api/jobs/sidecar", { key: admin, body: '{"command":"pause","force":"false"}' })).status).toBe(200);
  });

  test("v3 validation: zod issues, every bad field", async () => {
    const { req } = setup("v3.1");
    const res = await req("PUT", "/api/jobs/thumbnailGeneration", { key: admin, body: '{"force":"maybe"}' });
    const body = JSON.parse(res.text);
    expect(body.message).toBe("Validation failed");
    expect(body.errors.map((e: { path: string[] }) => e.path[0])).toEqual(["command", "force"]);
    expect(body.errors[1]).toEqual({
      expected: "boolean",
      code: "invalid_type",
      path: ["force"],
      message: "Invalid input: expected boolean, received string",
    });
    expect(res.cid).toBe("cid-1");
    const notObject = JSON.parse((await req("PUT", "/api/queues/ocr", { key: admin, body: "[1]" })).text);
    expect(notObject.errors[0]).toMatchObject({ expected: "object", path: [], message: "Invalid input: expected object, received array" });
  });

  test("body parsing as Express does it", async () => {
    const { req, engine } = setup("v3.1");
    // Unparsable JSON: 400, nothing changes.
    const broken = await req("PUT", "/api/queues/ocr", { key: admin, body: '{"isPaused":tru' });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text).message).toBe("Unexpected end of JSON input");
    // Strict mode: only an object or an array; worded as body-parser words it.
    const scalar = await req("PUT", "/api/queues/ocr", { key: admin, body: "true" });
    expect([scalar.status, JSON.parse(scalar.text).message]).toEqual([400, `Unexpected token 't', "true" is not valid JSON`]);
    const blank = await req("PUT", "/api/queues/ocr", { key: admin, body: "  " });
    expect([blank.status, JSON.parse(blank.text).message]).toEqual([400, "Unexpected end of JSON input"]);
    // Not JSON content: the body is ignored ({}), so PUT /queues changes nothing.
    const text = await req("PUT", "/api/queues/ocr", { key: admin, body: '{"isPaused":true}', type: "text/plain" });
    expect(text.status).toBe(200);
    expect(engine.get("ocr")?.isPaused).toBe(false);
    // Unknown properties are stripped, not rejected.
    expect((await req("PUT", "/api/queues/ocr", { key: admin, body: '{"isPaused":true,"colour":"red"}' })).status).toBe(200);
    expect(engine.get("ocr")?.isPaused).toBe(true);
  });
});

describe("answers", () => {
  test("legacy property order: v2.4+ queueStatus/isPaused first, older jobCounts/isActive first", async () => {
    const v3 = setup("v3.1");
    expect((await v3.req("PUT", "/api/jobs/ocr", { key: admin, body: '{"command":"pause"}' })).text).toBe(
      '{"queueStatus":{"isPaused":true,"isActive":false},"jobCounts":{"active":0,"completed":0,"failed":0,"delayed":0,"waiting":0,"paused":0}}',
    );
    const v1 = setup("v1.137");
    expect((await v1.req("PUT", "/api/jobs/sidecar", { key: admin, body: '{"command":"pause"}' })).text).toBe(
      '{"jobCounts":{"active":0,"completed":0,"failed":0,"delayed":0,"waiting":0,"paused":0},"queueStatus":{"isActive":false,"isPaused":true}}',
    );
  });

  test("version answers per profile", async () => {
    expect((await setup("v1.137").req("GET", "/api/server/version")).text).toBe('{"major":1,"minor":137,"patch":3}');
    expect((await setup("v2.7").req("GET", "/api/server/version")).text).toBe('{"major":2,"minor":7,"patch":5}');
    expect((await setup("v3.1").req("GET", "/api/server/version")).text).toBe('{"major":3,"minor":1,"patch":0,"prerelease":null}');
  });

  test("job listings: by state, newest first; ?status as v2 and v3 parse it", async () => {
    const { req, engine, clock } = setup("v2.7");
    engine.setPaused("metadataExtraction", true, "test");
    engine.upload({ photos: 3 });
    clock.set(clock.now() + 10);
    const list = JSON.parse((await req("GET", "/api/queues/metadataExtraction/jobs?status[]=paused", { key: admin })).text);
    expect(list.map((j: { id: string }) => j.id)).toEqual(["3", "2", "1"]);
    expect(list[0]).toMatchObject({ name: "AssetExtractMetadata", data: { source: "upload" } });
    // v2's class-validator accepts a lone string (each: true validates it as one element).
    expect(JSON.parse((await req("GET", "/api/queues/metadataExtraction/jobs?status=paused", { key: admin })).text)).toHaveLength(3);
    expect(JSON.parse((await req("GET", "/api/queues/metadataExtraction/jobs?status=active", { key: admin })).text)).toEqual([]);
    const bad = JSON.parse((await req("GET", "/api/queues/metadataExtraction/jobs?status[]=sleeping", { key: admin })).text);
    expect(bad.message).toEqual(["each value in status must be one of the following values: active, failed, completed, delayed, waiting, paused"]);
    // v2.7's JobName enum calls the workflow job WorkflowRun.
    engine.enqueue("workflow", 1, { delayMs: 60_000 });
    const wf = JSON.parse((await req("GET", "/api/queues/workflow/jobs?status[]=delayed", { key: admin })).text);
    expect(wf.map((j: { name: string }) => j.name)).toEqual(["WorkflowRun"]);
  });

  test("empty removes pending jobs; manual jobs land in their queue", async () => {
    const { req, engine } = setup("v3.1");
    engine.setPaused("smartSearch", true, "test");
    engine.enqueue("smartSearch", 5);
    expect(engine.get("smartSearch")?.counts.paused).toBe(5);
    const emptied = await req("PUT", "/api/jobs/smartSearch", { key: admin, body: '{"command":"empty"}' });
    expect(JSON.parse(emptied.text).jobCounts.paused).toBe(0);
    engine.enqueue("smartSearch", 2);
    expect((await req("DELETE", "/api/queues/smartSearch/jobs", { key: admin, body: '{"failed":true}' })).status).toBe(204);
    expect(engine.get("smartSearch")?.counts.paused).toBe(0);
    engine.setPaused("backupDatabase", true, "test");
    expect((await req("POST", "/api/jobs", { key: admin, body: '{"name":"backup-database"}' })).status).toBe(204);
    expect(engine.get("backupDatabase")?.counts.paused).toBe(1);
  });
});
