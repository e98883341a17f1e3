// The live demo's clock: a VirtualClock that stands still until started and
// then keeps `speed` times ahead of the real clock (here itself virtual).

import { expect, test } from "bun:test";
import { pacedClock } from "../../src/demo/paced-clock.ts";
import { VirtualClock } from "../../src/shared/clock.ts";

test("stands still until started, then runs speed times faster, waking sleepers on the way", async () => {
  const real = new VirtualClock(1_000_000);
  const pacer = pacedClock(real, 120, { tickMs: 20, settleMs: 20 });
  const t0 = pacer.clock.now();
  expect(t0).toBe(1_000_000);
  await real.advance(1_000);
  expect(pacer.clock.now()).toBe(t0); // not started: start-up takes no simulated time

  pacer.start();
  const woke: number[] = [];
  void pacer.clock.sleep(60_000).then(() => woke.push(pacer.clock.now()));
  await real.advance(1_000, 300);
  // One real second at 120×: two simulated minutes, give or take the last 20 ms tick.
  expect(pacer.clock.now() - t0).toBeGreaterThanOrEqual(120_000 - 20 * 120);
  expect(pacer.clock.now() - t0).toBeLessThanOrEqual(120_000);
  expect(woke).toEqual([t0 + 60_000]); // at its own time, not at the tick's
  await pacer.stop();
  await real.advance(1_000);
  expect(pacer.clock.now() - t0).toBeLessThanOrEqual(120_000);
});

test("refuses a speed that is not a positive number", () => {
  expect(() => pacedClock(new VirtualClock(), 0)).toThrow("speed must be a positive number");
});
