// The benchmark's arithmetic: the slot meter's integration and the ratios'
// edge cases, on hand-made inputs whose answers are worked out by hand.
import { describe, expect, test } from "bun:test";
import { SlotMeter } from "../../bench/meter.ts";
import { formatRatio } from "../../bench/report.ts";
import { ratio } from "../../bench/summary.ts";
import type { EngineQueue } from "../../src/simulator/engine-types.ts";

const q = (name: string, active: number, pending: number, isPaused = false): EngineQueue => ({
  name,
  isPaused,
  counts: { active, completed: 0, failed: 0, delayed: 0, waiting: isPaused ? 0 : pending, paused: isPaused ? pending : 0 },
});

describe("slot meter", () => {
  test("integrates min(free slots, waiting queues) over time, from the workload's arrival, managed queues only", () => {
    const m = new SlotMeter(2, ["a", "b", "c"], 100);
    m.sample(0, [q("a", 0, 5, true), q("b", 0, 5, true)]); // before `from`: 2 idle slots, not counted
    m.sample(150, [q("a", 1, 5), q("b", 0, 5, true), q("x", 0, 9, true)]); // 50 ms × 2 counted; now 1 idle (x unmanaged)
    m.sample(250, [q("a", 1, 5), q("b", 1, 0), q("c", 0, 3, true)]); // 100 ms × 1; now none free
    m.sample(400, [q("a", 0, 0), q("b", 0, 0), q("c", 0, 3, true)]); // 150 ms × 0; now 1 (one waiting queue)
    m.sample(410, []);
    expect(m.idleSlotMs).toBe(50 * 2 + 100 * 1 + 10 * 1);
    expect(m.idleMs).toBe(50 + 100 + 10);
  });
});

describe("ratios", () => {
  test("ratio of the means, with the per-seed range", () => {
    const r = ratio([1, 4], [2, 4]);
    expect(r.ratio).toBeCloseTo(5 / 6);
    expect(r.min).toBeCloseTo(0.5);
    expect(r.max).toBeCloseTo(1);
    expect(formatRatio(r)).toBe("0.83 (0.50–1.00)");
  });

  test("zeros and missing values", () => {
    expect(ratio([0, 0], [0, 0])).toEqual({ ratio: null, min: null, max: null, note: "both zero" });
    expect(ratio([3, 0], [0, 0]).note).toBe("baseline zero");
    expect(ratio([2, null], [4, 8]).ratio).toBeCloseTo(0.5); // only seeds where both have a value
    expect(formatRatio(ratio([0], [0]))).toBe("= (both 0)");
    expect(formatRatio(ratio([1], [250]))).toBe("0.0040");
  });
});
