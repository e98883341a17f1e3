// Decision tables for rule 7, bounded waiting (src/core/max-wait.ts) as
// decide() composes it: the bound, facialRecognition and a person's resume
// exempt, no flapping, and the cap kept while the paused queue drains.
import { describe, expect, test } from "bun:test";
import { decide, type DecideInput } from "../../src/core/decide.ts";
import { emptyWaitMemory, type WaitMemory } from "../../src/core/max-wait.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership, type Decision, type Observation, type Ownership } from "../../src/core/types.ts";
import { applyActions, obs, summary } from "../helpers/observations.ts";

const MIN = 60_000;
const policy = { maxConcurrent: 1, priority: DEFAULT_PRIORITY, standby: true, maxWaitMs: 10 * MIN };
const allPaused = Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]));
const ours = (running: string[]): Ownership => ({
  ...emptyOwnership(),
  pausedByUs: DEFAULT_PRIORITY.filter((q) => !running.includes(q)),
  runningByUs: running,
});

/** smartSearch holds the one slot with a long backlog; new uploads wait in metadataExtraction. */
const backlog = (at: number, extra: Record<string, object> = {}) =>
  obs({ ...allPaused, smartSearch: { active: 2, pending: 5_000 }, metadataExtraction: { isPaused: true, pending: 3 }, ...extra }, at);

/** Decides at each observation in turn, carrying ownership and memory as the daemon does. */
function run(observations: Observation[], input: Partial<DecideInput> = {}): Decision[] {
  let ownership = input.ownership ?? ours(["smartSearch"]);
  let memory: WaitMemory = input.memory ?? emptyWaitMemory();
  return observations.map((observation) => {
    const d = decide({ policy, ...input, observation, ownership, memory });
    ownership = d.ownership;
    memory = d.memory;
    return d;
  });
}

describe("MAX_WAIT", () => {
  test("within the bound nothing happens; past it the lowest-priority holder is paused, its active jobs finish first", () => {
    const [, within, past] = run([backlog(0), backlog(10 * MIN), backlog(10 * MIN + 1)]);
    expect(within!.actions).toEqual([]);
    expect(summary(past!.actions)).toEqual(["pause smartSearch (max-wait)"]);
    expect(past!.actions[0]!.detail).toBe(
      "metadataExtraction has waited 10 min for a slot, longer than MAX_WAIT (10 min); its 2 active jobs finish first, then metadataExtraction starts",
    );
  });

  test("the cap holds while the paused queue drains; then the waiting queue gets the slot", () => {
    const ds = run([backlog(0), backlog(11 * MIN)]);
    const drainingObs = backlog(11 * MIN + 5_000, { smartSearch: { isPaused: true, active: 1, pending: 4_999 } });
    const [draining] = run([drainingObs], { ownership: ds[1]!.ownership, memory: ds[1]!.memory });
    expect(draining!.actions).toEqual([]); // the slot is still held by its last job
    expect(draining!.occupiedAfter).toBe(1);
    const drained = backlog(11 * MIN + 9_000, { smartSearch: { isPaused: true, pending: 4_999 } });
    const [handover] = run([drained], { ownership: draining!.ownership, memory: draining!.memory });
    expect(summary(handover!.actions)).toEqual(["resume metadataExtraction (fill-slot)"]);
  });

  test("the waiting queue is not the next in line: a higher one waiting gets the slot, the lower keeps waiting", () => {
    const [, past] = run([backlog(0, { thumbnailGeneration: { isPaused: true, pending: 2 } }), backlog(11 * MIN, { thumbnailGeneration: { isPaused: true, pending: 2 } })]);
    expect(summary(past!.actions)).toEqual(["pause smartSearch (max-wait)"]);
  });

  test("never facialRecognition: pausing it mid-scan duplicates its work", () => {
    const o = (at: number) => obs({ ...allPaused, facialRecognition: { active: 1, pending: 900 }, metadataExtraction: { isPaused: true, pending: 3 } }, at);
    const ds = run([o(0), o(60 * MIN)], { ownership: ours(["facialRecognition"]) });
    expect(ds[1]!.actions).toEqual([]);
  });

  test("never a queue someone else resumed outside the daemon, for as long as it runs", () => {
    // smartSearch was paused by the daemon; a person resumed it (the admin page).
    const ds = run([backlog(0), backlog(30 * MIN)], { ownership: ours([]) });
    expect(ds[0]!.notices.some((n) => n.code === "resumed-by-other" && n.queue === "smartSearch")).toBe(true);
    expect(ds[1]!.actions).toEqual([]);
    expect(ds[1]!.memory.resumedByOther).toEqual(["smartSearch"]);
  });

  test("off: nothing is ever paused for waiting (the seed's strict order)", () => {
    const ds = run([backlog(0), backlog(24 * 60 * MIN)], { policy: { ...policy, maxWaitMs: null } });
    expect(ds[1]!.actions).toEqual([]);
  });

  test("a holder of higher priority than the waiting queue is never paused for it", () => {
    const o = (at: number) => obs({ ...allPaused, thumbnailGeneration: { active: 1, pending: 900 }, smartSearch: { isPaused: true, pending: 3 } }, at);
    const ds = run([o(0), o(60 * MIN)], { ownership: ours(["thumbnailGeneration"]) });
    expect(ds[1]!.actions).toEqual([]);
  });

  test("no flapping: back in its slot, the paused queue is not paused again by MAX_WAIT for MAX_WAIT", () => {
    // 0: the backlog runs, an upload waits. 11 min: preempted. Then the upload is done and smartSearch is back.
    let ds = run([backlog(0), backlog(11 * MIN)]);
    let { ownership, memory } = ds[1]!;
    const back = obs({ ...allPaused, smartSearch: { isPaused: true, pending: 4_990 } }, 12 * MIN);
    ds = run([back], { ownership, memory });
    expect(summary(ds[0]!.actions)).toEqual(["resume smartSearch (fill-slot)"]);
    const running = applyActions(back, ds[0]!.actions);
    ds = run([{ ...running, at: 12 * MIN + 1_000 }], { ownership: ds[0]!.ownership, memory: ds[0]!.memory });
    ({ ownership, memory } = ds[0]!);
    expect(memory.regainedAt.smartSearch).toBe(12 * MIN + 1_000);
    // An upload that has waited far longer than MAX_WAIT (since 1 min) still does not pause it before MAX_WAIT after the regain.
    memory = { ...memory, waitingSince: { metadataExtraction: 1 * MIN } };
    ds = run([backlog(13 * MIN), backlog(22 * MIN)], { ownership, memory });
    expect(ds[0]!.actions).toEqual([]);
    expect(ds[1]!.actions).toEqual([]);
    ds = run([backlog(22 * MIN + 1_000)], { ownership: ds[1]!.ownership, memory: ds[1]!.memory });
    expect(summary(ds[0]!.actions)).toEqual(["pause smartSearch (max-wait)"]);
  });

  test("N = 2: only when every slot is held by lower-priority queues; the lowest of them is paused", () => {
    const o = (at: number) =>
      obs({ ...allPaused, smartSearch: { active: 1, pending: 900 }, faceDetection: { active: 1, pending: 900 }, metadataExtraction: { isPaused: true, pending: 3 } }, at);
    const ds = run([o(0), o(11 * MIN)], { policy: { ...policy, maxConcurrent: 2 }, ownership: ours(["smartSearch", "faceDetection"]) });
    expect(summary(ds[1]!.actions)).toEqual(["pause faceDetection (max-wait)"]);
  });
});
