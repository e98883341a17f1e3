// Micro-benchmark: how many decisions per second decide() makes, against the
// seed script's decision (seed-policy.ts) on the very same inputs, measured
// in the same process, as a ratio. Inputs are seeded random observations of
// every queue of a profile (random pause flags and counts), fed in sequence
// with each function's own memory carried over (decide's ownership, the
// seed's remembered flags), as a poller would. The timer is injected: this
// file never reads a clock itself.

import { decide } from "../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../src/core/queues.ts";
import type { Observation, Ownership } from "../src/core/types.ts";
import { emptyOwnership } from "../src/core/types.ts";
import { DEFAULT_CONCURRENCY, PROFILES, type ProfileName } from "../src/simulator/profiles.ts";
import { createRng } from "../src/simulator/rng.ts";
import { type SeedMemory, seedPoll } from "./seed-policy.ts";

export interface MicroOptions {
  /** Milliseconds, monotonic (performance.now in bench/run.ts). */
  now: () => number;
  seed: number;
  profile: ProfileName;
  /** Distinct random observations, cycled through. */
  observations: number;
  /** N for both policies. */
  n: number;
  /** Each function runs at least this long per round. */
  minMsPerRound: number;
  /** Rounds per function, alternating which goes first; the median round counts. */
  rounds: number;
}

export interface MicroResult {
  observations: number;
  queuesPerObservation: number;
  rounds: number;
  /** Median over rounds, decisions per second. */
  decidePerSec: number;
  seedPerSec: number;
  /** decidePerSec / seedPerSec. */
  ratio: number;
  /** Microseconds per decide() call (median round). */
  decideMicros: number;
  /** Actions decided over one pass of the inputs (a check that the work was done, and identical across rounds). */
  decideActionsPerPass: number;
  seedCommandsPerPass: number;
}

/**
 * Seeded random observations: every queue of the profile with random flags
 * and counts. In half of them nothing is active anywhere: the seed returns at
 * once whenever any queue is active, so with activity everywhere it would be
 * timed doing almost nothing; this way both functions do their full work on
 * half of the inputs.
 */
export function randomObservations(count: number, seed: number, profile: ProfileName): Observation[] {
  const rng = createRng(seed).fork("micro");
  const queues = PROFILES[profile].queues;
  const out: Observation[] = [];
  for (let i = 0; i < count; i++) {
    const busy = rng.next() < 0.5;
    out.push({
      at: i * 10_000,
      api: "queues",
      queues: queues.map((name) => {
        const isPaused = rng.next() < 0.5;
        const pending = rng.next() < 0.5 ? rng.int(5_000) : 0;
        const active = busy && rng.next() < 0.3 ? 1 + rng.int(DEFAULT_CONCURRENCY[name] ?? 1) : 0;
        return {
          name,
          isPaused,
          active,
          completed: 0,
          failed: 0,
          delayed: rng.next() < 0.05 ? rng.int(10) : 0,
          waiting: isPaused ? 0 : pending,
          paused: isPaused ? pending : 0,
        };
      }),
    });
  }
  return out;
}

/** One pass of decide() over the inputs; returns the number of actions. */
function decidePass(inputs: readonly Observation[], n: number): number {
  let ownership: Ownership = emptyOwnership();
  let actions = 0;
  inputs.forEach((observation, i) => {
    const d = decide({ observation, policy: { maxConcurrent: n, priority: DEFAULT_PRIORITY }, ownership, adoptPaused: i === 0 });
    ownership = d.ownership;
    actions += d.actions.length;
  });
  return actions;
}

/** One pass of the seed's poll over the inputs; returns the number of commands. */
function seedPass(inputs: readonly Observation[], n: number): number {
  let memory: SeedMemory = {};
  let commands = 0;
  for (const observation of inputs) {
    const r = seedPoll(observation, n, memory);
    memory = r.memory;
    commands += r.commands.length;
  }
  return commands;
}

/** Decisions per second of `pass`, run whole passes until minMs elapsed. */
function timeRound(now: () => number, minMs: number, perPass: number, pass: () => number, expect: number): number {
  const start = now();
  let calls = 0;
  let elapsed = 0;
  do {
    if (pass() !== expect) throw new Error("a pass decided differently from the first one: the inputs are not deterministic");
    calls += perPass;
    elapsed = now() - start;
  } while (elapsed < minMs);
  return (calls / Math.max(elapsed, 1e-3)) * 1000;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function microBench(o: MicroOptions): MicroResult {
  const inputs = randomObservations(o.observations, o.seed, o.profile);
  const runDecide = () => decidePass(inputs, o.n);
  const runSeed = () => seedPass(inputs, o.n);
  // Warm both up (JIT) and learn what a pass must return.
  const decideActions = runDecide();
  const seedCommands = runSeed();
  const d: number[] = [];
  const s: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    // Alternate the order so neither always runs on a warmer (or hotter) machine.
    if (r % 2 === 0) {
      d.push(timeRound(o.now, o.minMsPerRound, inputs.length, runDecide, decideActions));
      s.push(timeRound(o.now, o.minMsPerRound, inputs.length, runSeed, seedCommands));
    } else {
      s.push(timeRound(o.now, o.minMsPerRound, inputs.length, runSeed, seedCommands));
      d.push(timeRound(o.now, o.minMsPerRound, inputs.length, runDecide, decideActions));
    }
  }
  const decidePerSec = median(d);
  const seedPerSec = median(s);
  return {
    observations: inputs.length,
    queuesPerObservation: PROFILES[o.profile].queues.length,
    rounds: o.rounds,
    decidePerSec,
    seedPerSec,
    ratio: decidePerSec / seedPerSec,
    decideMicros: 1e6 / decidePerSec,
    decideActionsPerPass: decideActions,
    seedCommandsPerPass: seedCommands,
  };
}
