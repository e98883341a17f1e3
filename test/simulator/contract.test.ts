// Contract: for every profile, every answer of every endpoint (successes and
// errors) validates against the matching OpenAPI document of a real Immich
// (test/fixtures/immich/openapi/), and endpoints that version lacks are 404.
// Real HTTP to the simulator on 127.0.0.1, virtual time.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import { PROFILES, PROFILE_NAMES, type Profile } from "../../src/simulator/profiles.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";
import { ALL_KEYS, ContractChecker, KEYS } from "../helpers/openapi-client.ts";
import { type Operation, type Schema, loadOpenApi, operations } from "../helpers/openapi.ts";

/** The enum of a path parameter or body field, resolved from the document. */
function enumOf(profile: Profile, schema: Schema | undefined): string[] {
  const doc = loadOpenApi(profile.openapi);
  let s: Schema | undefined = schema;
  for (let i = 0; s && i < 10; i++) {
    if (s.enum) return s.enum as string[];
    if (s.$ref) s = doc.components.schemas[s.$ref.split("/").pop() ?? ""];
    else if (s.allOf?.[0]) s = s.allOf[0];
    else break;
  }
  return [];
}

/** ManualJobName's values: what POST /jobs accepts. */
function manualJobNames(profile: Profile): string[] {
  return enumOf(profile, { $ref: "#/components/schemas/ManualJobName" });
}

function pathParam(op: Operation): { name: string; values: (p: Profile) => string[] } | undefined {
  const p = op.parameters?.find((x) => x.in === "path");
  return p ? { name: p.name, values: (profile) => enumOf(profile, p.schema) } : undefined;
}

function concrete(template: string, value: string): string {
  return `/api${template.replace(/\{[^}]+\}/, encodeURIComponent(value))}`;
}

/** Every operation of every document, for the 404 checks. */
const ALL_OPERATIONS = PROFILE_NAMES.flatMap((name) =>
  operations(loadOpenApi(PROFILES[name].openapi)).map((o) => ({ ...o, from: name })),
);

describe.each(PROFILE_NAMES)("contract %s", (profileName) => {
  const profile = PROFILES[profileName];
  const doc = loadOpenApi(profile.openapi);
  let sim: Simulator;
  let clock: VirtualClock;

  beforeAll(async () => {
    clock = new VirtualClock();
    sim = await startSimulator({ profile: profileName, clock, keys: ALL_KEYS, seed: 7 });
    // Work in flight, so counts are not all zero.
    sim.engine.upload({ photos: 20, videos: 2 });
    clock.set(clock.now() + 3_000);
  });
  afterAll(() => sim.stop());

  test("the profile's queues are the document's queue names, in order", () => {
    const put = operations(doc).find((o) => o.method === "put" && o.template.startsWith("/jobs/"));
    expect(put).toBeDefined();
    expect(pathParam(put!.op)!.values(profile)).toEqual([...profile.queues]);
  });

  test("every documented operation answers with its documented shape", async () => {
    const c = new ContractChecker(profile, sim.url);
    const succeeded = new Set<string>();
    const note = (key: string, status: number) => {
      if (status < 300) succeeded.add(key);
    };
    const admin = KEYS.admin.key;
    for (const { method, template, op } of operations(doc)) {
      const id = `${method} ${template}`;
      const param = pathParam(op);
      const queues = param ? param.values(profile) : [""];
      for (const q of queues) {
        const path = param ? concrete(template, q) : `/api${template}`;
        switch (id) {
          case "get /server/ping":
          case "get /server/version":
            note(id, (await c.call("GET", path)).status);
            break;
          case "post /jobs":
            for (const name of manualJobNames(profile)) {
              const status = (await c.call("POST", path, { key: admin, body: { name } })).status;
              expect({ name, status }).toEqual({ name, status: 204 });
              note(id, status);
            }
            break;
          case "put /jobs/{id}":
          case "put /jobs/{name}":
            for (const command of ["pause", "resume", "start", "empty", "clear-failed"]) {
              note(id, (await c.call("PUT", path, { key: admin, body: { command, force: false } })).status);
            }
            note(id, (await c.call("PUT", path, { key: admin, body: { command: "resume" } })).status);
            break;
          case "put /queues/{name}":
            for (const body of [{ isPaused: true }, { isPaused: false }, {}]) {
              note(id, (await c.call("PUT", path, { key: admin, body })).status);
            }
            break;
          case "get /queues/{name}/jobs":
            for (const query of ["", "?status[]=waiting&status[]=paused", "?status[]=active", "?status=delayed&status=failed"]) {
              note(id, (await c.call("GET", path + query, { key: admin })).status);
            }
            break;
          case "delete /queues/{name}/jobs":
            note(id, (await c.call("DELETE", path, { key: admin, body: q === "smartSearch" ? { failed: true } : {} })).status);
            break;
          default:
            note(id, (await c.call(method.toUpperCase(), path, { key: admin })).status);
        }
      }
      // Let the simulation move between operations, so later answers see other counts.
      clock.set(clock.now() + 700);
    }
    expect(c.problems).toEqual([]);
    expect([...succeeded].sort()).toEqual(operations(doc).map((o) => `${o.method} ${o.template}`).sort());
    // Some answers carried real work, not just zeros.
    expect(c.seen.some((e) => /"active":[1-9]/.test(e.text))).toBe(true);
  });

  test("authentication and permission failures on every protected operation", async () => {
    const c = new ContractChecker(profile, sim.url);
    for (const { method, template, op } of operations(doc)) {
      if (!op.security) continue;
      const param = pathParam(op);
      const path = param ? concrete(template, "thumbnailGeneration") : `/api${template}`;
      const M = method.toUpperCase();
      const body = method === "put" ? (template.startsWith("/jobs") ? { command: "pause" } : { isPaused: true }) : undefined;
      const expectError = async (opts: Parameters<typeof c.call>[2], status: number, message: string) => {
        const ex = await c.call(M, path, { ...opts, body });
        expect({ id: `${M} ${template}`, status: ex.status, message: (ex.body as { message?: unknown }).message }).toEqual({
          id: `${M} ${template}`,
          status,
          message,
        });
      };
      await expectError({}, 401, "Authentication required");
      await expectError({ key: "not-a-key" }, 401, "Invalid API key");
      await expectError({ key: KEYS.admin.key, headers: { authorization: "Bearer abc" } }, 401, "Invalid user token");
      await expectError({ key: KEYS.admin.key, headers: { cookie: "immich_access_token=abc" } }, 401, "Invalid user token");
      if (op["x-immich-admin-only"]) await expectError({ key: KEYS.user.key }, 403, "Forbidden");
      const permission = op["x-immich-permission"];
      if (permission) {
        const lacking = permission.startsWith("job.") ? KEYS.queues.key : KEYS.jobs.key;
        await expectError({ key: lacking }, 403, `Missing required permission: ${permission}`);
      }
    }
    expect(c.problems).toEqual([]);
  });

  test("an unknown queue name or a bad body is a 400 in the profile's words", async () => {
    const c = new ContractChecker(profile, sim.url);
    const key = KEYS.admin.key;
    const v3 = profile.errorShape === "v3";
    const paramName = profile.version.major < 2 ? "id" : "name";
    for (const { method, template, op } of operations(doc)) {
      if (!pathParam(op)) continue;
      const body = method === "put" ? (template.startsWith("/jobs") ? { command: "pause" } : { isPaused: true }) : undefined;
      const ex = await c.call(method.toUpperCase(), concrete(template, "noSuchQueue"), { key, body });
      expect(ex.status).toBe(400);
      const b = ex.body as { message: unknown; errors?: { path: unknown[]; values: string[] }[] };
      if (v3) {
        expect(b.message).toBe("Validation failed");
        expect(b.errors?.[0]?.path).toEqual(["name"]);
        expect(b.errors?.[0]?.values).toEqual([...profile.queues]);
      } else {
        expect(b.message).toEqual([`${paramName} must be one of the following values: ${profile.queues.join(", ")}`]);
      }
    }
    const bad = [
      { method: "PUT", path: "/api/jobs/thumbnailGeneration", body: { command: "explode" }, field: "command" },
      { method: "PUT", path: "/api/jobs/thumbnailGeneration", body: { force: true }, field: "command" },
      { method: "PUT", path: "/api/jobs/thumbnailGeneration", body: { command: "pause", force: "yes" }, field: "force" },
      { method: "POST", path: "/api/jobs", body: { name: "nope" }, field: "name" },
      ...(profile.hasQueuesApi ? [{ method: "PUT", path: "/api/queues/thumbnailGeneration", body: { isPaused: "yes" }, field: "isPaused" }] : []),
    ];
    for (const b of bad) {
      const ex = await c.call(b.method, b.path, { key, body: b.body });
      expect(ex.status).toBe(400);
      const body = ex.body as { message: unknown; errors?: { path: unknown[] }[] };
      if (v3) expect(body.errors?.[0]?.path).toEqual([b.field]);
      else expect((body.message as string[]).find((m) => m.startsWith(`${b.field} must be`))).toBeDefined();
    }
    expect(c.problems).toEqual([]);
  });

  test("endpoints this version lacks, and unknown routes, are Nest's 404", async () => {
    const c = new ContractChecker(profile, sim.url);
    const mine = new Set(operations(doc).map((o) => `${o.method} ${o.template.replace("{id}", "{name}")}`));
    const absent = ALL_OPERATIONS.filter((o) => !mine.has(`${o.method} ${o.template.replace("{id}", "{name}")}`));
    if (profile.hasQueuesApi) expect(absent).toEqual([]);
    else expect(absent.length).toBeGreaterThan(0);
    const paths = [
      ...absent.map((o) => ({ method: o.method.toUpperCase(), path: concrete(o.template, "thumbnailGeneration") })),
      { method: "GET", path: "/api/nothing-here" },
      { method: "POST", path: "/api/server/ping" },
      { method: "DELETE", path: "/api/jobs" },
    ];
    for (const { method, path } of paths) {
      const ex = await c.call(method, path, { key: KEYS.admin.key });
      expect({ path, status: ex.status, message: (ex.body as { message: string }).message }).toEqual({
        path,
        status: 404,
        message: `Cannot ${method} ${path}`,
      });
    }
    expect(c.problems).toEqual([]);
  });

  test("maintenance mode hides /jobs and /queues; ping and version still answer", async () => {
    const c = new ContractChecker(profile, sim.url);
    sim.faults.set({ maintenance: true });
    try {
      expect((await c.call("GET", "/api/server/ping")).status).toBe(200);
      expect((await c.call("GET", "/api/server/version")).status).toBe(200);
      expect((await c.call("GET", "/api/jobs", { key: KEYS.admin.key })).status).toBe(404);
      expect((await c.call("PUT", "/api/jobs/thumbnailGeneration", { key: KEYS.admin.key, body: { command: "pause" } })).status).toBe(404);
      if (profile.hasQueuesApi) expect((await c.call("GET", "/api/queues", { key: KEYS.admin.key })).status).toBe(404);
      // The pause above never reached the engine.
      expect(sim.engine.get("thumbnailGeneration")?.isPaused).toBe(false);
    } finally {
      sim.faults.set({ maintenance: false });
    }
    expect(c.problems).toEqual([]);
  });
});
