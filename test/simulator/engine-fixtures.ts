// Shared set-up for the engine and scenario tests: an engine on a
// VirtualClock at a fixed start, and a way to move to "t ms after start".
import { VirtualClock } from "../../src/shared/clock.ts";
import { createEngine } from "../../src/simulator/engine.ts";
import type { Engine, EngineOptions } from "../../src/simulator/engine-types.ts";
import { PROFILES, type ProfileName } from "../../src/simulator/profiles.ts";

export const T0 = Date.UTC(2026, 0, 1);

export interface Sim {
  clock: VirtualClock;
  engine: Engine;
  /** Move the clock to T0 + ms (never back) and return the engine. */
  at(ms: number): Engine;
  /** Counts of one queue now. */
  counts(queue: string): { active: number; waiting: number; paused: number; delayed: number; completed: number; failed: number };
  /** Advance in steps until no job is left anywhere; returns the offset reached. */
  drain(stepMs?: number, limitMs?: number): number;
}

export function sim(opts: Partial<EngineOptions> & { profile?: ProfileName } = {}): Sim {
  const { profile = "v3.1", ...rest } = opts;
  const clock = new VirtualClock(T0);
  const engine = createEngine(clock, { queues: PROFILES[profile].queues, seed: 1, ...rest });
  const at = (ms: number) => {
    clock.set(T0 + ms);
    return engine;
  };
  return {
    clock,
    engine,
    at,
    counts: (queue) => {
      const q = engine.get(queue);
      if (!q) throw new Error(`no queue ${queue}`);
      return q.counts;
    },
    drain: (stepMs = 1_000, limitMs = 48 * 3_600_000) => {
      while (!engine.isIdle()) {
        const next = clock.now() - T0 + stepMs;
        if (next > limitMs) throw new Error(`not idle after ${limitMs} ms`);
        at(next);
      }
      return clock.now() - T0;
    },
  };
}

/** Exact means, no jitter: for hand-computed expectations. */
export const exact = { jitter: 0 } as const;
