// The owner's controls end to end in one process: the status server's API
// over a real socket, the daemon's loop, the simulator over real HTTP, in
// virtual time (issue 18 items 1, 6). A hold pauses every managed queue
// gracefully and starts nothing, never touching an unmanaged queue; release
// and expiry give the schedule back; resume-all steps aside; run-missing
// reaches Immich as the legacy start with force:false; a restart keeps it all.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { ControlKeeper } from "../../src/daemon/control-keeper.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { type StatusHarness, startStatusHarness } from "./status-harness.ts";

setDefaultTimeout(30_000);

const TOKEN = "control-token-0123456789abcdef";
const MIN = 60_000;
let h: StatusHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function busy() {
  const hh = await startStatusHarness({ STATUS_ADDR: "0", CONTROL_TOKEN: TOKEN, TZ: "UTC" });
  hh.sim.engine.upload({ photos: 600, videos: 10 });
  for (let i = 0; i < 6; i++) await hh.advance(MIN);
  return hh;
}
/** POSTs an instruction, then waits (event-loop turns, bounded) for the cycle it woke the loop for to finish. */
async function post(hh: StatusHarness, path: string, body: unknown = {}): Promise<Response> {
  const before = hh.wiring.recorder.current.counters.cycles;
  const r = await fetch(hh.wiring.server!.url + path, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (r.ok) await cycled(hh, before);
  return r;
}
async function cycled(hh: StatusHarness, before: number): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (hh.wiring.recorder.current.counters.cycles === before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
}
const managedOnSim = (hh: StatusHarness) => DEFAULT_PRIORITY.map((q) => hh.sim.engine.get(q)).filter((q) => q !== undefined);

describe("the owner's controls against the simulator", () => {
  test("hold everything for 1 h: every managed queue paused gracefully, nothing starts, unmanaged untouched; release gives it back", async () => {
    h = await busy();
    const runningBefore = managedOnSim(h).filter((q) => !q.isPaused && q.counts.active > 0);
    expect(runningBefore.length).toBeGreaterThan(0);
    const r = await post(h, "/api/hold", { for: "1h" });
    expect(r.status).toBe(200);
    // The loop was woken: no poll interval to wait.
    expect(managedOnSim(h).filter((q) => !q.isPaused).map((q) => q.name)).toEqual([]);
    // Paused, not interrupted: the jobs that were running still are.
    expect(runningBefore.some((q) => h!.sim.engine.get(q.name)!.counts.active > 0)).toBe(true);
    expect(h.sim.engine.get("backgroundTask")!.isPaused).toBe(false);
    for (let i = 0; i < 30; i++) await h.advance(MIN);
    expect(managedOnSim(h).filter((q) => !q.isPaused).map((q) => q.name)).toEqual([]);
    expect(managedOnSim(h).every((q) => q.counts.active === 0)).toBe(true);
    const snap = h.wiring.recorder.current;
    expect(snap.control?.state.all?.channel).toBe("api");
    expect(snap.queues.filter((q) => q.pending > 0).every((q) => q.why?.code === "owner-hold")).toBe(true);

    expect((await post(h, "/api/release")).status).toBe(200);
    expect(managedOnSim(h).some((q) => !q.isPaused && q.counts.active + q.counts.waiting > 0)).toBe(true);
    expect(h.log.lines.some((l) => l.msg.includes("asked to release: every hold"))).toBe(true);
  });

  test("a hold runs out on its own at its time", async () => {
    h = await busy();
    await post(h, "/api/hold", { for: "30m" });
    await h.advance(29 * MIN);
    expect(managedOnSim(h).filter((q) => !q.isPaused)).toEqual([]);
    await h.advance(2 * MIN);
    expect(managedOnSim(h).some((q) => !q.isPaused)).toBe(true);
    expect(h.log.lines.some((l) => l.msg === "the hold on every managed queue ran out: back to the configured schedule")).toBe(true);
    expect(h.control.current).toEqual({});
  });

  test("hold one queue; a temporary N; both show in /api/status", async () => {
    h = await busy();
    expect((await post(h, "/api/hold", { for: "2h", queue: "thumbnailGeneration" })).status).toBe(200);
    expect((await post(h, "/api/n", { n: 3, for: "4h" })).status).toBe(200);
    for (let i = 0; i < 5; i++) await h.advance(MIN);
    expect(h.sim.engine.get("thumbnailGeneration")!.isPaused).toBe(true);
    const snap = h.wiring.recorder.current;
    expect(snap.slots.max).toBe(3);
    expect(snap.control?.state.n?.n).toBe(3);
    expect(snap.queues.filter((q) => q.occupiesSlot).length).toBeLessThanOrEqual(3);
  });

  test("resume-all: everything the daemon paused runs, and a queue a person pauses afterwards stays paused", async () => {
    h = await busy();
    expect(managedOnSim(h).some((q) => q.isPaused)).toBe(true);
    const r = await post(h, "/api/resume-all");
    expect(((await r.json()) as { code: string }).code).toBe("resume-all");
    expect(managedOnSim(h).filter((q) => q.isPaused)).toEqual([]);
    expect((await h.person("smartSearch", true)).status).toBe(200);
    for (let i = 0; i < 5; i++) await h.advance(MIN);
    expect(h.sim.engine.get("smartSearch")!.isPaused).toBe(true);
    expect(managedOnSim(h).filter((q) => q.isPaused).map((q) => q.name)).toEqual(["smartSearch"]);
  });

  test("run missing: Immich is asked with the legacy start, force:false, once the queue has no active job", async () => {
    h = await startStatusHarness({ STATUS_ADDR: "0", CONTROL_TOKEN: TOKEN, TZ: "UTC" });
    h.sim.engine.upload({ photos: 20 });
    for (let i = 0; i < 20; i++) await h.advance(MIN);
    const r = await post(h, "/api/missing", { queue: "thumbnailGeneration" });
    expect(r.status).toBe(200);
    expect(h.log.lines.some((l) => l.msg.startsWith("asked Immich to queue thumbnailGeneration's missing jobs"))).toBe(true);
    expect(h.control.current.missing).toBeUndefined();
    const bad = await post(h, "/api/missing", { queue: "integrityCheck" });
    expect(bad.status).toBe(400);
  });

  test("a restart keeps the instructions (the state file's control key)", async () => {
    h = await busy();
    await post(h, "/api/hold", { until: "23:00" });
    const saved = h.store.savedControl;
    expect(saved?.all?.until).toBe(Date.UTC(2026, 10, 28, 23, 0));
    const log = memoryLog();
    const again = new ControlKeeper({ store: h.store, log, managed: DEFAULT_PRIORITY, configuredN: 2, zone: "UTC" });
    expect(again.current.all?.until).toBe(Date.UTC(2026, 10, 28, 23, 0));
    expect(log.lines[0]!.msg).toContain("every managed queue held until Sat 23:00 (UTC)");
  });
});
