// Notifications from a daemon working on the simulator over real HTTP, in
// virtual time, to local receivers: what needs a person is said once (an
// outage and its end, a person's pause, a finished backlog), never one
// message per pause or resume; pauses close together are one message; and a
// hanging receiver never slows the loop.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { systemClock } from "../../src/shared/clock.ts";
import { type StatusHarness, startStatusHarness } from "../status/status-harness.ts";
import { type Receiver, startHangingReceiver, startReceiver, until } from "./receivers.ts";

// The last test runs in real time (a batch waits 3 s).
setDefaultTimeout(30_000);

let h: StatusHarness | undefined;
const stops: (() => void)[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const s of stops.splice(0)) s();
});

const MINUTE = 60_000;
const receiver = () => {
  const r = startReceiver();
  stops.push(r.stop);
  return r;
};
const bodies = (r: Receiver) => r.received.map((m) => JSON.parse(m.body) as { title: string; message: string; events: { kind: string; queues?: string[]; durationSeconds?: number }[] });
const kinds = (r: Receiver) => bodies(r).flatMap((b) => b.events.map((e) => e.kind));

describe("notifications from a working daemon", () => {
  test("two queues a person pauses at once and leaves paused are one message naming both; a pause undone within minutes and the daemon's own pauses and resumes are none", async () => {
    const r = receiver();
    h = await startStatusHarness({ NOTIFY_URL: `json+${r.url}/hook` });
    h.sim.engine.upload({ photos: 2_000, videos: 4 });
    await h.advance(2 * MINUTE);
    const running = h.wiring.recorder.current.queues.filter((q) => q.state === "running").map((q) => q.name);
    expect(running).toHaveLength(2);
    // Paused and resumed again within minutes (as immich-go does around an upload): no news.
    expect((await h.person(running[0]!, true)).status).toBe(200);
    await h.advance(2 * MINUTE);
    expect((await h.person(running[0]!, false)).status).toBe(200);
    await h.advance(6 * MINUTE);
    expect(r.received).toEqual([]);
    const now = h.wiring.recorder.current.queues.filter((q) => q.state === "running").map((q) => q.name);
    for (const q of now) expect((await h.person(q, true)).status).toBe(200);
    await h.advance(4 * MINUTE);
    expect(r.received).toEqual([]);
    await h.advance(2 * MINUTE);
    await until(() => r.received.length === 1, "the held message");
    expect(bodies(r)[0]!.events).toEqual([expect.objectContaining({ kind: "held", queues: now })]);
    expect(bodies(r)[0]!.message).toContain(`${now[0]} and ${now[1]} were paused by someone else 5 min ago or more`);
    // Minutes of the daemon pausing and resuming: no further message.
    expect(h.sim.engine.recording().pauseChanges.filter((c) => c.actor === "daemon").length).toBeGreaterThan(5);
    await h.advance(5 * MINUTE);
    expect(r.received).toHaveLength(1);
  });

  test("an outage longer than NOTIFY_OUTAGE_AFTER is one message, its end another with how long it took; a short one is none", async () => {
    const r = receiver();
    h = await startStatusHarness({ NOTIFY_URL: `${r.url}/immich`, NOTIFY_OUTAGE_AFTER: "2m" });
    h.sim.faults.set({ errorRate: 1 });
    await h.advance(MINUTE);
    h.sim.faults.clear();
    await h.advance(MINUTE);
    expect(r.received).toEqual([]);

    h.sim.faults.set({ errorRate: 1 });
    await h.advance(5 * MINUTE);
    await until(() => r.received.length === 1, "the outage message");
    expect(r.received[0]!.headers.title).toBe("immich-job-daemon: Immich is not answering");
    expect(r.received[0]!.body).toMatch(/^Immich has not answered for 2 min( \d+ s)? \(server-error, \d+ failed polls\); the daemon takes no action until it does\.$/);
    h.sim.faults.clear();
    await h.advance(MINUTE);
    await until(() => r.received.length === 2, "the recovery message");
    expect(r.received[1]!.body).toMatch(/^Immich answers again after [45] min( \d+ s)?\.$/);
    expect(r.received[1]!.headers.tags).toBe("white_check_mark,immich-up");
  });

  test("the machine-learning service gone and back: one message each; a window closing: one message for its queues", async () => {
    const r = receiver();
    // The harness starts at 12:00 UTC; the window closes at 12:05.
    h = await startStatusHarness({ NOTIFY_URL: `json+${r.url}/hook`, WINDOWS: "smartSearch,ocr=06:00-12:05", TZ: "UTC" }, { ml: true });
    h.sim.ml!.setUp(false);
    await h.advance(30_000);
    await until(() => r.received.length === 1, "the ML message");
    expect(bodies(r)[0]!.events.map((e) => e.kind)).toEqual(["ml-down"]);
    h.sim.ml!.setUp(true);
    await h.advance(30_000);
    await until(() => r.received.length === 2, "the ML-back message");
    expect(bodies(r)[1]!.message).toMatch(/^The machine-learning service answers again after \d+ s; its queues may run\.$/);
    await h.advance(5 * MINUTE);
    await until(() => r.received.length === 3, "the window message");
    expect(bodies(r)[2]!.events).toEqual([expect.objectContaining({ kind: "window-closed", queues: ["smartSearch", "ocr"] })]);
    expect(bodies(r)[2]!.message).toBe("Window 06:00-12:05 (UTC) closed for smartSearch and ocr; it opens again Sun 06:00.");
  });

  test("a backlog that ran for a while: one message when every managed queue is done, saying how long it took", async () => {
    const r = receiver();
    h = await startStatusHarness({ NOTIFY_URL: `json+${r.url}/hook`, MAX_CONCURRENT_JOBS: "1" });
    h.sim.engine.upload({ photos: 150, videos: 3 });
    for (let i = 0; i < 36 && kinds(r).length === 0; i++) await h.advance(5 * MINUTE);
    await until(() => r.received.length === 1, "the drained message");
    const e = bodies(r)[0]!.events[0]!;
    expect(e.kind).toBe("drained");
    expect(e.durationSeconds).toBeGreaterThan(10 * 60);
    expect(bodies(r)[0]!.message).toMatch(/^Every managed queue is done: the backlog \(up to [\d,]+ jobs\) took \d+ (min|h)/);
    expect(h.wiring.recorder.current.queues.every((q) => q.pending + q.active === 0)).toBe(true);
  });
});

test("a hanging notification target never slows the loop; the other target still gets its message", async () => {
  const good = receiver();
  const hang = startHangingReceiver();
  stops.push(hang.stop);
  h = await startStatusHarness({ NOTIFY_URL: `${hang.url}/t ${good.url}/t`, POLL_INTERVAL: "0.1" }, { clock: systemClock, ml: true });
  h.sim.engine.upload({ photos: 300 });
  const cycles = () => h!.wiring.recorder.current.counters.cycles;
  let c0 = cycles();
  await Bun.sleep(1_000);
  const calm = cycles() - c0;
  // The ML service goes away: the message goes to both targets; one never answers.
  h.sim.ml!.setUp(false);
  c0 = cycles();
  await until(() => good.received.length === 1, "the message to the good target", 10_000);
  await until(() => hang.connections() >= 1, "the hanging target to be tried", 5_000);
  await Bun.sleep(1_000);
  const busy = cycles() - c0;
  expect(calm).toBeGreaterThanOrEqual(4);
  expect(busy).toBeGreaterThanOrEqual(calm);
});
