// Decision tables for the owner's instructions (DESIGN.md §2 rule 16): each
// action with windows, gates, MAX_WAIT and a person's pause. Nothing here
// may interrupt a job (a pause only stops the next one) or touch an
// unmanaged queue.
import { describe, expect, test } from "bun:test";
import { blockers } from "../../src/core/blockers.ts";
import { type Asked, type ControlState, inForce, nextExpiry } from "../../src/core/control.ts";
import { applyCommand, type CommandContext } from "../../src/core/control-commands.ts";
import { nextWallTime, parseDuration, parseUntil, untilFromWords } from "../../src/core/control-syntax.ts";
import { decide, type DecideInput } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership, type Ownership, type Policy } from "../../src/core/types.ts";
import { obs, summary } from "../helpers/observations.ts";

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 10, 12, 0); // a Saturday, 12:00 UTC
const asked: Asked = { at: T0, by: "127.0.0.1", channel: "page" };
const policy = (n = 1, more: Partial<Policy> = {}): Policy => ({ maxConcurrent: n, priority: DEFAULT_PRIORITY, ...more });
const own = (o: Partial<Ownership> = {}): Ownership => ({ ...emptyOwnership(), ...o });
const control = (state: ControlState) => ({ state, zone: "UTC" });
const run = (i: Partial<DecideInput> & Pick<DecideInput, "observation">) => decide({ policy: policy(), ownership: own(), ...i });
const ctx: CommandContext = { asked, managed: DEFAULT_PRIORITY, configuredN: 2, zone: "UTC" };

describe("hold everything", () => {
  const hold: ControlState = { all: { ...asked, until: T0 + H } };

  test("running queues are paused gracefully (owner-hold), nothing starts, unmanaged queues are untouched", () => {
    const d = run({
      observation: obs({ thumbnailGeneration: { active: 3, pending: 50 }, smartSearch: { isPaused: true, pending: 9 }, backgroundTask: { active: 2, pending: 4 } }, T0),
      ownership: own({ runningByUs: ["thumbnailGeneration"], pausedByUs: ["smartSearch"] }),
      control: control(hold),
    });
    expect(summary(d.actions.filter((a) => a.queue === "thumbnailGeneration" || a.queue === "smartSearch"))).toEqual(["pause thumbnailGeneration (owner-hold)"]);
    expect(d.actions.find((a) => a.kind === "resume")).toBeUndefined();
    expect(d.actions.find((a) => a.queue === "backgroundTask")).toBeUndefined();
    // The pause never stops active jobs: the queue drains and keeps its slot meanwhile.
    expect(d.actions.find((a) => a.queue === "thumbnailGeneration")!.detail).toContain("3 active jobs finish first");
    expect(d.occupiedAfter).toBe(1);
    expect(d.queues.find((q) => q.name === "smartSearch")!.blocks![0]!.code).toBe("owner-hold");
  });

  test("no standby queue is kept unpaused under a hold", () => {
    const d = run({ observation: obs({}, T0), policy: policy(2, { standby: true }), control: control(hold) });
    expect(d.standby).toEqual([]);
    expect(d.actions.filter((a) => a.kind === "resume")).toEqual([]);
  });

  test("MAX_WAIT cannot start a queue under a hold", () => {
    const o = obs({ videoConversion: { active: 1, pending: 40 }, thumbnailGeneration: { isPaused: true, pending: 30 } }, T0);
    const memory = { waitingSince: { thumbnailGeneration: T0 - H }, preempted: [], regainedAt: {}, resumedByOther: [] };
    const input = { observation: o, policy: policy(1, { maxWaitMs: 60_000 }), ownership: own({ runningByUs: ["videoConversion"], pausedByUs: ["thumbnailGeneration"] }), memory };
    expect(summary(run(input).actions)).toContain("pause videoConversion (max-wait)");
    const d = run({ ...input, control: control(hold) });
    expect(summary(d.actions)).toContain("pause videoConversion (owner-hold)");
    expect(d.actions.filter((a) => a.kind === "resume")).toEqual([]);
  });

  test("when it runs out, the configured schedule is back at once (the queue is resumed)", () => {
    const later = inForce(hold, T0 + H);
    expect(later.ended.map((e) => e.what)).toEqual(["all"]);
    const d = run({ observation: obs({ thumbnailGeneration: { isPaused: true, pending: 5 } }, T0 + H), ownership: own({ pausedByUs: ["thumbnailGeneration"] }), control: control(later.state) });
    expect(summary(d.actions.filter((a) => a.kind === "resume"))).toEqual(["resume thumbnailGeneration (fill-slot)"]);
  });

  test("after a release, a queue a person paused during the hold stays paused (rule 8)", () => {
    const released = applyCommand(hold, { kind: "release" }, ctx);
    expect(released.ok && released.state).toEqual({});
    const d = run({
      observation: obs({ thumbnailGeneration: { isPaused: true, pending: 5 }, smartSearch: { isPaused: true, pending: 5 } }, T0),
      ownership: own({ pausedByUs: ["smartSearch"], held: ["thumbnailGeneration"] }),
      control: control(released.ok ? released.state : {}),
    });
    expect(summary(d.actions.filter((a) => a.kind === "resume"))).toEqual(["resume smartSearch (fill-slot)"]);
  });

  test("a closed window and a hold: the queue stays paused; both reasons are kept, the owner's first", () => {
    const b = blockers({ windows: [{ queue: "smartSearch", window: "22:00-06:00", zone: "UTC", open: false, nextChange: "Sat 22:00", nextChangeAt: T0 + 10 * H }] }, DEFAULT_PRIORITY);
    const d = run({ observation: obs({ smartSearch: { active: 1, pending: 4 } }, T0), blockers: b, control: control(hold) });
    expect(summary(d.actions.filter((a) => a.queue === "smartSearch"))).toEqual(["pause smartSearch (owner-hold)"]);
    expect(d.queues.find((q) => q.name === "smartSearch")!.blocks!.map((x) => x.code)).toEqual(["owner-hold", "window-closed"]);
  });
});

describe("hold one queue", () => {
  const hold: ControlState = { queues: { thumbnailGeneration: { ...asked, until: T0 + H } } };

  test("the held queue is paused gracefully and the next one takes the slot once it drained", () => {
    const o = obs({ thumbnailGeneration: { active: 0, pending: 50 }, smartSearch: { isPaused: true, pending: 9 } }, T0);
    const d = run({ observation: o, ownership: own({ runningByUs: ["thumbnailGeneration"], pausedByUs: ["smartSearch"] }), control: control(hold) });
    expect(summary(d.actions)).toContain("pause thumbnailGeneration (owner-hold)");
    expect(summary(d.actions)).toContain("resume smartSearch (fill-slot)");
  });

  test("its active jobs keep the slot: nothing else starts until they finish (N=1)", () => {
    const o = obs({ thumbnailGeneration: { active: 3, pending: 50 }, smartSearch: { isPaused: true, pending: 9 } }, T0);
    const d = run({ observation: o, ownership: own({ runningByUs: ["thumbnailGeneration"], pausedByUs: ["smartSearch"] }), control: control(hold) });
    expect(summary(d.actions.filter((a) => a.reason !== "release"))).toEqual(["pause thumbnailGeneration (owner-hold)"]);
  });

  test("a hold on a queue the daemon does not manage is refused", () => {
    const r = applyCommand({}, { kind: "hold", queue: "backgroundTask", until: T0 + H }, ctx);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toContain("not a managed queue");
  });

  test("release of that queue, while everything is held, says the big hold still stands", () => {
    const both: ControlState = { ...hold, all: { ...asked, until: T0 + 2 * H } };
    const r = applyCommand(both, { kind: "release", queue: "thumbnailGeneration" }, ctx);
    expect(r.ok && r.state.queues).toBeUndefined();
    expect(r.ok && r.effect.message).toContain("still held until Sat 14:00 (UTC)");
  });
});

describe("a temporary N", () => {
  const three: ControlState = { n: { ...asked, n: 3, until: T0 + 4 * H } };
  const busy = obs(
    { metadataExtraction: { isPaused: true, pending: 10 }, thumbnailGeneration: { isPaused: true, pending: 10 }, smartSearch: { isPaused: true, pending: 10 }, faceDetection: { isPaused: true, pending: 10 } },
    T0,
  );
  const paused = own({ pausedByUs: ["metadataExtraction", "thumbnailGeneration", "smartSearch", "faceDetection"] });

  test("raises the cap while it lasts", () => {
    const d = run({ observation: busy, ownership: paused, control: control(three) });
    expect(d.actions.filter((a) => a.kind === "resume").map((a) => a.queue)).toEqual(["metadataExtraction", "thumbnailGeneration", "smartSearch"]);
    expect(d.n).toBe(3);
  });

  test("then the configured N again", () => {
    const d = run({ observation: busy, ownership: paused, control: control(inForce(three, T0 + 4 * H).state) });
    expect(d.actions.filter((a) => a.kind === "resume").map((a) => a.queue)).toEqual(["metadataExtraction"]);
    expect(d.n).toBeUndefined();
  });

  test("a lower N pauses the lowest-priority holders gracefully (over-cap)", () => {
    const o = obs({ metadataExtraction: { active: 2, pending: 10 }, thumbnailGeneration: { active: 1, pending: 10 } }, T0);
    const d = run({ observation: o, policy: policy(2), ownership: own({ runningByUs: ["metadataExtraction", "thumbnailGeneration"] }), control: control({ n: { ...asked, n: 1, until: T0 + H } }) });
    expect(summary(d.actions.filter((a) => a.kind === "pause" && a.queue === "thumbnailGeneration"))).toEqual(["pause thumbnailGeneration (over-cap)"]);
  });

  test("N out of range is refused; the answer names the configured N it returns to", () => {
    expect(applyCommand({}, { kind: "set-n", n: 0, until: T0 + H }, ctx).ok).toBe(false);
    expect(applyCommand({}, { kind: "set-n", n: 2.5, until: T0 + H }, ctx).ok).toBe(false);
    const r = applyCommand({}, { kind: "set-n", n: 3, until: T0 + 4 * H }, ctx);
    expect(r.ok && r.effect.message).toBe("at most 3 managed queues will run at once until Sat 16:00 (UTC), then 2 again (MAX_CONCURRENT_JOBS)");
  });

  test("a person's pause still holds under a higher N", () => {
    const d = run({ observation: busy, ownership: own({ ...paused, pausedByUs: ["thumbnailGeneration", "smartSearch", "faceDetection"], held: ["metadataExtraction"] }), control: control(three) });
    expect(d.actions.find((a) => a.queue === "metadataExtraction")).toBeUndefined();
  });
});

describe("stop managing (resume-all)", () => {
  const off: ControlState = { handsOff: asked };

  test("resumes what the daemon paused and what a person held, pauses nothing, never an unmanaged queue", () => {
    const d = run({
      observation: obs({ thumbnailGeneration: { isPaused: true, pending: 5 }, smartSearch: { isPaused: true, pending: 5 }, videoConversion: { active: 1, pending: 3 }, backgroundTask: { isPaused: true } }, T0),
      ownership: own({ pausedByUs: ["thumbnailGeneration"], held: ["smartSearch"], runningByUs: ["videoConversion"] }),
      control: control(off),
    });
    expect(summary(d.actions)).toEqual(["resume thumbnailGeneration (resume-all)", "resume smartSearch (resume-all)"]);
    expect(d.ownership).toEqual({ pausedByUs: ["thumbnailGeneration", "smartSearch"], runningByUs: [], held: [] });
  });

  test("a queue a person pauses afterwards is left alone", () => {
    const d = run({ observation: obs({ thumbnailGeneration: { isPaused: true, pending: 5 } }, T0), ownership: own(), control: control(off) });
    expect(d.actions).toEqual([]);
  });

  test("a hold ends stop managing", () => {
    const r = applyCommand(off, { kind: "hold", until: T0 + H }, ctx);
    expect(r.ok && r.state.handsOff).toBeUndefined();
    expect(r.ok && r.effect.message).toContain("manages the queues again");
  });
});

describe("run missing jobs", () => {
  test("asked once the queue has no active job; refused where Immich cannot or the server lacks the queue", () => {
    const r = applyCommand({}, { kind: "missing", queue: "thumbnailGeneration" }, ctx);
    expect(r.ok).toBe(true);
    const state = r.ok ? r.state : {};
    expect(run({ observation: obs({ thumbnailGeneration: { active: 2, pending: 3 } }, T0), control: control(state) }).missing).toBeUndefined();
    expect(run({ observation: obs({ thumbnailGeneration: { isPaused: true } }, T0), control: control(state) }).missing).toEqual(["thumbnailGeneration"]);
    expect(applyCommand({}, { kind: "missing", queue: "integrityCheck" }, ctx)).toMatchObject({ ok: false });
    expect(applyCommand({}, { kind: "missing", queue: "backgroundTask" }, ctx)).toMatchObject({ ok: false });
    expect(applyCommand({}, { kind: "missing", queue: "ocr" }, { ...ctx, serverQueues: ["thumbnailGeneration"] })).toMatchObject({ ok: false, problem: "this Immich server has no queue ocr" });
  });
});

describe("durations and times", () => {
  test("durations", () => {
    expect(parseDuration("2h")).toBe(2 * H);
    expect(parseDuration("90m")).toBe(90 * 60_000);
    expect(parseDuration("1h30m")).toBe(1.5 * H);
    expect(parseDuration("soon")).toBeUndefined();
    expect(parseUntil({ for: "0m" }, "UTC", T0)).toMatchObject({ problem: expect.stringContaining("passed") });
    expect(parseUntil({ for: "31d" }, "UTC", T0)).toMatchObject({ problem: expect.stringContaining("30 days") });
    expect(parseUntil({}, "UTC", T0)).toMatchObject({ problem: expect.stringContaining("one of the two") });
  });

  test("until 07:00 is the next 07:00 on TZ's clock, today or tomorrow, across summer time", () => {
    expect(parseUntil({ until: "13:30" }, "UTC", T0)).toEqual({ until: T0 + 1.5 * H });
    expect(parseUntil({ until: "07:00" }, "UTC", T0)).toEqual({ until: T0 + 19 * H });
    expect(parseUntil({ until: "until 07:00" }, "Europe/Berlin", T0)).toEqual({ until: T0 + 18 * H });
    // The night summer time starts in Berlin (2026-03-29 02:00 -> 03:00): 07:00 CEST is 05:00 UTC.
    const eve = Date.UTC(2026, 2, 28, 20, 0);
    expect(nextWallTime(7, 0, "Europe/Berlin", eve)).toBe(Date.UTC(2026, 2, 29, 5, 0));
    expect(parseUntil({ until: "25:00" }, "UTC", T0)).toMatchObject({ problem: expect.stringContaining("HH:MM") });
  });

  test("command-line words", () => {
    expect(untilFromWords(["2h"])).toEqual({ for: "2h" });
    expect(untilFromWords(["until", "07:00"])).toEqual({ until: "07:00" });
    expect(untilFromWords(["07:00"])).toEqual({ until: "07:00" });
    expect(untilFromWords(["later"])).toBeUndefined();
  });

  test("the loop wakes when the first instruction runs out", () => {
    expect(nextExpiry({ all: { ...asked, until: T0 + 2 * H }, n: { ...asked, n: 2, until: T0 + H } })).toBe(T0 + H);
    expect(nextExpiry({ handsOff: asked })).toBeUndefined();
  });
});
