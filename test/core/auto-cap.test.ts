// Decision tables for the controller of rule 15 (src/core/auto-cap.ts): raise,
// lower, dwell, bounds, a lost source, tuning, a person's change; and the
// syntax of MAX_CONCURRENT_JOBS=auto.
import { describe, expect, test } from "bun:test";
import {
  type AutoCapInput,
  type AutoCapState,
  controlAutoCap,
  DOWN_DWELL_MS,
  FAR_DWELL_MS,
  loadOf,
  nextDueAt,
  NOW_DWELL_MS,
  SETTLE_MS,
  startingAutoCap,
  STRIKE_WINDOW_MS,
  type TunableQueue,
} from "../../src/core/auto-cap.ts";
import { parseAuto } from "../../src/core/auto-syntax.ts";
import { decide } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership } from "../../src/core/types.ts";
import { obs } from "../helpers/observations.ts";

const range = { min: 1, max: 4 };
const settings = { range, target: { cpu: 40 }, tune: false };

/** Runs looks every `stepMs` with the given cpu figure (undefined: source lost), returning the state and every change. */
function run(
  looks: { cpu: number | undefined; for: number; workWaits?: boolean }[],
  o: { state?: AutoCapState; tune?: boolean; tunable?: TunableQueue[]; stepMs?: number; start?: number } = {},
) {
  let state = o.state ?? startingAutoCap(range);
  let now = o.start ?? 0;
  const step = o.stepMs ?? 5_000;
  const changes: string[] = [];
  const events: string[] = [];
  for (const l of looks) {
    const end = now + l.for;
    for (; now < end; now += step) {
      const input: AutoCapInput = {
        state,
        settings: { ...settings, tune: o.tune ?? false },
        now,
        pressure: l.cpu === undefined ? undefined : { cpu: l.cpu },
        workWaits: l.workWaits ?? true,
        tunable: o.tunable ?? [],
      };
      const r = controlAutoCap(input);
      state = r.state;
      changes.push(...r.changes.map((c) => `@${now / 1000}s ${c.reason}`));
      if (r.sourceEvent) events.push(`@${now / 1000}s ${r.sourceEvent}`);
    }
  }
  return { state, changes, events, now };
}

describe("MAX_CONCURRENT_JOBS=auto syntax", () => {
  test.each([
    ["auto", { ok: true, range: { min: 1, max: 4 } }],
    ["AUTO", { ok: true, range: { min: 1, max: 4 } }],
    ["auto:2-3", { ok: true, range: { min: 2, max: 3 } }],
    ["auto:1-1", { ok: true, range: { min: 1, max: 1 } }],
  ] as const)("%s", (text, want) => expect(parseAuto(text)).toEqual(want as never));
  test.each([
    ["auto:4-1", "the range 4-1 is upside down; write auto:1-4"],
    ["auto:0-2", "the range's lower bound must be at least 1, not 0"],
    ["auto:1-2000", "the range's upper bound must be at most 1000, not 2000"],
    ["auto:1", '"auto:1" is not auto or auto:MIN-MAX (e.g. auto:1-3)'],
    ["automatic", '"automatic" is not auto or auto:MIN-MAX (e.g. auto:1-3)'],
  ])("%s is refused", (text, problem) => expect(parseAuto(text)).toEqual({ ok: false, problem }));
});

describe("the controller: N", () => {
  test("raise: one step after the pressure stayed under ¾ of the target for the settle time, while work waits", () => {
    const r = run([{ cpu: 10, for: SETTLE_MS + 5_000 }]);
    expect(r.changes).toEqual(["@60s N 1 → 2: work waits and cpu some 10 % has stayed under 30 % (75 % of the 40 % target) for 60 s"]);
    expect(r.state.n).toBe(2);
  });

  test("no raise without waiting work, and none above the upper bound", () => {
    expect(run([{ cpu: 0, for: 10 * SETTLE_MS, workWaits: false }]).state.n).toBe(1);
    const r = run([{ cpu: 0, for: 10 * SETTLE_MS }]);
    expect(r.state.n).toBe(4);
    expect(r.changes).toHaveLength(3);
  });

  test("hysteresis: between ¾ of the target and the target nothing moves", () => {
    const r = run([{ cpu: 35, for: 30 * 60_000 }], { state: { ...startingAutoCap(range), n: 2 } });
    expect(r.changes).toEqual([]);
  });

  test("lower: one step after DOWN_DWELL above the target, and another after a further DOWN_DWELL", () => {
    const r = run([{ cpu: 50, for: 25_000 }], { state: { ...startingAutoCap(range), n: 4 } });
    expect(r.changes).toEqual([
      "@10s N 4 → 3: cpu some 50 % above 40 % for 10 s",
      "@20s N 3 → 2: cpu some 50 % above 40 % for 10 s",
    ]);
  });

  test("far above the target: straight to the lower bound", () => {
    const r = run([{ cpu: 60, for: 15_000 }], { state: { ...startingAutoCap(range), n: 4 } });
    expect(r.changes).toEqual(["@5s N 4 → 1: cpu some 60 % above 40 % for 5 s (1.5× the target or more)"]);
  });

  test("a single look above the target is not enough (dwell)", () => {
    const r = run([{ cpu: 90, for: 5_000 }, { cpu: 20, for: 5_000 }, { cpu: 90, for: 5_000 }], { state: { ...startingAutoCap(range), n: 3 } });
    expect(r.changes).toEqual([]);
  });

  test("the lower bound is kept: nothing below min", () => {
    const r = run([{ cpu: 99, for: 60_000 }]);
    expect(r.changes).toEqual([]);
    expect(r.state.n).toBe(1);
  });

  test("source lost: N to its lower bound at once, said once, nothing raised until it is back; then a settle time again", () => {
    const r = run([{ cpu: 0, for: 3 * SETTLE_MS }, { cpu: undefined, for: 5 * SETTLE_MS }, { cpu: 0, for: SETTLE_MS + 5_000 }]);
    expect(r.events).toEqual(["@180s lost", "@480s back"]);
    expect(r.changes).toEqual([
      "@60s N 1 → 2: work waits and cpu some 0 % has stayed under 30 % (75 % of the 40 % target) for 60 s",
      "@120s N 2 → 3: work waits and cpu some 0 % has stayed under 30 % (75 % of the 40 % target) for 60 s",
      "@180s N 3 → 1: the pressure source is lost; the lower bound until it is back",
      "@540s N 1 → 2: work waits and cpu some 0 % has stayed under 30 % (75 % of the 40 % target) for 60 s",
    ]);
  });

  test("a resource the target names but the source lacks counts as lost", () => {
    const r = controlAutoCap({ state: { ...startingAutoCap(range), n: 3 }, settings: { ...settings, target: { cpu: 40, io: 60 } }, now: 0, pressure: { cpu: 5 }, workWaits: true, tunable: [] });
    expect(r.state.n).toBe(1);
    expect(r.sourceEvent).toBe("lost");
  });

  test("no flapping: a raise that overshoots waits twice as long next time (strikes), and strikes are forgotten", () => {
    // A steady load where N=2 is too much (50 %) and N=1 is fine (20 %).
    let state = startingAutoCap(range);
    const changes: number[] = [];
    for (let now = 0; now < 3600_000; now += 5_000) {
      const r = controlAutoCap({ state, settings, now, pressure: { cpu: state.n === 1 ? 20 : 50 }, workWaits: true, tunable: [] });
      state = r.state;
      for (const c of r.changes) changes.push(c.at);
    }
    // Raises after 1, 2, 4, 8, 16, 16 min of settle, each undone 10 s later: 12 changes in the first hour, not 50 (a raise a minute).
    expect(changes.length).toBe(12);
    expect(state.strikes).toBe(4);
    // In the second hour: 16 min apart, 4 raises and 4 lowerings.
    let second = 0;
    for (let now = 3600_000; now < 7200_000; now += 5_000) {
      const r = controlAutoCap({ state, settings, now, pressure: { cpu: state.n === 1 ? 20 : 50 }, workWaits: true, tunable: [] });
      state = r.state;
      second += r.changes.length;
    }
    expect(second).toBeLessThanOrEqual(8);
    // The load changes: a raise that holds forgives a strike.
    let t = 7200_000;
    for (; state.n === 1; t += 5_000) state = controlAutoCap({ state, settings, now: t, pressure: { cpu: 10 }, workWaits: true, tunable: [] }).state;
    const before = state.strikes;
    state = controlAutoCap({ state, settings, now: t + STRIKE_WINDOW_MS, pressure: { cpu: 35 }, workWaits: false, tunable: [] }).state;
    expect(state.strikes).toBe(before - 1);
  });

  test("N's settle time is measured while work waits: an idle hour under the target is no evidence that the next upload fits in one more slot", () => {
    const idle = run([{ cpu: 0, for: 3_600_000, workWaits: false }]);
    expect(idle.changes).toEqual([]);
    const busy = run([{ cpu: 20, for: SETTLE_MS + 5_000 }], { state: idle.state, start: idle.now });
    expect(busy.changes).toEqual([`@${(idle.now + SETTLE_MS) / 1000}s N 1 → 2: work waits and cpu some 20 % has stayed under 30 % (75 % of the 40 % target) for ${SETTLE_MS / 1000} s`]);
  });

  test("an outside load gets the host back within a few looks", () => {
    const r = run([{ cpu: 0, for: 4 * SETTLE_MS }, { cpu: 95, for: 15_000 }]);
    expect(r.state.n).toBe(1);
    expect(r.changes.at(-1)).toBe("@245s N 4 → 1: cpu some 95 % above 40 % for 5 s (1.5× the target or more)");
  });
});

describe("the controller: job concurrency (TUNE_CONCURRENCY)", () => {
  const thumbs = (running = true): TunableQueue => ({ name: "thumbnailGeneration", owner: 3, running });
  const meta = (running = true): TunableQueue => ({ name: "metadataExtraction", owner: 5, running });

  test("at N's lower bound, above the target: the running queue with the most jobs at once, one step at a time, down to 1", () => {
    const r = run([{ cpu: 45, for: 45_000 }], { tune: true, tunable: [meta(false), thumbs()] });
    expect(r.changes).toEqual([
      "@10s thumbnailGeneration concurrency 3 → 2: cpu some 45 % above 40 % for 10 s",
      "@20s thumbnailGeneration concurrency 2 → 1: cpu some 45 % above 40 % for 10 s",
    ]);
    expect(r.state.concurrency).toEqual({ thumbnailGeneration: 1 });
  });

  test("N goes down first; concurrency only at the lower bound", () => {
    const r = run([{ cpu: 45, for: 25_000 }], { tune: true, tunable: [thumbs()], state: { ...startingAutoCap(range), n: 2 } });
    expect(r.changes).toEqual(["@10s N 2 → 1: cpu some 45 % above 40 % for 10 s", "@20s thumbnailGeneration concurrency 3 → 2: cpu some 45 % above 40 % for 10 s"]);
  });

  test("far above: every running queue halved at once", () => {
    const r = run([{ cpu: 70, for: 15_000 }], { tune: true, tunable: [meta(), thumbs()] });
    expect(r.changes).toEqual([
      "@5s metadataExtraction concurrency 5 → 2: cpu some 70 % above 40 % for 5 s (1.5× the target or more)",
      "@5s thumbnailGeneration concurrency 3 → 1: cpu some 70 % above 40 % for 5 s (1.5× the target or more)",
      "@10s metadataExtraction concurrency 2 → 1: cpu some 70 % above 40 % for 5 s (1.5× the target or more)",
    ]);
  });

  test("twice the target or more: every running queue straight to 1 (as N goes straight to its lower bound)", () => {
    const r = run([{ cpu: 86, for: 15_000 }], { tune: true, tunable: [meta(), thumbs()] });
    expect(r.changes).toEqual([
      "@5s metadataExtraction concurrency 5 → 1: cpu some 86 % above 40 % for 5 s (1.5× the target or more)",
      "@5s thumbnailGeneration concurrency 3 → 1: cpu some 86 % above 40 % for 5 s (1.5× the target or more)",
    ]);
  });

  test("twice the target or more: the next look acts, half a second on or later (a queue that saturates the host is lowered within its first seconds)", () => {
    const r = run([{ cpu: 84, for: 4_000 }], { tune: true, tunable: [thumbs()], stepMs: 1_000 });
    expect(r.changes).toEqual(["@1s thumbnailGeneration concurrency 3 → 1: cpu some 84 % above 40 % for 1 s (1.5× the target or more)"]);
    const half = run([{ cpu: 84, for: 2_000 }], { tune: true, tunable: [meta()], stepMs: NOW_DWELL_MS });
    expect(half.changes).toEqual([`@${NOW_DWELL_MS / 1000}s metadataExtraction concurrency 5 → 1: cpu some 84 % above 40 % for 1 s (1.5× the target or more)`]);
  });

  test("between 1.5× and 2× the target the far dwell holds; a single look is never enough, however high", () => {
    const r = run([{ cpu: 70, for: 4_000 }], { tune: true, tunable: [thumbs()], stepMs: 1_000 });
    expect(r.changes).toEqual([`@${FAR_DWELL_MS / 1000}s thumbnailGeneration concurrency 3 → 1: cpu some 70 % above 40 % for 3 s (1.5× the target or more)`]);
    const once = run([{ cpu: 95, for: 1_000 }, { cpu: 20, for: 1_000 }, { cpu: 95, for: 1_000 }], { tune: true, tunable: [thumbs()], stepMs: 1_000 });
    expect(once.changes).toEqual([]);
  });

  test("raised back toward the owner's values before N, never beyond them", () => {
    const state = { ...startingAutoCap(range), concurrency: { thumbnailGeneration: 1 } };
    const r = run([{ cpu: 5, for: 4 * SETTLE_MS + 5_000 }], { tune: true, tunable: [thumbs()], state });
    expect(r.changes).toEqual([
      "@60s thumbnailGeneration concurrency 1 → 2: cpu some 5 % has stayed under 30 % (75 % of the 40 % target) for 60 s",
      "@120s thumbnailGeneration concurrency 2 → 3: cpu some 5 % has stayed under 30 % (75 % of the 40 % target) for 60 s",
      "@180s N 1 → 2: work waits and cpu some 5 % has stayed under 30 % (75 % of the 40 % target) for 60 s",
      "@240s N 2 → 3: work waits and cpu some 5 % has stayed under 30 % (75 % of the 40 % target) for 60 s",
    ]);
    expect(r.state.concurrency).toEqual({});
  });

  test("a lowered queue that does not run is not raised (the next import starts where the last one left it); N may rise meanwhile", () => {
    const state = { ...startingAutoCap(range), concurrency: { thumbnailGeneration: 1 } };
    const r = run([{ cpu: 5, for: SETTLE_MS + 5_000 }], { tune: true, tunable: [thumbs(false)], state });
    expect(r.changes).toEqual(["@60s N 1 → 2: work waits and cpu some 5 % has stayed under 30 % (75 % of the 40 % target) for 60 s"]);
    expect(r.state.concurrency).toEqual({ thumbnailGeneration: 1 });
  });

  test("the settle time for a queue's raise is measured while it runs: an idle hour under the target is no evidence (the next import starts where the last one left it)", () => {
    const state = { ...startingAutoCap(range), n: 4, concurrency: { metadataExtraction: 1 } };
    const idle = run([{ cpu: 0, for: 3_600_000, workWaits: false }], { tune: true, tunable: [meta(false)], state });
    expect(idle.changes).toEqual([]);
    const runs = run([{ cpu: 20, for: SETTLE_MS + 5_000, workWaits: false }], { tune: true, tunable: [meta()], state: idle.state, start: idle.now });
    expect(runs.changes).toEqual([`@${(idle.now + SETTLE_MS) / 1000}s metadataExtraction concurrency 1 → 2: cpu some 20 % has stayed under 30 % (75 % of the 40 % target) for ${SETTLE_MS / 1000} s`]);
  });

  test("source lost: concurrency is held, not raised", () => {
    const state = { ...startingAutoCap(range), concurrency: { thumbnailGeneration: 1 } };
    const r = run([{ cpu: undefined, for: 10 * SETTLE_MS }], { tune: true, tunable: [thumbs()], state });
    expect(r.changes).toEqual([]);
    expect(r.state.concurrency).toEqual({ thumbnailGeneration: 1 });
  });

  test("a person's change: the queue leaves the tunable list (its new value is the owner's) and its lowered value is forgotten", () => {
    const state = { ...startingAutoCap(range), concurrency: { thumbnailGeneration: 1 } };
    const r = controlAutoCap({ state, settings: { ...settings, tune: true }, now: 0, pressure: { cpu: 45 }, workWaits: true, tunable: [] });
    expect(r.state.concurrency).toEqual({});
  });

  test("without tuning, concurrency never moves", () => {
    const r = run([{ cpu: 84, for: 60_000 }], { tune: false, tunable: [thumbs()] });
    expect(r.changes).toEqual([]);
  });
});

describe("nextDueAt: when the loop should look again", () => {
  test("the end of the dwell above the target (shorter far above it), of the settle time under it, or nothing", () => {
    const s = { ...startingAutoCap(range), n: 2 };
    expect(nextDueAt(s, settings)).toBeUndefined();
    expect(nextDueAt({ ...s, overSince: 1_000 }, settings, { cpu: 45 })).toBe(1_000 + DOWN_DWELL_MS);
    expect(nextDueAt({ ...s, overSince: 1_000 }, settings, { cpu: 70 })).toBe(1_000 + FAR_DWELL_MS);
    expect(nextDueAt({ ...s, overSince: 1_000 }, settings, { cpu: 80 })).toBe(1_000 + NOW_DWELL_MS);
    expect(nextDueAt({ ...s, underSince: 1_000, strikes: 2 }, settings, { cpu: 5 })).toBe(1_000 + 4 * SETTLE_MS);
    expect(nextDueAt({ ...s, overSince: 1_000, lastChangeAt: 5_000 }, settings, { cpu: 45 })).toBe(5_000 + DOWN_DWELL_MS);
  });
});

describe("loadOf: what the controller reads from a decision", () => {
  test("work waits behind the cap; running queues are the unpaused slot holders", () => {
    const o = obs({ thumbnailGeneration: { active: 3, pending: 50 }, smartSearch: { isPaused: true, pending: 20 }, videoConversion: { isPaused: true, active: 1 } });
    const d = decide({ observation: o, policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY, standby: true }, ownership: { ...emptyOwnership(), runningByUs: ["thumbnailGeneration"], pausedByUs: ["smartSearch", "videoConversion"] } });
    const l = loadOf(d, o);
    expect(l.workWaits).toBe(true);
    expect([...l.running]).toEqual(["thumbnailGeneration"]);
  });

  test("nothing waits when every queue with work has a slot", () => {
    const o = obs({ thumbnailGeneration: { active: 3, pending: 50 } });
    const d = decide({ observation: o, policy: { maxConcurrent: 2, priority: DEFAULT_PRIORITY, standby: true }, ownership: emptyOwnership() });
    expect(loadOf(d, o).workWaits).toBe(false);
  });
});

describe("a lowered N in decide(): the lowest-priority holders are paused gracefully, nothing resumed", () => {
  test("N 3 → 1 with three queues the daemon started: the two lowest are paused, their active jobs finish", () => {
    const o = obs({ metadataExtraction: { active: 5, pending: 10 }, thumbnailGeneration: { active: 3, pending: 10 }, smartSearch: { active: 2, pending: 10 } });
    const ownership = { ...emptyOwnership(), runningByUs: ["metadataExtraction", "thumbnailGeneration", "smartSearch"] };
    const d = decide({ observation: o, policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY, standby: true }, ownership });
    expect(d.actions.filter((a) => a.reason !== "release").map((a) => `${a.kind} ${a.queue} ${a.reason}`)).toEqual(["pause thumbnailGeneration over-cap", "pause smartSearch over-cap"]);
    expect(d.actions[0]!.detail).toContain("its 3 active jobs finish first");
    expect(d.actions.some((a) => a.kind === "resume")).toBe(false);
  });
});

describe("queue names are data (issue 16 item 4): a managed queue named like a key of Object.prototype", () => {
  const NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"];

  test("is tuned exactly as a plain name: lowered from its owner's value, never to a function or NaN", () => {
    for (const name of NAMES) {
      const tunable = [{ name, owner: 3, running: true }];
      const plain = run([{ cpu: 90, for: 30_000 }], { tune: true, tunable: [{ ...tunable[0]!, name: "thumbnailGeneration" }] });
      const odd = run([{ cpu: 90, for: 30_000 }], { tune: true, tunable });
      expect(odd.changes.map((c) => c.replace(name, "Q"))).toEqual(plain.changes.map((c) => c.replace("thumbnailGeneration", "Q")));
      expect(Object.hasOwn(odd.state.concurrency, name) ? odd.state.concurrency[name] : undefined).toBe(1);
    }
  });
});
