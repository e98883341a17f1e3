// The timeline's history: active stretches merged across polls, marks kept,
// and both bounded by age and count however long the daemon runs.
import { describe, expect, test } from "bun:test";
import { HISTORY_MS, History, MAX_MARKS, MAX_SPANS_PER_QUEUE } from "../../src/status/history.ts";

const on = (...names: string[]) => (all: string[]) => new Map(all.map((n) => [n, names.includes(n)]));

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
