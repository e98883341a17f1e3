// The client against the simulator over real HTTP, for every version
// profile: the API family it picks per key, that observe() says what the
// engine holds, that setPaused works in both families, and the errors of
// missing scopes, non-admin and invalid keys, maintenance and the
// simulator's fault modes.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createImmichClient, type ErrorKind } from "../../src/immich/index.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import type { ApiKey } from "../../src/simulator/auth.ts";
import { PROFILES, type ProfileName } from "../../src/simulator/profiles.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";
import { failure } from "./expect-failure.ts";

const KEYS: ApiKey[] = [
  { key: "admin-all", label: "all", admin: true, scopes: ["all"] },
  { key: "admin-jobs", label: "jobs", admin: true, scopes: ["job.read", "job.create"] },
  { key: "admin-queues", label: "queues", admin: true, scopes: ["queue.read", "queue.update"] },
  { key: "admin-job-read", label: "job-read", admin: true, scopes: ["job.read"] },
  { key: "admin-queue-read-jobs", label: "queue-read-jobs", admin: true, scopes: ["queue.read", "job.read", "job.create"] },
  { key: "admin-other", label: "other", admin: true, scopes: ["asset.read"] },
  { key: "user-all", label: "user", admin: false, scopes: ["all"] },
];

const PROFILE_CASES: [ProfileName, "jobs" | "queues", string][] = [
  ["v1.137", "jobs", "1.137.3"],
  ["v2.3", "jobs", "2.3.1"],
  ["v2.7", "queues", "2.7.5"],
  ["v3.1", "queues", "3.1.0"],
];

describe.each(PROFILE_CASES)("profile %s", (profile, family, versionText) => {
  const clock = new VirtualClock();
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ profile, clock, keys: KEYS, seed: 7 });
  });
  afterAll(async () => {
    await sim.stop();
  });
  const client = (key: string) => createImmichClient({ baseUrl: sim.url, apiKey: key, fetch, clock, timeoutMs: 5_000 });
  const modern = family === "queues";
  // The order the server lists its queues in: /queues in enum order, the
  // legacy /jobs (before v3) in its DTO's order.
  const serverOrder = modern ? PROFILES[profile].queues : PROFILES[profile].legacyJobsOrder;

  test("ping", async () => {
    await client("no-key-needed").ping();
  });

  test(`an all-scope admin key: /api/${family}, no warnings, the profile's queues`, async () => {
    const info = await client("admin-all").connect();
    expect(info).toEqual({
      version: PROFILES[profile].version,
      api: family,
      warnings: [],
      queues: [...serverOrder],
    });
  });

  test("a key with exactly the scopes its family needs", async () => {
    const info = await client(modern ? "admin-queues" : "admin-jobs").connect();
    expect(info.api).toBe(family);
    expect(info.warnings).toEqual([]);
  });

  test("observe returns what the engine holds, in the server's order", async () => {
    const c = client("admin-all");
    await c.connect();
    sim.engine.enqueue("thumbnailGeneration", 7);
    sim.engine.enqueue("smartSearch", 4, { delayMs: 60_000 });
    sim.engine.setPaused("videoConversion", true, "person");
    sim.engine.enqueue("videoConversion", 2);
    const o = await c.observe();
    expect(o.api).toBe(family);
    expect(o.at).toBe(clock.now());
    const engine = serverOrder.map((name) => {
      const q = sim.engine.get(name)!;
      return { name: q.name, isPaused: q.isPaused, ...q.counts };
    });
    expect(o.queues).toEqual(engine);
    // The work is really there (the comparison is not between two empty lists).
    const thumbs = o.queues.find((q) => q.name === "thumbnailGeneration")!;
    expect(thumbs.active + thumbs.waiting).toBe(7);
    expect(o.queues.find((q) => q.name === "videoConversion")).toMatchObject({ isPaused: true, paused: 2 });
    expect(o.queues.find((q) => q.name === "smartSearch")).toMatchObject({ delayed: 4 });
  });

  test("setPaused pauses and resumes, idempotently, as the key's user", async () => {
    const c = client(modern ? "admin-queues" : "admin-jobs");
    await c.connect();
    await c.setPaused("faceDetection", true);
    expect(sim.engine.get("faceDetection")!.isPaused).toBe(true);
    await c.setPaused("faceDetection", true);
    expect((await c.observe()).queues.find((q) => q.name === "faceDetection")!.isPaused).toBe(true);
    await c.setPaused("faceDetection", false);
    expect(sim.engine.get("faceDetection")!.isPaused).toBe(false);
    const changes = sim.engine.recording().pauseChanges.filter((p) => p.queue === "faceDetection");
    expect(changes.map((p) => [p.paused, p.actor])).toEqual([
      [true, modern ? "queues" : "jobs"],
      [false, modern ? "queues" : "jobs"],
    ]);
  });

  test("connect's write probe changes nothing", async () => {
    const before = sim.engine.recording().pauseChanges.length;
    const flags = sim.engine.list().map((q) => q.isPaused);
    await client("admin-all").connect();
    expect(sim.engine.recording().pauseChanges.length).toBe(before);
    expect(sim.engine.list().map((q) => q.isPaused)).toEqual(flags);
  });

  test("a key with none of the needed scopes: missing-scope, with what to grant on this version", async () => {
    const e = await failure(client("admin-other").connect(), "missing-scope");
    if (modern) {
      expect(e.scope).toBe("queue.read");
      expect(e.message).toBe(
        `the API key lacks the permissions queue.read and job.read: on Immich ${versionText} grant it queue.read and queue.update (or job.read and job.create) (Account Settings → API Keys → edit the key)`,
      );
    } else {
      expect(e.scope).toBe("job.read");
      expect(e.message).toBe(
        `the API key lacks the permission job.read: on Immich ${versionText} grant it job.read and job.create (Account Settings → API Keys → edit the key)`,
      );
    }
    expect(e.transient).toBe(false);
  });

  test("a key that may read but not pause: missing-scope job.create at the first pause", async () => {
    const c = client("admin-job-read");
    const info = await c.connect();
    expect(info.api).toBe("jobs");
    await c.observe();
    const e = await failure(c.setPaused("smartSearch", true), "missing-scope");
    expect(e.scope).toBe("job.create");
    expect(e.message).toContain("lacks the permission job.create");
    expect(e.message).toContain(modern ? "grant it queue.read and queue.update (or job.read and job.create)" : "grant it job.read and job.create");
  });

  test("a non-admin's key: forbidden", async () => {
    const e = await failure(client("user-all").connect(), "forbidden");
    expect(e.status).toBe(403);
    expect(e.message).toContain("not an admin");
  });

  test("an unknown key: unauthorized", async () => {
    const e = await failure(client("no-such-key").connect(), "unauthorized");
    expect(e.message).toContain(`(401 Invalid API key on GET /api/${family})`);
    expect(e.message).toContain("check API_KEY");
  });

  test("maintenance mode: connect and observe fail as maintenance, transient", async () => {
    const c = client("admin-all");
    await c.connect();
    sim.faults.set({ maintenance: true });
    try {
      await c.ping();
      expect((await failure(c.observe(), "maintenance")).transient).toBe(true);
      await failure(c.connect(), "maintenance");
      await failure(c.setPaused("smartSearch", true), "maintenance");
    } finally {
      sim.faults.set({ maintenance: false });
    }
  });

  test("a queue the server does not know: bad-request", async () => {
    const c = client("admin-all");
    await c.connect();
    const e = await failure(c.setPaused("noSuchQueue", true), "bad-request");
    expect(e.status).toBe(400);
    expect(e.transient).toBe(false);
  });
});

describe("fallback to /api/jobs on 2.4+", () => {
  const clock = new VirtualClock();
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ profile: "v3.1", clock, keys: KEYS });
  });
  afterAll(async () => {
    await sim.stop();
  });
  const client = (key: string) => createImmichClient({ baseUrl: sim.url, apiKey: key, fetch, clock, timeoutMs: 5_000 });

  test("a key with only job.* scopes uses /api/jobs and says which scopes to add", async () => {
    const c = client("admin-jobs");
    const info = await c.connect();
    expect(info.api).toBe("jobs");
    expect(info.warnings).toEqual([
      "the API key lacks queue.read, so the deprecated /api/jobs is used; grant the key queue.read and queue.update (Account Settings → API Keys) to use /api/queues",
    ]);
    const o = await c.observe();
    expect(o.api).toBe("jobs");
    expect(o.queues.map((q) => q.name)).toEqual([...PROFILES["v3.1"].queues]);
    await c.setPaused("ocr", true);
    expect(sim.engine.get("ocr")!.isPaused).toBe(true);
    await c.setPaused("ocr", false);
    expect(sim.engine.get("ocr")!.isPaused).toBe(false);
  });

  test("a key with queue.read but not queue.update also falls back, naming queue.update", async () => {
    const info = await client("admin-queue-read-jobs").connect();
    expect(info.api).toBe("jobs");
    expect(info.warnings[0]).toStartWith("the API key lacks queue.update, so the deprecated /api/jobs is used");
  });

  test("pausing backgroundTask through /api/queues is refused by the server: bad-request with its words", async () => {
    const c = client("admin-all");
    await c.connect();
    const e = await failure(c.setPaused("backgroundTask", true), "bad-request");
    expect(e.message).toContain("The BackgroundTask queue cannot be paused");
  });
});

describe("the simulator's fault modes", () => {
  const clock = new VirtualClock();
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ profile: "v3.1", clock, keys: KEYS });
  });
  afterAll(async () => {
    await sim.stop();
  });

  test.each<[string, Parameters<Simulator["faults"]["set"]>[0], ErrorKind, RegExp]>([
    ["an HTML page", { htmlRate: 1 }, "not-json", /answered 200 with an HTML page/],
    ["truncated JSON", { garbageRate: 1 }, "not-json", /incomplete JSON/],
    ["500 answers", { errorRate: 1 }, "server-error", /\(500 Internal server error, correlation id [0-9a-z]+\)/],
    ["a reset connection", { resetRate: 1 }, "unreachable", /broke while reading the answer|connection closed/],
  ])("%s", async (_, fault, kind, pattern) => {
    const c = createImmichClient({ baseUrl: sim.url, apiKey: "admin-all", fetch, clock, timeoutMs: 5_000 });
    await c.connect();
    sim.faults.set(fault);
    try {
      const e = await failure(c.observe(), kind);
      expect(e.message).toMatch(pattern);
      expect(e.transient).toBe(true);
    } finally {
      sim.faults.clear();
    }
    // And it recovers once the fault is gone.
    expect((await c.observe()).queues.length).toBe(PROFILES["v3.1"].queues.length);
  });
});
