// The "decide" step and the bookkeeping that rides along with every answered
// look: MAX_WAIT's memory, the measured drain rates, when to look next (rule
// 12) and the ETAs. What it keeps is plain data, read by the status snapshot,
// the heartbeat and tests as the daemon's latest view.

import type { Blockers } from "../core/blockers.ts";
import { decide } from "../core/decide.ts";
import { estimate, updateDrain, type DrainState, type Eta } from "../core/eta.ts";
import { emptyWaitMemory, type WaitMemory } from "../core/max-wait.ts";
import { nextLook, type NextLook } from "../core/next-look.ts";
import type { Decision, Observation, Ownership, Policy } from "../core/types.ts";

/** What the daemon saw and decided at its latest look, as plain data (status, metrics, tests). */
export interface DaemonView {
  observation: Observation;
  decision: Decision;
  /** Time to empty per managed queue and overall, from the measured drain rates. */
  eta: Eta;
  /** How long until the next look, and why (rule 12). */
  next: NextLook;
}

export class CycleBook {
  private memory: WaitMemory = emptyWaitMemory();
  private drain: DrainState = {};
  private previous: Observation | undefined;
  /** The latest look (undefined before the first). */
  latest: DaemonView | undefined;

  constructor(
    private readonly policy: Policy,
    private readonly pollIntervalMs: number,
    private readonly minPollIntervalMs: number,
  ) {}

  /** Decides on `observation` and records the look: memory, drain rates, next look, ETAs. */
  decide(observation: Observation, ownership: Ownership, adoptPaused: boolean, blocked?: Blockers): Decision {
    const { policy } = this;
    const decision = decide({
      observation,
      policy,
      ownership,
      adoptPaused,
      memory: this.memory,
      ...(blocked ? { blockers: blocked } : {}),
    });
    this.memory = decision.memory;
    this.drain = updateDrain(this.drain, observation, policy.priority);
    const next = nextLook({
      ...(this.previous ? { previous: this.previous } : {}),
      observation,
      decision,
      drain: this.drain,
      priority: policy.priority,
      maxConcurrent: policy.maxConcurrent,
      pollMs: this.pollIntervalMs,
      minMs: this.minPollIntervalMs,
    });
    this.previous = observation;
    this.latest = { observation, decision, eta: estimate(this.drain, observation, policy.priority, policy.maxConcurrent, blocked), next };
    return decision;
  }

  /** Jobs finished per second while running, per managed queue measured so far. */
  drainRates(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, d] of Object.entries(this.drain)) if (d.rate !== undefined) out[name] = d.rate;
    return out;
  }
}
