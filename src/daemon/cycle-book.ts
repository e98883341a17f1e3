// The "decide" step and the bookkeeping that rides along with every answered
// look: MAX_WAIT's memory, the measured drain rates, when to look next (rule
// 12) and the ETAs. What it keeps is plain data, read by the status snapshot,
// the heartbeat and tests as the daemon's latest view.
//
// A quiet look (quiet.ts: the server shows exactly what it showed last time,
// no managed queue has work, nothing was sent and nothing else changed) is
// decided by reusing the previous decision: every piece above is a pure
// function of inputs that are then the same, and none depends on the time
// while no queue has work. That is an idle daemon's every poll, and deciding
// afresh was the largest part of its cost (issue 6: ~0.3 ms of CPU a look in
// the compiled binary, which runs without a JIT).

import { dict } from "../shared/dict.ts";
import type { Blockers } from "../core/blockers.ts";
import { decide } from "../core/decide.ts";
import { estimate, updateDrain, type DrainState, type Eta } from "../core/eta.ts";
import { emptyWaitMemory, type WaitMemory } from "../core/max-wait.ts";
import { nextLook, type NextLook } from "../core/next-look.ts";
import { type ControlState, isEmptyControl } from "../core/control.ts";
import { isQuietRepeat } from "./quiet.ts";
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
  private drain: DrainState = dict();
  private previous: Observation | undefined;
  private previousBlocked: Blockers | undefined;
  /** The latest look (undefined before the first). */
  latest: DaemonView | undefined;
  /** Looks decided by reusing the previous decision (tests, and the curious). */
  quietLooks = 0;
  /** The cap the latest decision was made with. */
  private lastN: number | undefined;
  private controlledBefore = false;
  /** The pass-through queues of the last decision, joined: a change decides afresh. */
  private lastPassThrough = "";

  constructor(
    private readonly policy: Policy,
    private readonly pollIntervalMs: number,
    private readonly minPollIntervalMs: number,
    /** Off only to check, in tests, that reusing gives what deciding afresh would. */
    private readonly reuseQuietLooks = true,
  ) {}

  /**
   * Decides on `observation` and records the look: memory, drain rates, next
   * look, ETAs. `n` is the cap in force when it is not the configured one
   * (rule 15's controller; the owner's temporary N, rule 16, wins over it in
   * decide()); the ETAs use the cap in force too.
   */
  decide(
    observation: Observation,
    ownership: Ownership,
    adoptPaused: boolean | ReadonlySet<string>,
    blocked?: Blockers,
    n?: number,
    control?: { state: ControlState; zone: string },
    passThrough: readonly string[] = [],
  ): Decision {
    const policy = n === undefined || n === this.policy.maxConcurrent ? this.policy : { ...this.policy, maxConcurrent: n };
    const { latest } = this;
    const sameN = policy.maxConcurrent === this.lastN;
    this.lastN = policy.maxConcurrent;
    // The owner's instructions (rule 16) are decided afresh every look while any stands, and at the look after.
    const controlled = !isEmptyControl(control?.state) || this.controlledBefore;
    this.controlledBefore = !isEmptyControl(control?.state);
    // Queues passing through (core/pass-through.ts): a change of that set is a change of the decision's inputs.
    const through = passThrough.join(",");
    const sameThrough = through === this.lastPassThrough;
    this.lastPassThrough = through;
    if (
      !controlled &&
      this.reuseQuietLooks &&
      latest !== undefined &&
      sameN &&
      sameThrough &&
      adoptPaused === false &&
      isQuietRepeat({ before: latest, blockedBefore: this.previousBlocked, observation, ownership, blocked, managed: policy.priority })
    ) {
      this.quietLooks++;
      this.previous = observation;
      this.latest = { ...latest, observation };
      return latest.decision;
    }
    const decision = decide({
      observation,
      policy,
      ownership,
      adoptPaused,
      memory: this.memory,
      ...(blocked ? { blockers: blocked } : {}),
      ...(control ? { control } : {}),
      ...(passThrough.length ? { passThrough } : {}),
    });
    this.memory = decision.memory;
    this.drain = updateDrain(this.drain, observation, policy.priority);
    const next = nextLook({
      ...(this.previous ? { previous: this.previous } : {}),
      observation,
      decision,
      drain: this.drain,
      priority: policy.priority,
      maxConcurrent: decision.n ?? policy.maxConcurrent,
      pollMs: this.pollIntervalMs,
      minMs: this.minPollIntervalMs,
    });
    this.previous = observation;
    this.previousBlocked = blocked;
    // The blockers in force include the owner's holds, which decide() composed (decision.queues carries them).
    const inForce = control ? Object.assign(dict<NonNullable<(typeof decision.queues)[number]["blocks"]>>(), Object.fromEntries(decision.queues.filter((v) => v.blocks).map((v) => [v.name, v.blocks!]))) : blocked;
    this.latest = { observation, decision, eta: estimate(this.drain, observation, policy.priority, decision.n ?? policy.maxConcurrent, inForce), next };
    return decision;
  }

  /** Jobs finished per second while running, per managed queue measured so far. */
  drainRates(): Record<string, number> {
    const out = dict<number>();
    for (const [name, d] of Object.entries(this.drain)) if (d.rate !== undefined) out[name] = d.rate;
    return out;
  }
}
