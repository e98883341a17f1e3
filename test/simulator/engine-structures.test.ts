// The engine's building blocks: the seeded PRNG, the event heap and the
// pending-job deque, checked against simple models with fast-check.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createRng } from "../../src/simulator/rng.ts";
import { Deque } from "../../src/simulator/sim-deque.ts";
import { EventHeap } from "../../src/simulator/sim-heap.ts";

describe("rng", () => {
  test("same seed, same stream; another seed, another stream", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createRng(seed).next);
    const a = draw(1);
    expect(draw(1)).toEqual(a);
    expect(draw(2)).not.toEqual(a);
  });

  test("values in range and roughly uniform", () => {
    const r = createRng(123);
    let sum = 0;
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const v = r.next();
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
      buckets[Math.floor(v * 10)]++;
    }
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
    for (const b of buckets) expect(Math.abs(b - 2_000)).toBeLessThan(200);
  });

  test("int and around stay in their bounds", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 0.99, noNaN: true }), (seed, n, spread) => {
        const r = createRng(seed);
        const i = r.int(n);
        const v = r.around(1_000, spread);
        return Number.isInteger(i) && i >= 0 && i < n && v >= 1_000 * (1 - spread) - 1e-9 && v <= 1_000 * (1 + spread) + 1e-9;
      }),
    );
  });

  test("forks are independent of draws on the parent and of each other", () => {
    const a = createRng(7);
    const b = createRng(7);
    b.next();
    b.next();
    expect(a.fork("x").next()).toBe(b.fork("x").next());
    expect(a.fork("x").next()).not.toBe(a.fork("y").next());
  });
});

describe("event heap", () => {
  test("pops by time, ties in insertion order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const heap = new EventHeap<{ at: number; seq: number; i: number }>();
        times.forEach((at, i) => heap.push({ at, seq: 0, i }));
        const out: number[] = [];
        for (let e = heap.pop(); e; e = heap.pop()) out.push(e.i);
        const expected = times.map((at, i) => ({ at, i })).sort((x, y) => x.at - y.at || x.i - y.i).map((x) => x.i);
        expect(out).toEqual(expected);
        expect(heap.size).toBe(0);
      }),
    );
  });

  test("interleaved pushes and pops keep the order", () => {
    const heap = new EventHeap<{ at: number; seq: number }>();
    for (const at of [5, 3, 9]) heap.push({ at, seq: 0 });
    expect(heap.pop()!.at).toBe(3);
    heap.push({ at: 1, seq: 0 });
    heap.push({ at: 7, seq: 0 });
    expect([heap.pop()!.at, heap.pop()!.at, heap.peek()!.at]).toEqual([1, 5, 7]);
  });
});

describe("deque", () => {
  test("behaves like an array under push, unshift and shift, across growth", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("push" as const), v: fc.integer() }),
      fc.record({ kind: fc.constant("unshift" as const), v: fc.integer() }),
      fc.record({ kind: fc.constant("shift" as const) }),
      fc.record({ kind: fc.constant("clear" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const d = new Deque<number>(2);
        const model: number[] = [];
        for (const o of ops) {
          if (o.kind === "push") (d.push(o.v), model.push(o.v));
          else if (o.kind === "unshift") (d.unshift(o.v), model.unshift(o.v));
          else if (o.kind === "shift") expect(d.shift()).toBe(model.shift());
          else (d.clear(), (model.length = 0));
          expect(d.length).toBe(model.length);
        }
        expect([...d]).toEqual(model);
      }),
    );
  });
});
