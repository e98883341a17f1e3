// Names from outside are data (issue 16 item 4), past the decision: the
// status snapshot, what /metrics and /api/status serve, and the notifier.
// A server reporting queues named `constructor`, `__proto__` or `toString`
// crashed the daemon ("The object can not be cloned") whenever STATUS_ADDR
// or NOTIFY_URL was set. A property over random observations with such names
// through the recorder, the endpoints and the event detector; then the
// daemon against the simulator over HTTP, the simulator reporting them.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import fc from "fast-check";
import { blockers } from "../../src/core/blockers.ts";
import { decide } from "../../src/core/decide.ts";
import { KNOWN_QUEUES } from "../../src/core/queues.ts";
import type { Observation } from "../../src/core/types.ts";
import { EventDetector } from "../../src/notify/events.ts";
import { compose, request } from "../../src/notify/notifier.ts";
import { createImmichClient } from "../../src/immich/index.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { createStatusHandler } from "../../src/status/http.ts";
import { StatusRecorder } from "../../src/status/recorder.ts";
import type { StatusSnapshot } from "../../src/status/snapshot.ts";
import { fuzzQueueNames, observationOf, PROTOTYPE_NAMES } from "../helpers/queue-arbitrary.ts";
import { startReceiver, until } from "../notify/receivers.ts";
import { type StatusHarness, startStatusHarness } from "./status-harness.ts";

setDefaultTimeout(30_000);
const NAMES = fuzzQueueNames(KNOWN_QUEUES);
const MINUTE = 60_000;

test("snapshot, /metrics, /api/status and notifications over observations naming queues constructor, __proto__, toString...: never a throw, every managed queue shown once", () => {
  const looks = fc.array(observationOf(NAMES), { minLength: 2, maxLength: 5 });
  fc.assert(
    fc.property(looks, fc.shuffledSubarray(NAMES, { minLength: 1 }), fc.subarray(NAMES), (observations, priority, closed) => {
      const clock = new VirtualClock(0);
      const recorder = new StatusRecorder({ clock, version: "1.0.0", immichUrl: "http://immich:2283", maxConcurrent: 2, pollIntervalMs: 10_000, dryRun: false, managed: priority });
      const detector = new EventDetector({ outageAfterMs: MINUTE, heldMinMs: 0, drainMinMs: 0 });
      const sent: unknown[] = [];
      recorder.subscribe((next, prev) => {
        const events = detector.next(prev, next);
        if (events.length > 0) sent.push(request({ kind: "ntfy", url: "http://ntfy/t", label: "ntfy" }, compose(events), { version: "1", immichUrl: "x" }));
      });
      const handler = createStatusHandler({ snapshot: () => recorder.current, now: () => clock.now(), page: "" });
      let ownership = { pausedByUs: [] as string[], runningByUs: [] as string[], held: [] as string[] };
      const windows = closed.map((queue) => ({ queue, window: "22:00-06:00", zone: "UTC", open: false }));
      for (const [i, o] of observations.entries()) {
        const at = (i + 1) * MINUTE;
        clock.set(at);
        const observation: Observation = { ...o, at };
        const gates = { windows: i % 2 ? windows : windows.map((w) => ({ ...w, open: true })), ml: { up: i % 2 === 0, since: at, urls: ["http://ml"] } };
        const decision = decide({ observation, policy: { maxConcurrent: 2, priority }, ownership, blockers: blockers(gates, priority) });
        ownership = decision.ownership;
        recorder.cycle({ startedAt: at, result: { ok: true, observation, decision, results: decision.actions.map((action) => ({ action, ok: true })) }, health: { state: "ok", since: 0, failures: 0 }, gates });
        const snap = JSON.parse(JSON.stringify(recorder.current)) as StatusSnapshot;
        const managed = observation.queues.filter((q) => priority.includes(q.name)).map((q) => q.name);
        expect(snap.queues.map((q) => q.name).sort()).toEqual(managed.sort());
        expect(snap.lastDecision?.queues.map((q) => q.name)).toEqual(observation.queues.map((q) => q.name));
        for (const v of snap.lastDecision!.queues) if (v.blocks !== undefined) expect(Array.isArray(v.blocks)).toBe(true);
        const metrics = handler(new Request("http://s/metrics"));
        expect(metrics.status).toBe(200);
        expect(handler(new Request("http://s/api/status")).status).toBe(200);
      }
      for (const m of sent) expect(() => structuredClone(m)).not.toThrow();
    }),
    { numRuns: 300 },
  );
});

let h: StatusHarness | undefined;
const stops: (() => void)[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const s of stops.splice(0)) s();
});

test("the simulator reports queues named constructor, __proto__, toString...; with STATUS_ADDR and NOTIFY_URL set the daemon manages the ones it is told to, leaves the others alone, and shows and announces them", async () => {
  const r = startReceiver();
  stops.push(r.stop);
  const managed = ["constructor", "valueOf", "toString"];
  h = await startStatusHarness(
    { NOTIFY_URL: `json+${r.url}/hook`, MAX_CONCURRENT_JOBS: "1", MANAGED_QUEUES: ["sidecar", ...managed].join(","), WINDOWS: "valueOf=Mon 03:00-03:01" },
    { extraQueues: PROTOTYPE_NAMES },
  );
  for (const q of PROTOTYPE_NAMES) h.sim.engine.enqueue(q, 100, { durationMs: 30_000 });
  await h.advance(MINUTE);
  const snap = JSON.parse(await h.get("/api/status").text()) as StatusSnapshot;
  expect(h.wiring.recorder.current.health.state).toBe("ok");
  expect(snap.queues.map((q) => q.name)).toEqual(["sidecar", ...managed]);
  expect(snap.queues.find((q) => q.name === "valueOf")?.window?.open).toBe(false);
  expect(snap.queues.find((q) => q.name === "valueOf")?.waitsBecause).toContain("window");
  expect(snap.queues.filter((q) => q.state === "running").map((q) => q.name)).toEqual(["constructor"]);
  const metrics = await h.get("/metrics").text();
  for (const q of managed) expect(metrics).toContain(`queue="${q}"`);
  // The daemon touched only what it manages; the other odd names run as the server left them.
  const touched = new Set(h.sim.engine.recording().pauseChanges.filter((c) => c.actor === "daemon").map((c) => c.queue));
  for (const q of PROTOTYPE_NAMES.filter((x) => !managed.includes(x))) expect(touched.has(q)).toBe(false);
  expect(touched.has("constructor")).toBe(true);
  // A person pauses `constructor` and leaves it paused: held, announced by name.
  expect((await h.person("constructor", true)).status).toBe(200);
  await h.advance(7 * MINUTE);
  await until(() => r.received.length > 0, "the held message");
  const body = JSON.parse(r.received[0]!.body) as { events: { kind: string; queues?: string[] }[] };
  expect(body.events).toContainEqual(expect.objectContaining({ kind: "held", queues: ["constructor"] }));
  expect(h.wiring.recorder.current.queues.find((q) => q.name === "constructor")?.state).toBe("held");
  expect(h.log.lines.filter((l) => l.level === "error")).toEqual([]);
});

test.each(["v2.3", "v3.1"] as const)("the client on %s (before v2.4 it reads /api/jobs, an object keyed by queue name): such queues are observed and paused like any other", async (profile) => {
  const clock = new VirtualClock();
  const key = "names-key-0123456789abcdef";
  const sim = await startSimulator({ profile, clock, keys: [{ key, label: "daemon", admin: true, scopes: ["all"] }], extraQueues: PROTOTYPE_NAMES });
  try {
    const client = createImmichClient({ baseUrl: sim.url, apiKey: key, fetch, clock, timeoutMs: 5_000 });
    const signal = new AbortController().signal;
    await client.connect(signal);
    const names = (await client.observe(signal)).queues.map((q) => q.name);
    for (const q of PROTOTYPE_NAMES) expect(names).toContain(q);
    for (const q of ["constructor", "__proto__"]) await client.setPaused(q, true, signal);
    const paused = (await client.observe(signal)).queues.filter((q) => q.isPaused).map((q) => q.name);
    expect(paused).toEqual(expect.arrayContaining(["constructor", "__proto__"]));
    expect(paused.filter((q) => (PROTOTYPE_NAMES as readonly string[]).includes(q)).sort()).toEqual(["__proto__", "constructor"]);
  } finally {
    await sim.stop();
  }
});
