// Whether the storage template is off, as the daemon reads it (daemon/
// pass-through-watch.ts): the real client over HTTP against the simulator's
// GET /api/system-config, in virtual time. When it reads (start-up; while the
// storage-template queue has work, every REFRESH_MS; idle, every
// IDLE_REFRESH_MS), what it says, and a key without systemConfig.read.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STORAGE_TEMPLATE_QUEUE } from "../../src/core/pass-through.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import type { Observation } from "../../src/core/types.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { IDLE_REFRESH_MS, PassThroughWatch, REFRESH_MS } from "../../src/daemon/pass-through-watch.ts";
import { createImmichClient } from "../../src/immich/index.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";

const ALL = "pass-through-all-key-01";
const QUEUES_ONLY = "pass-through-queues-key-01";
let sim: Simulator;
const clock = new VirtualClock(Date.UTC(2026, 11, 6, 12));
beforeAll(async () => {
  sim = await startSimulator({
    profile: "v3.1",
    clock,
    keys: [
      { key: ALL, label: "daemon", admin: true, scopes: ["all"] },
      { key: QUEUES_ONLY, label: "queues", admin: true, scopes: ["queue.read", "queue.update"] },
    ],
  });
});
afterAll(() => sim.stop());

function watch(key: string, managed: readonly string[] = DEFAULT_PRIORITY) {
  let requests = 0;
  const counting = ((input: string | URL | Request, init?: RequestInit) => {
    requests++;
    return fetch(input, init);
  }) as typeof fetch;
  const client = createImmichClient({ baseUrl: sim.url, apiKey: key, fetch: counting, clock, timeoutMs: 5_000 });
  const log = memoryLog();
  return { w: new PassThroughWatch({ client, clock, log, managed }), log, requests: () => requests };
}

/** An observation with the storage-template queue busy or idle. */
const look = (busy: boolean): Observation => ({
  at: clock.now(),
  api: "queues",
  queues: [{ name: STORAGE_TEMPLATE_QUEUE, isPaused: false, active: busy ? 1 : 0, waiting: busy ? 3 : 0, paused: 0, delayed: 0, completed: 0, failed: 0 }],
});

describe("reading whether the storage template is off", () => {
  test("Immich's default (off): the queue passes through, said once; read again only when due", async () => {
    sim.engine.setStorageTemplate(false);
    const { w, log, requests } = watch(ALL);
    await w.refresh(undefined);
    expect(w.queues).toEqual([STORAGE_TEMPLATE_QUEUE]);
    expect(w.storageTemplateEnabled).toBe(false);
    expect(log.lines.map((l) => l.msg)).toEqual([expect.stringContaining("the storage template is off: Immich skips storageTemplateMigration's jobs at once")]);
    expect(requests()).toBe(1);

    // Busy, but the reading is fresh: no request. Idle for less than IDLE_REFRESH_MS: none.
    clock.advance(REFRESH_MS - 1);
    await w.refresh(look(true));
    clock.advance(IDLE_REFRESH_MS - REFRESH_MS - 1);
    await w.refresh(look(false));
    expect(requests()).toBe(1);
    // Busy and REFRESH_MS old: read again; the same setting says nothing more.
    clock.advance(REFRESH_MS);
    await w.refresh(look(true));
    expect(requests()).toBe(2);
    expect(log.lines).toHaveLength(1);
  });

  test("turned on while the daemon runs: seen at the next read while the queue has work, said once; it is a stage again", async () => {
    sim.engine.setStorageTemplate(false);
    const { w, log } = watch(ALL);
    await w.refresh(undefined);
    sim.engine.setStorageTemplate(true);
    clock.advance(REFRESH_MS);
    await w.refresh(look(true));
    expect(w.queues).toEqual([]);
    expect(log.lines.at(-1)!.msg).toContain("the storage template is now on: storageTemplateMigration moves files, so it takes a slot like any stage");
    sim.engine.setStorageTemplate(false);
  });

  test("idle: read again after IDLE_REFRESH_MS, so a change made meanwhile is known before work comes", async () => {
    sim.engine.setStorageTemplate(true);
    const { w } = watch(ALL);
    await w.refresh(undefined);
    expect(w.queues).toEqual([]);
    sim.engine.setStorageTemplate(false);
    clock.advance(IDLE_REFRESH_MS);
    await w.refresh(look(false));
    expect(w.queues).toEqual([STORAGE_TEMPLATE_QUEUE]);
  });

  test("a key without systemConfig.read: one line naming the permission and what it costs; a stage of its own; never asked again", async () => {
    sim.engine.setStorageTemplate(false);
    const { w, log, requests } = watch(QUEUES_ONLY);
    await w.refresh(undefined);
    expect(w.queues).toEqual([]);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]!.msg).toContain("storageTemplateMigration counts as a pipeline stage of its own: the API key lacks systemConfig.read, so the daemon cannot see whether the storage template is off");
    expect(log.lines[0]!.msg).toContain("Grant the key systemConfig.read");
    const before = requests();
    clock.advance(IDLE_REFRESH_MS * 2);
    await w.refresh(look(true));
    expect(requests()).toBe(before);
  });

  test("the queue not managed: nothing is read", async () => {
    const { w, requests } = watch(ALL, DEFAULT_PRIORITY.filter((q) => q !== STORAGE_TEMPLATE_QUEUE));
    await w.refresh(undefined);
    expect(requests()).toBe(0);
    expect(w.queues).toEqual([]);
  });

  test("a failed read keeps what was known", async () => {
    sim.engine.setStorageTemplate(false);
    const { w } = watch(ALL);
    await w.refresh(undefined);
    sim.faults.set({ errorRate: 1 });
    clock.advance(REFRESH_MS);
    await w.refresh(look(true));
    sim.faults.set({ errorRate: 0 });
    expect(w.queues).toEqual([STORAGE_TEMPLATE_QUEUE]);
  });
});
