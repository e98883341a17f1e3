// The ways of running Immich that the benchmark compares:
//   none    Immich alone: nothing is ever paused;
//   seed    the original script (seed-policy.ts), the baseline, polling at a
//           fixed pace and driving the simulator's engine directly;
//   strict  this project's Daemon with MAX_WAIT=off (rule 12's standby and
//           adaptive next look on: the script's strict priority order);
//   daemon  this project's Daemon with its defaults (MAX_WAIT=10m,
//           MIN_POLL_INTERVAL=1s).
// The two daemon columns are the real Daemon class on a virtual clock
// (daemon-run.ts), in-process through engine-client.ts and, for one seed
// per cell, over real HTTP; bench.ts checks that the two agree.

import type { Observation } from "../src/core/types.ts";
import type { Engine } from "../src/simulator/engine-types.ts";
import type { RequestMeter } from "./requests.ts";
import { type SeedMemory, seedPoll } from "./seed-policy.ts";

/** In the order the runs are made and reported (the report's columns). */
export const POLICY_NAMES = ["none", "seed", "strict", "daemon"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];
export type DaemonPolicy = Extract<PolicyName, "strict" | "daemon">;
export const isDaemonPolicy = (p: PolicyName): p is DaemonPolicy => p === "strict" || p === "daemon";

/** Column headings. */
export const POLICY_LABELS: Record<PolicyName, string> = {
  none: "no daemon",
  seed: "seed script (baseline)",
  strict: "daemon, MAX_WAIT=off",
  daemon: "daemon, defaults",
};

/** MAX_WAIT per daemon policy (ms; null = off). */
export const MAX_WAIT_MS: Record<DaemonPolicy, number | null> = { strict: null, daemon: 600_000 };

/** Commands sent. */
export interface CommandCount {
  pauses: number;
  resumes: number;
}

export interface Controller {
  /** One poll at the engine's current instant. */
  poll(): void;
  /** What it does when stopped (the seed: nothing). */
  exit(): void;
}

/** The engine's queues as the client would report them from GET /api/queues. */
export function observeEngine(engine: Engine): Observation {
  return {
    at: engine.now(),
    api: "queues",
    queues: engine.list().map((q) => ({ name: q.name, isPaused: q.isPaused, ...q.counts })),
  };
}

export function noDaemon(): Controller {
  return { poll() {}, exit() {} };
}

/** The seed script with MAX_CONCURRENT_JOBS = n. Its commands are labelled "seed"; each poll is one GET. */
export function seedController(engine: Engine, n: number, meter: RequestMeter): Controller {
  let memory: SeedMemory = {};
  return {
    poll() {
      meter.request("GET");
      const r = seedPoll(observeEngine(engine), n, memory);
      memory = r.memory;
      for (const c of r.commands) {
        meter.request("PUT", c.paused);
        engine.setPaused(c.queue, c.paused, "seed");
      }
    },
    exit() {}, // the seed leaves everything as it is: paused
  };
}
