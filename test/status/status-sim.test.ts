// The status endpoints of a daemon running against the simulator over real
// HTTP, in virtual time, asked through the status handler in process: what
// /api/status, /metrics, /healthz and /readyz say as the daemon works, and
// that no answer ever holds the API key.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import parse, { type ParsedFamily } from "parse-prometheus-text-format";
import type { StatusSnapshot } from "../../src/status/snapshot.ts";
import { KEY, type StatusHarness, startStatusHarness } from "./status-harness.ts";

let h: StatusHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const MINUTE = 60_000;
const status = async (hh: StatusHarness) => (await hh.get("/api/status").json()) as StatusSnapshot & { now: number };
const metrics = async (hh: StatusHarness) => parse(await hh.get("/metrics").text());
const family = (fs: ParsedFamily[], name: string) => {
  const f = fs.find((x) => x.name === `immich_job_daemon_${name}`);
  if (!f) throw new Error(`no metric ${name}`);
  return f;
};
const value = (fs: ParsedFamily[], name: string, labels: Record<string, string> = {}) => {
  const m = family(fs, name).metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return m === undefined ? undefined : Number(m.value);
};

describe("the status endpoints of a working daemon", () => {
  test("/api/status shows the last observation, the decision with its reasons, the slots and every managed queue", async () => {
    h = await startStatusHarness();
    h.sim.engine.upload({ photos: 100, videos: 4 });
    await h.advance(3 * MINUTE);
    const s = await status(h);
    expect(s.slots).toEqual({ used: 2, max: 2 });
    expect(s.health).toMatchObject({ state: "ok", ready: true, failures: 0 });
    expect(s.server).toEqual({ version: "3.1.0", api: "queues" });
    expect(s.lastObservation!.queues.length).toBe(h.sim.engine.list().length);
    expect(s.lastDecision!.queues.length).toBeGreaterThan(0);
    expect(s.queues.map((q: { name: string }) => q.name)).toEqual(s.config.managed.filter((n: string) => h!.sim.engine.get(n)));
    const running = s.queues.filter((q: { state: string }) => q.state === "running");
    expect(running.length).toBeGreaterThan(0);
    // What the daemon sent, with its reason, is on the queue it concerns.
    const resumed = s.queues.find((q: { lastAction?: { kind: string } }) => q.lastAction?.kind === "resume");
    expect(resumed!.lastAction).toMatchObject({ reason: "fill-slot", ok: true });
    expect(resumed!.lastAction!.detail).toContain("free slot");
    // Every queue with pending work that is not running says why.
    const waiting = s.queues.filter((q) => q.state === "waiting");
    expect(waiting.length).toBeGreaterThan(0);
    for (const q of waiting) expect(q.waitsBecause).toMatch(/^its turn: 2 of 2 slots in use \(/);
    // The timeline has bars where queues were active, and the daemon's marks.
    expect(s.timeline.queues.some((q: { spans: unknown[] }) => q.spans.length > 0)).toBe(true);
    expect(s.timeline.marks.some((m: { kind: string }) => m.kind === "resume")).toBe(true);
  });

  test("/metrics parses as the Prometheus text format and agrees with the simulator and the daemon", async () => {
    h = await startStatusHarness();
    h.sim.engine.upload({ photos: 200 });
    await h.advance(90_000);
    const res = h.get("/metrics");
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const fs = await metrics(h);
    const expected: [string, ParsedFamily["type"]][] = [
      ["build_info", "GAUGE"], ["start_time_seconds", "GAUGE"], ["up", "GAUGE"], ["last_successful_observation_timestamp_seconds", "GAUGE"],
      ["consecutive_failures", "GAUGE"], ["cycles_total", "COUNTER"], ["cycle_duration_seconds", "HISTOGRAM"], ["actions_total", "COUNTER"],
      ["api_errors_total", "COUNTER"], ["eta_seconds", "GAUGE"], ["window_open", "GAUGE"], ["ml_up", "GAUGE"], ["host_pressure_high", "GAUGE"], ["owner_hold_until_seconds", "GAUGE"], ["slots_used", "GAUGE"], ["slots_max", "GAUGE"],
      ["slots_min", "GAUGE"], ["slots_range_max", "GAUGE"], ["host_pressure_percent", "GAUGE"], ["host_pressure_target_percent", "GAUGE"], ["pressure_source_up", "GAUGE"],
      ["cap_changes_total", "COUNTER"], ["queue_concurrency", "GAUGE"], ["queue_owner_concurrency", "GAUGE"], ["queue_active_jobs", "GAUGE"], ["queue_pending_jobs", "GAUGE"],
      ["queue_delayed_jobs", "GAUGE"], ["queue_paused", "GAUGE"], ["queue_managed", "GAUGE"], ["queue_held", "GAUGE"], ["queue_occupies_slot", "GAUGE"],
      ["queue_eta_seconds", "GAUGE"],
    ];
    expect(fs.map((f) => [f.name.replace("immich_job_daemon_", ""), f.type])).toEqual(expected);

    const snap = h.wiring.recorder.current;
    expect(value(fs, "slots_max")).toBe(2);
    expect(value(fs, "slots_used")).toBe(snap.slots.used);
    expect(value(fs, "up")).toBe(1);
    expect(value(fs, "cycles_total")).toBe(snap.counters.cycles);
    expect(value(fs, "last_successful_observation_timestamp_seconds")).toBe(snap.lastSuccessAt! / 1000);
    expect(family(fs, "build_info").metrics[0]!.labels).toMatchObject({ immich_version: "3.1.0", api: "queues" });
    // Per queue, the numbers are the ones the server gave in the last look.
    for (const q of snap.lastObservation!.queues) {
      expect(value(fs, "queue_active_jobs", { queue: q.name })).toBe(q.active);
      expect(value(fs, "queue_pending_jobs", { queue: q.name })).toBe(q.waiting + q.paused);
      expect(value(fs, "queue_paused", { queue: q.name })).toBe(q.isPaused ? 1 : 0);
    }
    expect(value(fs, "queue_managed", { queue: "backgroundTask" })).toBe(0);
    expect(value(fs, "queue_managed", { queue: "thumbnailGeneration" })).toBe(1);
    // Counted actions match what the simulator recorded the daemon doing.
    const sent = h.sim.engine.recording().pauseChanges.filter((c) => c.actor === "daemon");
    const counted = family(fs, "actions_total").metrics.reduce((a, m) => a + Number(m.value), 0);
    expect(counted).toBe(sent.length);
    // ETAs: per queue where measured, and overall, as the daemon estimated them.
    expect(snap.etas).toBeDefined();
    for (const q of snap.queues) expect(value(fs, "queue_eta_seconds", { queue: q.name })).toBe(q.etaSeconds);
    expect(snap.queues.some((q) => q.etaSeconds !== undefined)).toBe(true);
    expect(value(fs, "eta_seconds")).toBe(snap.etas!.overallSeconds ?? undefined);
    const hist = family(fs, "cycle_duration_seconds").metrics[0]!;
    expect(Number(hist.count)).toBe(snap.counters.cycles);
    expect(hist.buckets?.["+Inf"]).toBe(hist.count);
  });

  test("the storage template off: storageTemplateMigration passes through, takes no slot, in the JSON and the metrics, while uploads flow", async () => {
    h = await startStatusHarness({}, { passThrough: true });
    h.sim.engine.upload({ photos: 200 });
    await h.advance(20_000);
    const s = await status(h);
    const q = s.queues.find((x: { name: string }) => x.name === "storageTemplateMigration");
    expect(q).toMatchObject({ state: "pass-through", isPaused: false, occupiesSlot: false });
    expect(s.slots.used).toBe(s.queues.filter((x) => x.occupiesSlot).length);
    expect(s.slots.used).toBeLessThanOrEqual(2);
    expect(s.lastDecision!.queues.find((v) => v.name === "storageTemplateMigration")).toMatchObject({ passThrough: true, occupiesSlot: false });
    expect(value(await metrics(h), "queue_occupies_slot", { queue: "storageTemplateMigration" })).toBe(0);
  });

  test("a person's pause shows as held, with why it waits, in the JSON and the metrics", async () => {
    h = await startStatusHarness();
    h.sim.engine.upload({ photos: 40 });
    await h.advance(20_000);
    expect((await h.person("metadataExtraction", true)).status).toBe(200);
    await h.advance(20_000);
    const s = await status(h);
    const q = s.queues.find((x: { name: string }) => x.name === "metadataExtraction");
    expect(q).toMatchObject({ state: "held", held: true, isPaused: true });
    expect(q!.waitsBecause).toContain("paused by someone else");
    expect(s.timeline.marks.some((m: { kind: string; queue: string }) => m.kind === "held" && m.queue === "metadataExtraction")).toBe(true);
    expect(value(await metrics(h), "queue_held", { queue: "metadataExtraction" })).toBe(1);
  });

  test("a closed time window: the queue says it waits for its window and when it opens; /api/status carries the windows", async () => {
    // The harness starts at 12:00 UTC: thumbnailGeneration may only run at night.
    h = await startStatusHarness({ WINDOWS: "thumbnailGeneration=22:00-06:00", TZ: "UTC" });
    h.sim.engine.enqueue("thumbnailGeneration", 500);
    await h.advance(20_000);
    const s = await status(h);
    const q = s.queues.find((x) => x.name === "thumbnailGeneration")!;
    expect(q.state).toBe("waiting");
    expect(q.waitsBecause).toBe("outside its window 22:00-06:00 (UTC); it opens Sat 22:00");
    expect(q.window).toMatchObject({ window: "22:00-06:00", open: false, nextChange: "Sat 22:00" });
    expect(s.windows).toEqual([expect.objectContaining({ queue: "thumbnailGeneration", open: false })]);
    expect(value(await metrics(h), "window_open", { queue: "thumbnailGeneration", window: "22:00-06:00" })).toBe(0);
  });

  test("the machine-learning service gone: /api/status and /metrics say so, and the ML queues say why they wait", async () => {
    h = await startStatusHarness({}, { ml: true });
    expect(value(await metrics(h), "ml_up")).toBe(1);
    h.sim.ml!.setUp(false);
    h.sim.engine.enqueue("smartSearch", 300);
    await h.advance(30_000);
    const s = await status(h);
    expect(s.gates?.ml).toMatchObject({ up: false, urls: [h.sim.ml!.url] });
    const q = s.queues.find((x) => x.name === "smartSearch")!;
    expect(q.state).toBe("waiting");
    expect(q.waitsBecause).toContain("the machine-learning service does not answer");
    expect(value(await metrics(h), "ml_up")).toBe(0);
    h.sim.ml!.setUp(true);
    await h.advance(30_000);
    expect((await status(h)).gates?.ml?.up).toBe(true);
  });

  test("host pressure over MAX_PRESSURE: /api/status and /metrics say so, and the waiting queues say why", async () => {
    const proc = mkdtempSync(join(tmpdir(), "ijd-proc-"));
    mkdirSync(join(proc, "pressure"));
    const cpu = (avg10: number) => writeFileSync(join(proc, "pressure", "cpu"), `some avg10=${avg10.toFixed(2)} avg60=1.00 avg300=1.00 total=1\n`);
    cpu(5);
    h = await startStatusHarness({ MAX_PRESSURE: "cpu=50" }, { procRoot: proc });
    expect(value(await metrics(h), "host_pressure_high")).toBe(0);
    cpu(90);
    h.sim.engine.enqueue("thumbnailGeneration", 200);
    await h.advance(30_000);
    const s = await status(h);
    expect(s.gates?.pressure).toEqual([{ resource: "cpu", value: 90, limit: 50 }]);
    expect(s.queues.find((q) => q.name === "thumbnailGeneration")!.waitsBecause).toContain("the host is under pressure (cpu 90.0 % > 50 %");
    expect(value(await metrics(h), "host_pressure_high")).toBe(1);
  });

  test("an outage: /readyz and up go to not ready, errors are counted by kind, /healthz stays ok while the loop runs", async () => {
    h = await startStatusHarness();
    expect(h.get("/readyz").status).toBe(200);
    h.sim.faults.set({ errorRate: 1 });
    await h.advance(30_000);
    const ready = h.get("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain("the last look at Immich failed (server-error)");
    const fs = await metrics(h);
    expect(value(fs, "up")).toBe(0);
    expect(value(fs, "api_errors_total", { kind: "server-error" })).toBeGreaterThanOrEqual(2);
    expect(value(fs, "consecutive_failures")).toBeGreaterThanOrEqual(2);
    const alive = h.get("/healthz");
    expect(alive.status).toBe(200);
    expect(await alive.text()).toContain("Immich not answering");
    h.sim.faults.clear();
    await h.advance(2 * MINUTE);
    expect(h.get("/readyz").status).toBe(200);
  });

  test("/healthz turns 503 once the loop stops reporting in for a few poll intervals", async () => {
    h = await startStatusHarness();
    expect(h.get("/healthz").status).toBe(200);
    // Stop the loop but keep the recorder: its last report ages with the clock.
    const snap = h.wiring.recorder.current;
    const t = h;
    h = undefined;
    await t.stop();
    t.clock.set(snap.health.staleAt - 1);
    expect(t.get("/healthz").status).toBe(200);
    t.clock.set(snap.health.staleAt + 1);
    const res = t.get("/healthz");
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/^unhealthy: the loop last reported \d+ s ago; it is stuck or stopped/);
  });

  test("no endpoint ever shows the API key", async () => {
    h = await startStatusHarness();
    h.sim.engine.upload({ photos: 5 });
    await h.advance(20_000);
    for (const path of ["/", "/healthz", "/readyz", "/metrics", "/api/status"]) {
      const body = await h.get(path).text();
      expect(body.length).toBeGreaterThan(0);
      expect(body).not.toContain(KEY);
      expect(body).not.toContain(KEY.slice(0, 12));
    }
  });
});

describe("what the status handler answers", () => {
  test("GET and HEAD only; unknown paths 404; a body or a long target is refused", async () => {
    h = await startStatusHarness();
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const res = h.get("/metrics", { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    }
    const head = h.get("/metrics", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(h.get("/nope").status).toBe(404);
    expect(h.get(`/metrics?${"x".repeat(3000)}`).status).toBe(414);
    expect(h.get("/metrics", { method: "GET", headers: { "content-length": "5" } }).status).toBe(413);
    // A trailing slash is the same page (a reverse proxy may add one).
    expect(h.get("/healthz/").status).toBe(200);
    const page = h.get("/");
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});
