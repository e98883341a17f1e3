// The control endpoint (/__simulator/...) and the server around it: inject
// work, read the state and the recording, one-line 400s for bad input, and
// hours of simulated time over real HTTP in well under a second.

import { describe, expect, test } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import type { Recording } from "../../src/simulator/engine-types.ts";
import { type Simulator, SimulatorOptionError, startSimulator } from "../../src/simulator/server.ts";
import { KEYS } from "../helpers/openapi-client.ts";
import { simulatorsPerTest } from "./sim-server.ts";

const sim = simulatorsPerTest();

async function control(s: Simulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}/__simulator${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("control endpoint", () => {
  test("uploads enter the pipeline; state shows them", async () => {
    const s = await sim();
    const up = await control(s, "POST", "/uploads", { photos: 4, videos: 1 });
    expect(up.status).toBe(200);
    expect(up.body.ids).toHaveLength(5);
    const lib = await control(s, "POST", "/uploads", { photos: 2, source: "library" });
    expect(lib.body.ids).toHaveLength(2);
    const state = await control(s, "GET", "/state");
    expect(state.body).toMatchObject({ profile: "v3.1", assets: 7, idle: false, unavailableUntil: null });
    const queues = state.body.queues as { name: string; statistics: { active: number; waiting: number } }[];
    const meta = queues.find((q) => q.name === "metadataExtraction");
    expect((meta?.statistics.active ?? 0) + (meta?.statistics.waiting ?? 0)).toBe(5);
    const library = queues.find((q) => q.name === "library");
    expect((library?.statistics.active ?? 0) + (library?.statistics.waiting ?? 0)).toBe(2);
    expect(state.body.keys).toContainEqual({ label: "admin", admin: true, scopes: ["all"] });
    // No secrets needed, none shown.
    expect(JSON.stringify(state.body)).not.toContain(KEYS.admin.key);
  });

  test("enqueue, faults, redis loss", async () => {
    const s = await sim();
    const q = await control(s, "POST", "/enqueue", { queue: "smartSearch", count: 3, delayMs: 60_000 });
    expect((q.body.statistics as { delayed: number }).delayed).toBe(3);
    expect((await control(s, "GET", "/faults")).body).toMatchObject({ errorRate: 0, maintenance: false });
    expect((await control(s, "PUT", "/faults", { errorRate: 0.5 })).body).toMatchObject({ errorRate: 0.5 });
    expect((await control(s, "DELETE", "/faults")).body).toMatchObject({ errorRate: 0 });
    s.engine.setPaused("ocr", true, "test");
    expect((await control(s, "POST", "/redis-loss")).status).toBe(200);
    expect(s.engine.get("ocr")?.isPaused).toBe(false);
    expect(s.engine.get("smartSearch")?.counts.delayed).toBe(0);
  });

  test.each([
    ["POST", "/uploads", { photos: -1 }, "field photos:"],
    ["POST", "/uploads", { photos: 1, colour: "red" }, "field colour:"],
    ["POST", "/uploads", {}, "body: give photos and/or videos > 0"],
    ["POST", "/uploads", "{not json", "body: not valid JSON"],
    ["POST", "/enqueue", { queue: "nope", count: 1 }, 'field queue: "nope" is not a queue of v3.1'],
    ["PUT", "/faults", { errorRate: 2 }, "field errorRate:"],
    ["PUT", "/faults", { maintenance: "yes" }, "field maintenance:"],
    ["POST", "/restart", { mode: "off" }, "field mode:"],
  ])("%s %s %j -> 400 naming the problem", async (method, path, body, message) => {
    const s = await sim();
    const r = await control(s, method, path, body);
    expect(r.status).toBe(400);
    expect(String(r.body.message)).toStartWith(message);
    expect(String(r.body.message)).not.toContain("\n");
  });

  test("an unknown control route is a 404 that points to --help", async () => {
    const s = await sim();
    const r = await control(s, "GET", "/nothing");
    expect(r.status).toBe(404);
    expect(r.body.message).toBe("Unknown control route GET /nothing; see `simulator --help`");
  });

  test("faults never touch the control endpoint", async () => {
    const s = await sim({ faults: { errorRate: 1, maintenance: true } });
    expect((await fetch(`${s.url}/api/server/ping`)).status).toBe(500);
    expect((await control(s, "GET", "/state")).status).toBe(200);
  });
});

describe("server", () => {
  test("refuses non-loopback addresses and unknown names, in one line", async () => {
    await expect(startSimulator({ hostname: "0.0.0.0" })).rejects.toThrow(SimulatorOptionError);
    await expect(startSimulator({ profile: "v9" as "v3.1" })).rejects.toThrow('unknown profile "v9"; use one of v1.137, v2.3, v2.7, v3.1');
    await expect(startSimulator({ scenario: "party" })).rejects.toThrow('unknown scenario "party"');
    await expect(startSimulator({ port: -1 })).rejects.toThrow("is not a port number");
  });

  test("hours of simulated work over real HTTP in a fraction of a second, the same for the same seed", async () => {
    const run = async (seed: number) => {
      const clock = new VirtualClock();
      const s = await sim({ clock, seed, scenario: "import", scenarioOptions: { scale: 0.5 } });
      const t0 = performance.now();
      let polls = 0;
      // A poller every 10 simulated seconds, like the daemon, until all work is done.
      while (polls < 10_000) {
        const res = await fetch(`${s.url}/api/queues`, { headers: { "x-api-key": KEYS.admin.key } });
        const queues = (await res.json()) as { statistics: Record<string, number> }[];
        polls++;
        const busy = queues.some((q) => q.statistics.active! + q.statistics.waiting! + q.statistics.delayed! > 0);
        if (!busy && polls > 1) break;
        clock.set(clock.now() + 10_000);
      }
      const rec = (await control(s, "GET", "/recording")).body as unknown as Recording;
      return { ms: performance.now() - t0, simulatedMs: rec.now - rec.startedAt, polls, rec };
    };
    const a = await run(11);
    const b = await run(11);
    expect(a.simulatedMs).toBeGreaterThan(30 * 60_000);
    expect(a.ms).toBeLessThan(5_000);
    expect(a.rec.uploads.length).toBe(1030);
    expect(a.rec.uploads.every((u) => u.thumbnailAt !== undefined)).toBe(true);
    expect(JSON.stringify(a.rec)).toBe(JSON.stringify(b.rec));
    console.log(`import scale 0.5: ${(a.simulatedMs / 3_600_000).toFixed(2)} h simulated, ${a.polls} polls over HTTP, ${a.ms.toFixed(0)} ms real`);
  });
});
