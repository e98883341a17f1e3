// Sped-up time built on an injected clock. The demo runs the simulator and
// the daemon on one such clock; deriving it from the clock it is handed
// (instead of ScaledClock, which reads the real time itself) lets tests hand
// the whole command a VirtualClock and still see the speed-up applied.

import type { Clock } from "../shared/clock.ts";

/**
 * A clock running `speed` times faster than `base`, starting at base's now:
 * `speed` simulated milliseconds pass per millisecond of `base`.
 */
export function spedUp(base: Clock, speed: number): Clock {
  if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const start = base.now();
  return {
    now: () => start + (base.now() - start) * speed,
    sleep: (ms, signal) => base.sleep(ms / speed, signal),
  };
}
