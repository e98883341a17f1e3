// The timeline's history: active stretches merged across polls, marks kept,
// and both bounded by age and count however long the daemon runs.
import { describe, expect, test } from "bun:test";
import { HISTORY_MS, History, MAX_MARKS, MAX_SPANS_PER_QUEUE } from "../../src/status/history.ts";

/** A look where the named queues have one active job (and 5 jobs of work); the others none. */
const on = (...names: string[]) => (all: string[]) => new Map(all.map((n) => [n, names.includes(n) ? { active: 1, total: 5 } : { active: 0, total: 0 }]));
/** A look at queue "a" alone with these counts. */
const look = (active: number, total: number) => new Map([["a", { active, total }]]);

describe("the history behind the timeline", () => {
  test("consecutive active polls are one span, ending at the first poll that saw the queue idle", () => {
    const h = new History();
    const q = ["a", "b"];
    h.sample(0, on("a")(q));
    h.sample(10, on("a", "b")(q));
    h.sample(20, on("b")(q));
    h.sample(30, on()(q));
    h.sample(40, on("a")(q));
    const t = h.timeline(q);
    expect(t.queues).toEqual([
      { name: "a", spans: [{ start: 0, end: 20 }, { start: 40, end: 40 }] },
      { name: "b", spans: [{ start: 10, end: 30 }] },
    ]);
    expect(t).toMatchObject({ from: 0, to: 40 });
  });

  test("a run shorter than the interval between two looks is shown between them, marked as such, with the jobs it did", () => {
    const h = new History();
    h.sample(0, look(0, 12)); // paused, 12 waiting
    h.sample(10, look(0, 12)); // still nothing done: no span
    h.sample(20, look(0, 4)); // idle again, but 8 jobs are gone: it ran in between
    h.sample(30, look(0, 0)); // and the last 4, between 20 and 30
    h.sample(40, look(0, 3)); // new uploads: arrivals are not runs
    h.sample(50, look(2, 3)); // caught running: an ordinary span
    h.sample(60, look(0, 0));
    expect(h.timeline(["a"]).queues[0]!.spans).toEqual([
      { start: 10, end: 20, between: true, jobs: 8 },
      { start: 20, end: 30, between: true, jobs: 4 },
      { start: 50, end: 60 },
    ]);
  });

  test("a queue missing from a look starts afresh: its count before the gap is not compared with the one after", () => {
    const h = new History();
    h.sample(0, look(0, 12));
    h.sample(10, new Map());
    h.sample(20, look(0, 4));
    expect(h.timeline(["a"]).queues[0]!.spans).toEqual([]);
  });

  test("a snapshot's timeline is a copy: later samples do not change it", () => {
    const h = new History();
    h.sample(0, on("a")(["a"]));
    const before = h.timeline(["a"]);
    h.sample(10, on("a")(["a"]));
    expect(before.queues[0]!.spans).toEqual([{ start: 0, end: 0 }]);
  });

  test("bounded by age and count: months of 1-second polls keep at most the horizon and the caps", () => {
    const h = new History();
    const q = ["a", "b", "c"];
    const step = 1_000;
    for (let i = 0; i < 200_000; i++) {
      // Flapping every poll: the worst case for the number of spans.
      h.sample(i * step, on(...(i % 2 ? ["a", "c"] : ["b"]))(q));
      if (i % 3 === 0) h.mark({ at: i * step, queue: "a", kind: "pause", reason: "release" });
    }
    const t = h.timeline(q);
    for (const row of t.queues) {
      expect(row.spans.length).toBeLessThanOrEqual(MAX_SPANS_PER_QUEUE);
      expect(row.spans[0]!.end).toBeGreaterThanOrEqual(t.to - HISTORY_MS);
    }
    expect(t.marks.length).toBeLessThanOrEqual(MAX_MARKS);
    expect(t.marks[0]!.at).toBeGreaterThanOrEqual(t.to - HISTORY_MS);
    expect(t.from).toBe(t.to - HISTORY_MS);
    expect(JSON.stringify(t).length).toBeLessThan(200_000);
  });
});
