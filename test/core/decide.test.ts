// Table tests for the pure decision (DESIGN.md §2 rules 1–5 and 8–9).
import { describe, expect, test } from "bun:test";
import { decide, exitActions, resumeAllActions } from "../../src/core/decide.ts";
import { confirmAction, withdrawAction } from "../../src/core/reconcile.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership, type Ownership, type Policy } from "../../src/core/types.ts";
import { applyActions, obs, summary } from "../helpers/observations.ts";

const policy = (maxConcurrent = 1, priority: readonly string[] = DEFAULT_PRIORITY): Policy => ({
  maxConcurrent,
  priority,
});
const own = (o: Partial<Ownership> = {}): Ownership => ({ ...emptyOwnership(), ...o });
/** Everything managed is paused by the daemon and idle, except what is given. */
const allPausedByUs = (except: string[] = []) =>
  own({ pausedByUs: DEFAULT_PRIORITY.filter((q) => !except.includes(q)) });
const pausedIdle = Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]));

describe("start-up", () => {
  test("an idle Immich: every managed queue is released, nothing else is touched", () => {
    const d = decide({ observation: obs({}), policy: policy(), ownership: own() });
    expect(d.actions.map((a) => a.queue).sort()).toEqual([...DEFAULT_PRIORITY].sort());
    expect(d.actions.every((a) => a.kind === "pause" && a.reason === "release")).toBe(true);
    expect(d.actions.some((a) => a.queue === "backgroundTask")).toBe(false);
  });

  test("a busy Immich after an import: the highest-priority slot holder keeps running, the others are paused and drain", () => {
    const d = decide({
      observation: obs({
        metadataExtraction: { active: 5, pending: 100 },
        thumbnailGeneration: { active: 3, pending: 50 },
        smartSearch: { active: 2 },
        backgroundTask: { active: 5, pending: 9 },
      }),
      policy: policy(1),
      ownership: own(),
    });
    const pauses = d.actions.filter((a) => a.reason === "over-cap").map((a) => a.queue);
    expect(pauses).toEqual(["thumbnailGeneration", "smartSearch"]);
    expect(d.actions.find((a) => a.queue === "metadataExtraction")).toBeUndefined();
    expect(d.actions.find((a) => a.queue === "backgroundTask")).toBeUndefined();
    expect(d.ownership.runningByUs).toContain("metadataExtraction");
    // paused queues with active jobs still hold slots until they drain
    expect(d.occupiedAfter).toBe(3);
  });

  test("paused managed queues found at start are taken as the daemon's without a state file", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, thumbnailGeneration: { isPaused: true, pending: 7 } }),
      policy: policy(1),
      ownership: own(),
      adoptPaused: true,
    });
    expect(summary(d.actions)).toEqual(["resume thumbnailGeneration (fill-slot)"]);
    expect(d.notices.filter((n) => n.code === "adopted-paused").length).toBe(DEFAULT_PRIORITY.length);
  });

  test("with a state file, a paused queue the daemon did not pause is held", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, thumbnailGeneration: { isPaused: true, pending: 7 } }),
      policy: policy(1),
      ownership: allPausedByUs(["thumbnailGeneration"]),
    });
    expect(d.actions).toEqual([]);
    expect(d.ownership.held).toEqual(["thumbnailGeneration"]);
  });
});

describe("the seed README's example, without its defect", () => {
  test("thumbnailGeneration runs; metadataExtraction work appears; nothing is interrupted; it starts when thumbnails are done", () => {
    const ownership = own({ runningByUs: ["thumbnailGeneration"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "thumbnailGeneration") });
    const busy = decide({
      observation: obs({ ...pausedIdle, thumbnailGeneration: { active: 3, pending: 40 }, metadataExtraction: { isPaused: true, pending: 12 } }),
      policy: policy(1),
      ownership,
    });
    expect(busy.actions).toEqual([]);

    const done = decide({
      observation: obs({ ...pausedIdle, thumbnailGeneration: {}, metadataExtraction: { isPaused: true, pending: 12 } }),
      policy: policy(1),
      ownership: busy.ownership,
    });
    expect(summary(done.actions)).toEqual(["pause thumbnailGeneration (release)", "resume metadataExtraction (fill-slot)"]);
  });

  test("with N=2 a free slot is filled while another queue is busy (the seed waited for all to finish)", () => {
    const d = decide({
      observation: obs({
        ...pausedIdle,
        thumbnailGeneration: { active: 3, pending: 40 },
        metadataExtraction: { isPaused: true, pending: 12 },
        smartSearch: { isPaused: true, pending: 900 },
      }),
      policy: policy(2),
      ownership: own({ runningByUs: ["thumbnailGeneration"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "thumbnailGeneration") }),
    });
    expect(summary(d.actions)).toEqual(["resume metadataExtraction (fill-slot)"]);
    expect(d.occupiedAfter).toBe(2);
  });
});

describe("slots", () => {
  test("a paused queue still draining active jobs holds its slot", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, videoConversion: { isPaused: true, active: 1, pending: 3 }, metadataExtraction: { isPaused: true, pending: 5 } }),
      policy: policy(1),
      ownership: allPausedByUs(),
    });
    expect(d.actions).toEqual([]);
    expect(d.occupiedAfter).toBe(1);
  });

  test("a draining queue is not resumed into its own slot ahead of higher-priority work", () => {
    const draining = decide({
      observation: obs({ ...pausedIdle, videoConversion: { isPaused: true, active: 1, pending: 3 } }),
      policy: policy(1),
      ownership: allPausedByUs(),
    });
    expect(draining.actions).toEqual([]);
    const drained = decide({
      observation: obs({ ...pausedIdle, videoConversion: { isPaused: true, pending: 3 }, metadataExtraction: { isPaused: true, pending: 1 } }),
      policy: policy(1),
      ownership: draining.ownership,
    });
    expect(summary(drained.actions)).toEqual(["resume metadataExtraction (fill-slot)"]);
  });

  test("with a free slot, a draining queue with pending work is resumed at no extra slot", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, videoConversion: { isPaused: true, active: 1, pending: 3 } }),
      policy: policy(2),
      ownership: allPausedByUs(),
    });
    expect(summary(d.actions)).toEqual(["resume videoConversion (fill-slot)"]);
    expect(d.occupiedAfter).toBe(1);
  });

  test("delayed jobs alone are not work", () => {
    const d = decide({ observation: obs({ ...pausedIdle, library: { delayed: 4 } }), policy: policy(1), ownership: allPausedByUs(["library"]) });
    expect(summary(d.actions)).toEqual(["pause library (release)"]);
  });

  test("higher priority wins a free slot", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, videoConversion: { isPaused: true, pending: 3 }, sidecar: { isPaused: true, pending: 1 } }),
      policy: policy(1),
      ownership: allPausedByUs(),
    });
    expect(summary(d.actions)).toEqual(["resume sidecar (fill-slot)"]);
  });

  test("a custom priority order is followed", () => {
    const priority = ["videoConversion", "sidecar"];
    const d = decide({
      observation: obs({ videoConversion: { isPaused: true, pending: 3 }, sidecar: { isPaused: true, pending: 1 } }),
      policy: policy(1, priority),
      ownership: own({ pausedByUs: priority }),
    });
    expect(summary(d.actions)).toEqual(["resume videoConversion (fill-slot)"]);
  });
});

describe("other actors (rule 8)", () => {
  const running = own({ runningByUs: ["smartSearch"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "smartSearch") });

  test("a queue a person paused while the daemon ran it is held and never resumed", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, smartSearch: { isPaused: true, pending: 500 } }),
      policy: policy(1),
      ownership: running,
    });
    expect(d.actions).toEqual([]);
    expect(d.ownership.held).toEqual(["smartSearch"]);
    expect(d.notices.map((n) => n.code)).toContain("held");
    // and it stays held while the slot is free
    const again = decide({ observation: obs({ ...pausedIdle, smartSearch: { isPaused: true, pending: 500 }, faceDetection: { isPaused: true, pending: 9 } }), policy: policy(1), ownership: d.ownership });
    expect(summary(again.actions)).toEqual(["resume faceDetection (fill-slot)"]);
  });

  test("a held queue someone resumes is managed again, like one found running", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, smartSearch: { pending: 500 } }),
      policy: policy(1),
      ownership: own({ held: ["smartSearch"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "smartSearch") }),
    });
    expect(d.actions).toEqual([]);
    expect(d.ownership.held).toEqual([]);
    expect(d.ownership.runningByUs).toEqual(["smartSearch"]);
    expect(d.notices.map((n) => n.code)).toContain("unheld");
  });

  test("Immich resuming metadataExtraction at its start over the cap: paused again, with how to run it outside the cap", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, thumbnailGeneration: { active: 3, pending: 100 }, metadataExtraction: { active: 5, pending: 20 } }),
      policy: policy(1),
      ownership: own({ runningByUs: ["thumbnailGeneration"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "thumbnailGeneration") }),
    });
    expect(summary(d.actions)).toEqual(["pause metadataExtraction (over-cap)"]);
    expect(d.actions[0]!.detail).toContain("MAX_CONCURRENT_JOBS");
    expect(d.notices.map((n) => n.code)).toContain("resumed-by-other");
  });

  test("a queue someone resumed within the cap keeps running and is adopted", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, thumbnailGeneration: { active: 3, pending: 100 }, metadataExtraction: { active: 5, pending: 20 } }),
      policy: policy(2),
      ownership: own({ runningByUs: ["thumbnailGeneration"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "thumbnailGeneration") }),
    });
    expect(d.actions).toEqual([]);
    expect(d.ownership.runningByUs.sort()).toEqual(["metadataExtraction", "thumbnailGeneration"]);
  });

  test("a resume whose answer was lost is not mistaken for a person's pause", () => {
    const first = decide({ observation: obs({ ...pausedIdle, sidecar: { isPaused: true, pending: 2 } }), policy: policy(1), ownership: allPausedByUs() });
    expect(summary(first.actions)).toEqual(["resume sidecar (fill-slot)"]);
    // the command never reached the server: still paused
    const next = decide({ observation: obs({ ...pausedIdle, sidecar: { isPaused: true, pending: 2 } }), policy: policy(1), ownership: first.ownership });
    expect(next.ownership.held).toEqual([]);
    expect(summary(next.actions)).toEqual(["resume sidecar (fill-slot)"]);
  });
});

describe("confirmed commands", () => {
  test("a person's pause landing right after the daemon's confirmed resume is the person's", () => {
    const first = decide({ observation: obs({ ...pausedIdle, sidecar: { isPaused: true, pending: 2 } }), policy: policy(1), ownership: allPausedByUs() });
    expect(summary(first.actions)).toEqual(["resume sidecar (fill-slot)"]);
    const confirmed = confirmAction(first.ownership, first.actions[0]!);
    // the person pauses it before the daemon looks again
    const next = decide({ observation: obs({ ...pausedIdle, sidecar: { isPaused: true, pending: 2 } }), policy: policy(1), ownership: confirmed });
    expect(next.actions).toEqual([]);
    expect(next.ownership.held).toEqual(["sidecar"]);
  });

  test("a person's resume landing right after the daemon's confirmed pause is the person's", () => {
    const ownership = own({ runningByUs: ["smartSearch"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "smartSearch") });
    const first = decide({ observation: obs({ ...pausedIdle, smartSearch: {} }), policy: policy(1), ownership });
    expect(summary(first.actions)).toEqual(["pause smartSearch (release)"]);
    const confirmed = confirmAction(first.ownership, first.actions[0]!);
    const next = decide({ observation: obs({ ...pausedIdle, smartSearch: {} }), policy: policy(1), ownership: confirmed });
    expect(next.notices.map((n) => n.code)).toContain("resumed-by-other");
  });

  test("a refused pause is withdrawn: the queue is not claimed as the daemon's", () => {
    const ownership = own({ runningByUs: ["smartSearch"] });
    const first = decide({ observation: obs({ smartSearch: {} }), policy: policy(1, ["smartSearch"]), ownership });
    expect(first.ownership.pausedByUs).toEqual(["smartSearch"]);
    expect(withdrawAction(first.ownership, first.actions[0]!).pausedByUs).toEqual([]);
  });
});

describe("managed list (rule 5)", () => {
  test("unmanaged queues never count and are never touched", () => {
    const d = decide({
      observation: obs({ ...pausedIdle, backgroundTask: { active: 5, pending: 100 }, notifications: { active: 1 }, search: {}, sidecar: { isPaused: true, pending: 1 } }),
      policy: policy(1),
      ownership: allPausedByUs(),
    });
    expect(summary(d.actions)).toEqual(["resume sidecar (fill-slot)"]);
    expect(d.queues.find((q) => q.name === "backgroundTask")).toMatchObject({ managed: false, owner: "none" });
  });

  test("an unknown server queue and a configured queue the server lacks are noticed, not fatal", () => {
    const o = obs({ ...pausedIdle, brandNewQueue: { pending: 3 } });
    o.queues = o.queues.filter((q) => q.name !== "integrityCheck");
    const d = decide({ observation: o, policy: policy(1), ownership: allPausedByUs() });
    expect(d.actions).toEqual([]);
    expect(d.notices.map((n) => `${n.code} ${n.queue}`).sort()).toEqual(["missing-queue integrityCheck", "unknown-queue brandNewQueue"]);
  });
});

describe("actions", () => {
  test("pauses come before resumes, and applying the plan settles", () => {
    const o = obs({ ...pausedIdle, thumbnailGeneration: {}, metadataExtraction: { isPaused: true, pending: 5 } });
    const ownership = own({ runningByUs: ["thumbnailGeneration"], pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "thumbnailGeneration") });
    const d = decide({ observation: o, policy: policy(1), ownership });
    expect(d.actions.map((a) => a.kind)).toEqual(["pause", "resume"]);
    const again = decide({ observation: applyActions(o, d.actions), policy: policy(1), ownership: d.ownership });
    expect(again.actions).toEqual([]);
  });
});

describe("exit and recovery (rule 9)", () => {
  test("on exit only the queues the daemon paused are resumed, never held ones", () => {
    const o = obs({ ...pausedIdle, smartSearch: { isPaused: true, pending: 3 }, backgroundTask: { isPaused: true } });
    const ownership = own({ pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "smartSearch"), held: ["smartSearch"] });
    const actions = exitActions(o, ownership);
    expect(actions.map((a) => a.queue).sort()).toEqual(DEFAULT_PRIORITY.filter((q) => q !== "smartSearch").sort());
  });

  test("on exit, queues the daemon paused that someone has resumed since are not resumed again", () => {
    const o = obs({ ...pausedIdle, ocr: { pending: 2 } });
    expect(exitActions(o, allPausedByUs()).map((a) => a.queue)).not.toContain("ocr");
  });

  test("on exit without a fresh observation, every queue the daemon paused is resumed blindly, still never a held one", () => {
    const ownership = own({ pausedByUs: ["ocr", "smartSearch", "sidecar"], held: ["smartSearch"] });
    expect(exitActions(undefined, ownership)).toEqual([
      { queue: "ocr", kind: "resume", reason: "exit", detail: "the daemon paused it and is exiting" },
      { queue: "sidecar", kind: "resume", reason: "exit", detail: "the daemon paused it and is exiting" },
    ]);
  });

  test("resume-all resumes every paused managed queue, held ones too, and nothing unmanaged", () => {
    const o = obs({ ...pausedIdle, backgroundTask: { isPaused: true } });
    expect(resumeAllActions(o, policy()).map((a) => a.queue)).toEqual([...DEFAULT_PRIORITY]);
  });
});
