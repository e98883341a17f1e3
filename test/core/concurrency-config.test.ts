// Tables for writing job concurrency into Immich's system config
// (src/core/concurrency-config.ts): only the tuned fields change, a person's
// change becomes the baseline, another change elsewhere skips the cycle, and
// the restore puts back exactly the owner's values.
import { describe, expect, test } from "bun:test";
import { jobConcurrency, needsRestore, planRestore, planWrite, type SystemConfig } from "../../src/core/concurrency-config.ts";

const config = (job: Record<string, number>, extra: Record<string, unknown> = {}): SystemConfig => ({
  ffmpeg: { crf: 23, preset: "ultrafast" },
  job: Object.fromEntries(Object.entries(job).map(([q, c]) => [q, { concurrency: c }])),
  ...extra,
});
const defaults = { thumbnailGeneration: 3, metadataExtraction: 5, videoConversion: 1, backgroundTask: 5, smartSearch: 2 };

describe("jobConcurrency", () => {
  test("managed queues with a configurable concurrency; fixed ones and unmanaged ones are not tuned", () => {
    const c = config({ ...defaults, facialRecognition: 1 });
    expect(jobConcurrency(c, ["metadataExtraction", "thumbnailGeneration", "facialRecognition", "duplicateDetection"])).toEqual({ metadataExtraction: 5, thumbnailGeneration: 3 });
  });
});

describe("planWrite", () => {
  test("first write: the baseline is what the server held; only the target fields change; the rest is written back as read", () => {
    const read = config(defaults);
    const p = planWrite({ read, leftAlone: [], targets: { thumbnailGeneration: 2, metadataExtraction: 5 } });
    expect(p.write).toEqual(config({ ...defaults, thumbnailGeneration: 2 }));
    expect(p.record).toEqual({ baseline: { thumbnailGeneration: 3, metadataExtraction: 5 }, expected: { thumbnailGeneration: 2, metadataExtraction: 5 } });
    expect(read.job.thumbnailGeneration!.concurrency).toBe(3); // the read is not mutated
  });

  test("nothing to change: no write", () => {
    const p = planWrite({ read: config(defaults), leftAlone: [], targets: { thumbnailGeneration: 3 } });
    expect(p.write).toBeUndefined();
  });

  test("never above the owner's value", () => {
    const p = planWrite({ read: config(defaults), leftAlone: [], targets: { thumbnailGeneration: 9 } });
    expect(p.write).toBeUndefined();
  });

  test("a person changed a tuned queue: their value is the new baseline, no write that cycle, the queue is named", () => {
    const record = { baseline: { thumbnailGeneration: 3 }, expected: { thumbnailGeneration: 2 } };
    const p = planWrite({ read: config({ ...defaults, thumbnailGeneration: 4 }), previous: config({ ...defaults, thumbnailGeneration: 2 }), record, leftAlone: [], targets: { thumbnailGeneration: 1 } });
    expect(p.write).toBeUndefined();
    expect(p.personChanged).toEqual([{ queue: "thumbnailGeneration", expected: 2, found: 4 }]);
    expect(p.record).toEqual({ baseline: { thumbnailGeneration: 4 }, expected: { thumbnailGeneration: 4 } });
  });

  test("something else changed since the previous read: nothing is written this cycle", () => {
    const previous = config(defaults);
    const read = config(defaults, { ffmpeg: { crf: 30, preset: "ultrafast" } });
    const p = planWrite({ read, previous, leftAlone: [], targets: { thumbnailGeneration: 2 } });
    expect(p.othersChanged).toBe(true);
    expect(p.write).toBeUndefined();
    // Another queue's concurrency, not tuned, counts as something else too.
    const q = planWrite({ read: config({ ...defaults, backgroundTask: 2 }), previous, leftAlone: [], targets: { thumbnailGeneration: 2 } });
    expect(q.othersChanged).toBe(true);
  });

  test("a queue left alone is never written", () => {
    const p = planWrite({ read: config(defaults), leftAlone: ["thumbnailGeneration"], targets: { thumbnailGeneration: 1 } });
    expect(p.write).toBeUndefined();
  });
});

describe("planRestore", () => {
  test("the daemon's values go back to the owner's; a person's value stays", () => {
    const record = { baseline: { thumbnailGeneration: 3, metadataExtraction: 5, smartSearch: 2 }, expected: { thumbnailGeneration: 1, metadataExtraction: 3, smartSearch: 1 } };
    const read = config({ ...defaults, thumbnailGeneration: 1, metadataExtraction: 4, smartSearch: 2 });
    const r = planRestore(read, record);
    expect(r.write).toEqual(config({ ...defaults, thumbnailGeneration: 3, metadataExtraction: 4, smartSearch: 2 }));
    expect(r.restored).toEqual([{ queue: "thumbnailGeneration", from: 1, to: 3 }]);
    expect(r.leftAlone).toEqual([{ queue: "metadataExtraction", expected: 3, found: 4 }]);
  });

  test("nothing lowered: nothing to write", () => {
    expect(planRestore(config(defaults), { baseline: { thumbnailGeneration: 3 }, expected: { thumbnailGeneration: 3 } }).write).toBeUndefined();
    expect(needsRestore({ baseline: { thumbnailGeneration: 3 }, expected: { thumbnailGeneration: 3 } })).toBe(false);
    expect(needsRestore({ baseline: { thumbnailGeneration: 3 }, expected: { thumbnailGeneration: 2 } })).toBe(true);
  });
});

describe("queue names are data (issue 16 item 4)", () => {
  test("a managed queue named like a key of Object.prototype has no concurrency unless the server's job section holds it", () => {
    const c = { job: { thumbnailGeneration: { concurrency: 3 } } } as unknown as SystemConfig;
    const known = jobConcurrency(c, ["constructor", "toString", "__proto__", "thumbnailGeneration"]);
    for (const name of ["constructor", "toString", "__proto__"]) expect(known[name]).toBeUndefined();
    expect(Object.keys(known)).toEqual(["thumbnailGeneration"]);
  });
});
