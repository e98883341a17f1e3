// The simulator's machine-learning service (DESIGN.md §2 rule 13): its own
// /ping answers pong; switched off through the control endpoint it refuses
// connections, and the ML queues' jobs fail as Immich's do: dropped (no next
// step, counted in the recording's failedJobs), with the API's `failed` at 0.
import { afterEach, expect, test } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import { startSimulator, type Simulator } from "../../src/simulator/server.ts";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const ping = async (url: string) => {
  try {
    const r = await fetch(`${url}/ping`);
    return `${r.status} ${await r.text()}`;
  } catch {
    return "refused";
  }
};

test("pong while on; refused while off; ML jobs then fail fast and are dropped; on again, they succeed", async () => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 9, 12));
  sim = await startSimulator({ clock, mlPort: 0, engine: { jitter: 0 } });
  const ml = sim.ml!;
  expect(await ping(ml.url)).toBe("200 pong");
  const control = (method: string, body?: unknown) =>
    fetch(`${sim!.url}/__simulator/ml`, { method, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  expect((await control("GET")).body).toMatchObject({ url: ml.url, up: true });
  const state = (await (await fetch(`${sim.url}/__simulator/state`)).json()) as { ml: unknown };
  expect(state.ml).toEqual({ url: ml.url, up: true });

  expect((await control("PUT", { up: false })).body).toMatchObject({ up: false });
  expect(await ping(ml.url)).toBe("refused");
  sim.engine.upload({ photos: 4 });
  clock.set(clock.now() + 120_000);
  const rec = sim.engine.recording();
  // Thumbnails are made; every smartSearch, faceDetection and ocr job failed and was dropped.
  expect(rec.completedJobs.thumbnailGeneration).toBe(4);
  expect(rec.failedJobs).toMatchObject({ smartSearch: 4, faceDetection: 4, ocr: 4 });
  expect(rec.completedJobs.smartSearch).toBe(0);
  expect(rec.completedJobs.duplicateDetection).toBe(0); // never queued: the chain stopped
  expect(rec.uploads.every((u) => u.doneAt === undefined)).toBe(true);
  // Immich catches the handler's error: the API's failed count stays 0.
  expect(sim.engine.list().every((q) => q.counts.failed === 0 && q.counts.active === 0 && q.counts.waiting === 0)).toBe(true);
  expect((await control("GET")).body.failedJobs).toMatchObject({ smartSearch: 4 });

  expect((await control("PUT", { up: true })).body).toMatchObject({ up: true });
  expect(await ping(ml.url)).toBe("200 pong");
  sim.engine.upload({ photos: 2 });
  clock.set(clock.now() + 120_000);
  const after = sim.engine.recording();
  expect(after.completedJobs).toMatchObject({ smartSearch: 2, faceDetection: 2, ocr: 2, duplicateDetection: 2 });
  expect(after.failedJobs.smartSearch).toBe(4);
  expect((await control("PUT", { up: "no" })).status).toBe(400);
});

test("a job running when the service goes away fails at its end", async () => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 9, 12));
  sim = await startSimulator({ clock, mlPort: 0, engine: { jitter: 0 } });
  sim.engine.addExisting({ photos: 2, queues: ["smartSearch"] });
  clock.set(clock.now() + 1_000); // both started (concurrency 2), 3 s each
  expect(sim.engine.get("smartSearch")!.counts.active).toBe(2);
  sim.ml!.setUp(false);
  clock.set(clock.now() + 5_000);
  expect(sim.engine.recording().failedJobs.smartSearch).toBe(2);
});

test("without --ml-port the control route says how to get one", async () => {
  sim = await startSimulator({ clock: new VirtualClock() });
  const r = await fetch(`${sim.url}/__simulator/ml`);
  expect(r.status).toBe(404);
  expect(((await r.json()) as { message: string }).message).toContain("--ml-port");
});
