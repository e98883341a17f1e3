// GET/PUT /api/system-config over HTTP: the whole object as the recorded
// servers answered it, Immich's validation of the `job` section in each
// profile's validator's words, the scopes, and a concurrency change taking
// effect on the queue's workers at once (QueueService.onConfigUpdate).

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { VirtualClock } from "../../src/shared/clock.ts";
import type { ApiKey } from "../../src/simulator/auth.ts";
import { configurableQueues } from "../../src/simulator/system-config.ts";
import { PROFILES } from "../../src/simulator/profiles.ts";
import { KEYS } from "../helpers/openapi-client.ts";
import { simulatorsPerTest } from "./sim-server.ts";

const sim = simulatorsPerTest();
const FIXTURES = join(import.meta.dir, "../fixtures/immich");
const recorded = (version: string, file: string) => readFileSync(join(FIXTURES, `recorded-${version}`, file), "utf8");

const READ_ONLY: ApiKey = { key: "config-read", label: "reader", admin: true, scopes: ["systemConfig.read"] };
const WRITER: ApiKey = { key: "config-rw", label: "tuner", admin: true, scopes: ["systemConfig.read", "systemConfig.update"] };
const ALL = [...Object.values(KEYS), READ_ONLY, WRITER];

async function put(url: string, key: string, body: unknown) {
  const res = await fetch(`${url}/api/system-config`, {
    method: "PUT",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
async function get(url: string, key: string | undefined) {
  const res = await fetch(`${url}/api/system-config`, { headers: key ? { "x-api-key": key } : {} });
  return { status: res.status, text: await res.text() };
}

type Config = { job: Record<string, { concurrency: number }> } & Record<string, unknown>;

describe("GET /api/system-config", () => {
  test("v3.1 answers the recorded v3.1.0 config byte for byte; v2.7 the recorded v2.7.5 one", async () => {
    const v3 = await sim({ keys: ALL });
    expect(await get(v3.url, KEYS.admin.key)).toEqual({ status: 200, text: recorded("v3.1.0", "system-config.json") });
    const v2 = await sim({ keys: ALL, profile: "v2.7" });
    expect(await get(v2.url, KEYS.admin.key)).toEqual({ status: 200, text: recorded("v2.7.5", "system-config.json") });
  });

  test("older profiles list only the concurrent queues they have", () => {
    expect(configurableQueues(PROFILES["v1.137"])).not.toContain("ocr");
    expect(configurableQueues(PROFILES["v2.3"])).not.toContain("editor");
    // Fixed at 1 in Immich: never in the config.
    for (const p of Object.values(PROFILES)) {
      for (const fixed of ["facialRecognition", "storageTemplateMigration", "duplicateDetection", "backupDatabase"]) {
        expect(configurableQueues(p)).not.toContain(fixed);
      }
    }
  });

  test("scopes: systemConfig.read to read, systemConfig.update to write, admins only", async () => {
    const s = await sim({ keys: ALL });
    expect(JSON.parse((await get(s.url, KEYS.jobs.key)).text)).toEqual({ message: "Missing required permission: systemConfig.read" });
    expect((await get(s.url, KEYS.user.key)).status).toBe(403);
    expect((await get(s.url, undefined)).status).toBe(401);
    expect((await get(s.url, READ_ONLY.key)).status).toBe(200);
    const config = JSON.parse((await get(s.url, READ_ONLY.key)).text) as Config;
    const refused = await put(s.url, READ_ONLY.key, config);
    expect({ status: refused.status, body: JSON.parse(refused.text) }).toEqual({
      status: 403,
      body: { message: "Missing required permission: systemConfig.update" },
    });
    expect((await put(s.url, WRITER.key, config)).status).toBe(200);
  });
});

describe("PUT /api/system-config", () => {
  test("a server with IMMICH_CONFIG_FILE refuses a valid update as recorded (v3.1.0)", async () => {
    const s = await sim({ keys: ALL, configFile: true });
    const res = await put(s.url, KEYS.admin.key, JSON.parse(recorded("v3.1.0", "system-config.json")));
    expect(res.status).toBe(400);
    expect(res.text).toBe(recorded("v3.1.0", "system-config_update_with_the_current_config__config_file_in_use_.json"));
    expect(res.headers.get("x-correlation-id")).toMatch(/^[0-9a-z]{8}$/);
  });

  test("answers the whole new config; unknown keys are stripped, 'true' strings read as booleans", async () => {
    const s = await sim({ keys: ALL });
    const config = JSON.parse((await get(s.url, WRITER.key)).text) as Config;
    const body = structuredClone(config) as Config & { extra?: number; trash: { enabled: unknown } };
    body.job.thumbnailGeneration = { concurrency: 1 };
    body.extra = 1;
    body.trash.enabled = "false";
    const res = await put(s.url, WRITER.key, body);
    expect(res.status).toBe(200);
    const answered = JSON.parse(res.text) as Config & { trash: { enabled: boolean } };
    expect(Object.keys(answered)).toEqual(Object.keys(config));
    expect(answered.job.thumbnailGeneration).toEqual({ concurrency: 1 });
    expect(answered.trash.enabled).toBe(false);
    expect(await get(s.url, WRITER.key)).toEqual({ status: 200, text: res.text });
  });

  test("a concurrency change takes effect on the running queue at once: lower lets active jobs finish, raise starts more", async () => {
    const s = await sim({ keys: ALL, engine: { jitter: 0 } });
    s.engine.enqueue("thumbnailGeneration", 40, { durationMs: 1_000 });
    expect(s.engine.get("thumbnailGeneration")?.counts.active).toBe(3);
    const config = JSON.parse((await get(s.url, WRITER.key)).text) as Config;
    config.job.thumbnailGeneration = { concurrency: 1 };
    expect((await put(s.url, WRITER.key, config)).status).toBe(200);
    // Lowering interrupts nothing: the three running jobs finish.
    expect(s.engine.get("thumbnailGeneration")?.counts.active).toBe(3);
    (s.clock as VirtualClock).set(s.clock.now() + 1_000);
    expect(s.engine.get("thumbnailGeneration")?.counts.active).toBe(1);
    expect(s.engine.concurrency("thumbnailGeneration")).toBe(1);
    config.job.thumbnailGeneration = { concurrency: 6 };
    await put(s.url, WRITER.key, config);
    expect(s.engine.get("thumbnailGeneration")?.counts.active).toBe(6);
    expect(s.engine.recording().peakActive.thumbnailGeneration).toBe(6);
  });

  test("v3.1: zod's issues for a bad concurrency, a missing queue and a wrong type; nothing applied", async () => {
    const s = await sim({ keys: ALL });
    const before = (await get(s.url, WRITER.key)).text;
    const config = JSON.parse(before) as Config & { trash: Record<string, unknown> };
    config.job.thumbnailGeneration = { concurrency: 0 };
    config.job.metadataExtraction = { concurrency: 1.5 };
    config.job.videoConversion = { concurrency: "2" as unknown as number };
    delete (config.job as Record<string, unknown>).ocr;
    config.trash.days = "30";
    const res = await put(s.url, WRITER.key, config);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({
      message: "Validation failed",
      errors: [
        {
          origin: "number",
          code: "too_small",
          minimum: 1,
          inclusive: true,
          path: ["job", "thumbnailGeneration", "concurrency"],
          message: "Too small: expected number to be >=1",
        },
        {
          expected: "int",
          format: "safeint",
          code: "invalid_type",
          path: ["job", "metadataExtraction", "concurrency"],
          message: "Invalid input: expected int, received number",
        },
        {
          expected: "number",
          code: "invalid_type",
          path: ["job", "videoConversion", "concurrency"],
          message: "Invalid input: expected number, received string",
        },
        { expected: "object", code: "invalid_type", path: ["job", "ocr"], message: "Invalid input: expected object, received undefined" },
        { expected: "number", code: "invalid_type", path: ["trash", "days"], message: "Invalid input: expected number, received string" },
      ],
    });
    expect((await get(s.url, WRITER.key)).text).toBe(before);
    expect(s.engine.concurrency("thumbnailGeneration")).toBe(3);
    const notObject = await put(s.url, WRITER.key, []);
    expect(JSON.parse(notObject.text).errors).toEqual([
      { expected: "object", code: "invalid_type", path: [], message: "Invalid input: expected object, received array" },
    ]);
  });

  test("v2.7: class-validator's sentences with the parent path, as Nest words them", async () => {
    const s = await sim({ keys: ALL, profile: "v2.7" });
    const config = JSON.parse((await get(s.url, WRITER.key)).text) as Config;
    config.job.thumbnailGeneration = { concurrency: 0 };
    config.job.metadataExtraction = { concurrency: 1.5 };
    delete (config.job as Record<string, unknown>).ocr;
    const res = await put(s.url, WRITER.key, config);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(body).toMatchObject({
      error: "Bad Request",
      statusCode: 400,
      message: [
        "job.thumbnailGeneration.concurrency must be a positive number",
        "job.metadataExtraction.concurrency must be an integer number",
        "job.ocr must be an object",
        "job.nested property ocr must be either object or array",
      ],
    });
    expect(body.correlationId).toBe(res.headers.get("x-immich-cid"));
    expect(s.engine.concurrency("thumbnailGeneration")).toBe(3);
  });
});
