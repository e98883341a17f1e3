// Faults: each mode does what a client would meet in the wild, over a real
// socket; the draws are seeded (same seed, same sequence of fates); and
// whether the request took effect matches the mode.

import { describe, expect, test } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import { Faults } from "../../src/simulator/faults.ts";
import type { Simulator } from "../../src/simulator/server.ts";
import { KEYS } from "../helpers/openapi-client.ts";
import { simulatorsPerTest } from "./sim-server.ts";

const sim = simulatorsPerTest();

const pause = (s: Simulator, queue = "smartSearch") =>
  fetch(`${s.url}/api/queues/${queue}`, {
    method: "PUT",
    headers: { "x-api-key": KEYS.admin.key, "content-type": "application/json" },
    body: '{"isPaused":true}',
  });

describe("fault draws", () => {
  test("same seed, same sequence; another seed, another", () => {
    const fates = (seed: number) => {
      const f = new Faults(seed, { errorRate: 0.2, garbageRate: 0.1, htmlRate: 0.1, resetRate: 0.1 });
      return Array.from({ length: 200 }, () => f.draw());
    };
    expect(fates(9)).toEqual(fates(9));
    expect(fates(9)).not.toEqual(fates(10));
  });

  test("rates are honoured", () => {
    const f = new Faults(1, { errorRate: 0.3, resetRate: 0.05 });
    const n = 20_000;
    const tally: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const d = f.draw();
      tally[d] = (tally[d] ?? 0) + 1;
    }
    expect((tally.error ?? 0) / n).toBeCloseTo(0.3, 1);
    expect((tally.reset ?? 0) / n).toBeCloseTo(0.05, 1);
    expect(tally.garbage).toBeUndefined();
    expect(new Faults(1).draw()).toBe("none");
  });

  test("the same seed gives the same answers over HTTP", async () => {
    const statuses = async (s: Simulator) => {
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await fetch(`${s.url}/api/server/ping`)).status);
      return out;
    };
    const a = await statuses(await sim({ seed: 4, faults: { errorRate: 0.3 } }));
    const b = await statuses(await sim({ seed: 4, faults: { errorRate: 0.3 } }));
    expect(a).toEqual(b);
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(3);
  });
});

describe("fault modes", () => {
  test("error: a 500 with the profile's body, and the request did nothing", async () => {
    const s = await sim({ profile: "v2.7", faults: { errorRate: 1 } });
    const res = await pause(s);
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ message: "Internal server error", statusCode: 500, correlationId: expect.any(String) });
    expect(s.engine.get("smartSearch")?.isPaused).toBe(false);
  });

  test("garbage: 200 with truncated JSON, after the request took effect", async () => {
    const s = await sim({ faults: { garbageRate: 1 } });
    const res = await pause(s);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toStartWith('{"name":"smartSearch"');
    expect(s.engine.get("smartSearch")?.isPaused).toBe(true);
    // An answer without a body (204) is mangled too.
    const empty = await fetch(`${s.url}/api/queues/ocr/jobs`, { method: "DELETE", headers: { "x-api-key": KEYS.admin.key } });
    expect(empty.status).toBe(200);
    const emptyText = await empty.text();
    expect(() => JSON.parse(emptyText)).toThrow();
  });

  test("html: a web page with 200 instead of JSON; the request never reached Immich", async () => {
    const s = await sim({ faults: { htmlRate: 1 } });
    const res = await pause(s);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    expect(await res.text()).toStartWith("<!doctype html>");
    expect(s.engine.get("smartSearch")?.isPaused).toBe(false);
  });

  test("reset: the connection drops mid-answer", async () => {
    const s = await sim({ faults: { resetRate: 1 } });
    const err = await pause(s)
      .then((r) => r.text())
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
    expect(err?.code).toBe("ECONNRESET");
    // Only the control endpoint is spared.
    expect((await fetch(`${s.url}/__simulator/state`)).status).toBe(200);
  });

  test("partial: a queue list with queues left out, well formed; other requests answered as usual", async () => {
    const list = async (s: Simulator, path: string) => {
      const res = await fetch(`${s.url}/api/${path}`, { headers: { "x-api-key": KEYS.admin.key } });
      expect(res.status).toBe(200);
      return (await res.json()) as unknown;
    };
    const all = (await sim()).engine.list().length;
    // Half kept on average; never all of them in 20 lists, always valid JSON of the right shape.
    const s = await sim({ faults: { partialRate: 1 } });
    const sizes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const queues = (await list(s, "queues")) as { name: string }[];
      expect(Array.isArray(queues)).toBe(true);
      sizes.push(queues.length);
    }
    expect(Math.max(...sizes)).toBeLessThan(all);
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeGreaterThan(all * 0.25);
    // The legacy family's object loses keys the same way; partialKeep 0 empties it.
    const legacy = await sim({ profile: "v2.3", faults: { partialRate: 1, partialKeep: 0 } });
    expect(await list(legacy, "jobs")).toEqual({});
    // A command, or a single queue, is not a list: answered whole, and applied.
    expect((await pause(s)).status).toBe(200);
    expect(s.engine.get("smartSearch")?.isPaused).toBe(true);
    expect(((await list(s, "queues/smartSearch")) as { name: string }).name).toBe("smartSearch");
  });

  test("hiddenQueues: every queue list leaves them out, as a server lacking them would; commands still reach them", async () => {
    const s = await sim({ faults: { hiddenQueues: ["ocr", "library"] } });
    const res = await fetch(`${s.url}/api/queues`, { headers: { "x-api-key": KEYS.admin.key } });
    const names = ((await res.json()) as { name: string }[]).map((q) => q.name);
    expect(names).toEqual(s.engine.list().map((q) => q.name).filter((n) => n !== "ocr" && n !== "library"));
    expect((await pause(s, "ocr")).status).toBe(200);
    expect(s.engine.get("ocr")?.isPaused).toBe(true);
    const put = await fetch(`${s.url}/__simulator/faults`, { method: "PUT", body: '{"hiddenQueues":[]}' });
    expect(((await put.json()) as { hiddenQueues: string[] }).hiddenQueues).toEqual([]);
  });

  test("partial: which queues a list keeps never shifts the other faults' draws", () => {
    const fates = (partialKeep: number) => {
      const f = new Faults(3, { errorRate: 0.2, partialRate: 0.3, partialKeep });
      return Array.from({ length: 100 }, () => [f.draw(), f.keeps()]).map(([d]) => d);
    };
    expect(fates(0.1)).toEqual(fates(0.9));
    expect(fates(0.5)).toContain("partial");
  });

  test("latency: every /api answer waits, in real time", async () => {
    const s = await sim({ faults: { latencyMs: 60 } });
    const t0 = performance.now();
    expect((await fetch(`${s.url}/api/server/ping`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    // Control answers are never delayed.
    const t1 = performance.now();
    await fetch(`${s.url}/__simulator/faults`);
    expect(performance.now() - t1).toBeLessThan(55);
  });

  test("faults set and cleared at run time through the control endpoint", async () => {
    const s = await sim();
    const put = await fetch(`${s.url}/__simulator/faults`, { method: "PUT", body: '{"maintenance":true,"errorRate":0}' });
    expect(((await put.json()) as { maintenance: boolean }).maintenance).toBe(true);
    expect((await fetch(`${s.url}/api/jobs`, { headers: { "x-api-key": KEYS.admin.key } })).status).toBe(404);
    expect((await fetch(`${s.url}/api/server/version`)).status).toBe(200);
    await fetch(`${s.url}/__simulator/faults`, { method: "DELETE" });
    expect((await fetch(`${s.url}/api/jobs`, { headers: { "x-api-key": KEYS.admin.key } })).status).toBe(200);
  });
});

describe("restart", () => {
  test("503 for the outage (in simulated time), then answers again", async () => {
    const clock = new VirtualClock();
    const s = await sim({ clock });
    await pause(s, "thumbnailGeneration");
    await pause(s, "metadataExtraction");
    const res = await fetch(`${s.url}/__simulator/restart`, { method: "POST", body: '{"downMs":5000,"mode":"503"}' });
    expect(((await res.json()) as { downUntil: number }).downUntil).toBe(clock.now() + 5_000);
    const down = await fetch(`${s.url}/api/server/ping`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { message: string }).message).toBe("Service Unavailable");
    await clock.advance(5_000);
    expect((await fetch(`${s.url}/api/server/ping`)).status).toBe(200);
    expect(s.engine.get("metadataExtraction")?.isPaused).toBe(false);
    expect(s.engine.get("thumbnailGeneration")?.isPaused).toBe(true);
  });

  test("refuse: nothing listens during the outage, then the same port answers", async () => {
    const clock = new VirtualClock();
    const s = await sim({ clock });
    await pause(s, "smartSearch");
    s.restart({ downMs: 10_000, mode: "refuse" });
    const refused = await fetch(`${s.url}/api/server/ping`).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(refused?.code).toBe("ECONNREFUSED");
    await clock.advance(9_999);
    expect(await fetch(`${s.url}/api/server/ping`).then(() => "up", () => "down")).toBe("down");
    // The re-listen task wakes and finishes (it does not sleep again), so
    // VirtualClock.advance would wait its whole settle time: cap it.
    await clock.advance(1, 50);
    expect((await fetch(`${s.url}/api/server/ping`)).status).toBe(200);
    // The pause survived the restart.
    expect(s.engine.get("smartSearch")?.isPaused).toBe(true);
  });
});
