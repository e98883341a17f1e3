// The three ways of running Immich that the benchmark compares, each driving
// the simulator's engine directly (no HTTP) once per poll, at the same
// simulated instants as a real poller would:
//   none    Immich alone: nothing is ever paused;
//   seed    the original script (seed-policy.ts), the baseline;
//   daemon  this project's decide() with the ownership the Daemon class keeps
//           between cycles, exactly as Daemon.cycle and Daemon.shutdown use it.
// The real Daemon over real HTTP is http-run.ts; bench.ts runs both for the
// daemon and reports whether they agree.

import { decide, exitActions } from "../src/core/decide.ts";
import type { Observation, Ownership, Policy } from "../src/core/types.ts";
import { emptyOwnership } from "../src/core/types.ts";
import type { Engine } from "../src/simulator/engine-types.ts";
import { type SeedMemory, seedPoll } from "./seed-policy.ts";

/** In the order the runs are made and reported (the report's columns). */
export const POLICY_NAMES = ["none", "seed", "daemon"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Commands a controller sent. */
export interface CommandCount {
  pauses: number;
  resumes: number;
}

export interface Controller {
  /** One poll at the engine's current instant. */
  poll(): void;
  /** What it does when stopped (the seed: nothing; the daemon: resume what it paused). */
  exit(): void;
  /** Commands sent by poll() so far. */
  readonly sent: CommandCount;
  /** Commands sent by exit(). */
  readonly sentOnExit: CommandCount;
}

/** The engine's queues as the client would report them from GET /api/queues. */
export function observeEngine(engine: Engine): Observation {
  return {
    at: engine.now(),
    api: "queues",
    queues: engine.list().map((q) => ({ name: q.name, isPaused: q.isPaused, ...q.counts })),
  };
}

const zero = (): CommandCount => ({ pauses: 0, resumes: 0 });

/** Sends one pause or resume to the engine, counting it. */
function sender(engine: Engine, actor: string, count: CommandCount) {
  return (queue: string, paused: boolean) => {
    engine.setPaused(queue, paused, actor);
    if (paused) count.pauses++;
    else count.resumes++;
  };
}

export function noDaemon(): Controller {
  return { poll() {}, exit() {}, sent: zero(), sentOnExit: zero() };
}

/** The seed script with MAX_CONCURRENT_JOBS = n. Its commands are labelled "seed". */
export function seedController(engine: Engine, n: number): Controller {
  let memory: SeedMemory = {};
  const sent = zero();
  const send = sender(engine, "seed", sent);
  return {
    sent,
    sentOnExit: zero(),
    poll() {
      const r = seedPoll(observeEngine(engine), n, memory);
      memory = r.memory;
      for (const c of r.commands) send(c.queue, c.paused);
    },
    exit() {}, // the seed leaves everything as it is: paused
  };
}

/**
 * decide() in the Daemon's loop, minus logging and HTTP: the first cycle
 * adopts paused queues (no state file), ownership is kept before the actions
 * are sent, actions go in the order decide() returns them. Labelled "daemon",
 * as the simulator labels the daemon's API key in http-run.ts.
 */
export function decideController(engine: Engine, policy: Policy): Controller {
  let ownership: Ownership = emptyOwnership();
  let adoptPaused = true;
  const sent = zero();
  const sentOnExit = zero();
  const send = sender(engine, "daemon", sent);
  return {
    sent,
    sentOnExit,
    poll() {
      const d = decide({ observation: observeEngine(engine), policy, ownership, adoptPaused });
      adoptPaused = false;
      ownership = d.ownership;
      for (const a of d.actions) send(a.queue, a.kind === "pause");
    },
    exit() {
      const sendExit = sender(engine, "daemon", sentOnExit);
      for (const a of exitActions(observeEngine(engine), ownership)) sendExit(a.queue, a.kind === "pause");
    },
  };
}
