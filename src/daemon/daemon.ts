// The controller loop (DESIGN.md §4): observe → decide → act, one awaited
// cycle at a time, never overlapping. Everything it needs is handed in: the
// Immich client, a clock, a logger, a state store and an abort signal; it
// never reads the environment or exits the process. What it remembers is only
// what the server cannot tell: which pauses are its own (core/reconcile.ts).
//
// This file is the loop itself; each step's detail lives beside it:
// connect.ts (waiting for Immich), cycle-book.ts (decide and its per-cycle
// bookkeeping), act.ts (sending, settling ownership), ownership.ts (the state
// store), health.ts (degraded/recovered), cycle-notices.ts (what it says),
// presence-watch.ts (answers that leave queues out), between-cycles.ts (the
// wait between two cycles), exit-cleanup.ts (leaving things as found).

import { type Blockers, blockers, type Gates } from "../core/blockers.ts";
import type { Eta } from "../core/eta.ts";
import type { NextLook } from "../core/next-look.ts";
import { withdrawAction } from "../core/reconcile.ts";
import type { ControlState } from "../core/control.ts";
import type { Decision, Observation, Ownership, Policy } from "../core/types.ts";
import type { ServerInfo } from "../immich/index.ts";
import type { Clock } from "../shared/clock.ts";
import { type ActionResult, sendAll, sendMissing, type Sender } from "./act.ts";
import type { AutoCapper, AutoCapView } from "./auto-cap-loop.ts";
import { sleepBetween, waitAfter } from "./between-cycles.ts";
import { waitForImmich } from "./connect.ts";
import { CycleBook, type DaemonView } from "./cycle-book.ts";
import { CycleNotices } from "./cycle-notices.ts";
import { resumeOwnPauses, sayExit } from "./exit-cleanup.ts";
import type { ControlKeeper } from "./control-keeper.ts";
import type { GateWatch } from "./gates.ts";
import type { PassThroughWatch } from "./pass-through-watch.ts";
import { type Health, markDegraded, markRecovered, startingHealth } from "./health.ts";
import { classify, type ClassifiedError, FatalError, type ImmichApi } from "./immich-api.ts";
import type { Log } from "./log.ts";
import { OwnershipKeeper } from "./ownership.ts";
import { PresenceWatch } from "./presence-watch.ts";
import type { StateStore } from "./state-file.ts";

export type { ActionResult } from "./act.ts";
export type { DaemonView } from "./cycle-book.ts";
export type { Health } from "./health.ts";
export { type ClassifiedError, FatalError, type ImmichApi, isClassified } from "./immich-api.ts";

export interface DaemonOptions {
  client: ImmichApi;
  clock: Clock;
  log: Log;
  policy: Policy;
  pollIntervalMs: number;
  /** Rule 12's floor: the soonest it looks again when a change is near; default pollIntervalMs (a fixed pace). */
  minPollIntervalMs?: number;
  /** Real or simulated ms between two ETA summary lines while there is work; default 5 min. */
  etaLogEveryMs?: number;
  dryRun: boolean;
  onExit: "resume" | "keep";
  /** Where ownership is kept (a state file, or memory). */
  store: StateStore;
  /** In [0,1), for backoff jitter. */
  random: () => number;
  /** Real-time budget for the exit clean-up (EXIT_TIMEOUT; requests get this long in all). */
  shutdownTimeoutMs?: number;
  /**
   * The exit clean-up's clock (its budget and its waits between tries). The
   * budget is real time whatever `clock` is (the demo runs the daemon on a
   * sped-up one), so by default the real clock; tests hand a virtual one.
   */
  exitClock?: Clock;
  /** Windows, ML gate, pressure: read once per cycle, composed by decide as blockers (core/blockers.ts). */
  gates?: GateWatch;
  /** The owner's instructions (rule 16): read once per cycle; a change wakes the loop. */
  control?: ControlKeeper;
  /** Told before every sleep how the daemon is and how long until it polls again (the heartbeat file). */
  heartbeat?: (health: Health, nextPollInMs: number) => void;
  /** Told after every cycle of `run` what it saw, decided and sent (the status snapshot). Must not throw or wait. */
  onCycle?: (report: { startedAt: number; result: CycleResult; health: Health; gates?: Gates; eta?: Eta; next?: NextLook; autoCap?: AutoCapView }) => void;
  /** Rule 15: N from the host's pressure, and with TUNE_CONCURRENCY the queues' job concurrency (auto-cap-loop.ts). */
  autoCap?: AutoCapper;
  /** Whether the storage template is off, so that its queue passes through without a slot (core/pass-through.ts). */
  passThrough?: PassThroughWatch;
}

export type CycleResult =
  | { ok: true; observation: Observation; decision: Decision; results: ActionResult[] }
  | { ok: false; error: ClassifiedError };

/** EXIT_TIMEOUT's default, in case a caller gives none (the configuration always does). */
const DEFAULT_EXIT_TIMEOUT_MS = 8_000;

export class Daemon {
  private readonly owner: OwnershipKeeper;
  private readonly book: CycleBook;
  private readonly notices: CycleNotices;
  private readonly sender: Sender;
  /** Whether an answer lists enough to be trusted, and which queues to adopt (presence-watch.ts). */
  private readonly presence: PresenceWatch;
  /** Whether this process has connected to Immich (the exit clean-up must connect first if not). */
  private connected = false;
  /** Aborted to cut the current sleep short (an owner's instruction arrived). */
  private waker = new AbortController();
  health: Health;

  constructor(private readonly o: DaemonOptions) {
    this.health = startingHealth(o.clock.now());
    this.owner = new OwnershipKeeper(o.store, o.log, o.policy);
    this.presence = new PresenceWatch(o.policy.priority, o.log, this.owner.loaded);
    this.book = new CycleBook(o.policy, o.pollIntervalMs, o.minPollIntervalMs ?? o.pollIntervalMs);
    this.notices = new CycleNotices(o.log, o.etaLogEveryMs ?? 300_000);
    this.sender = { client: o.client, log: o.log, managed: new Set(o.policy.priority), owner: this.owner };
    o.control?.onChange(() => this.waker.abort());
  }

  /** The latest look (undefined before the first). */
  get latest(): DaemonView | undefined {
    return this.book.latest;
  }

  /** What the last cycle saw beyond the API: windows, ML gate, pressure (plain data for status and notifications). */
  get gates(): Gates | undefined {
    return this.o.gates?.current;
  }

  /** Jobs finished per second while running, per managed queue measured so far (the heartbeat carries them to `status`). */
  drainRates(): Record<string, number> {
    return this.book.drainRates();
  }

  /** Rule 15's state: N and its range, the tuned concurrency, the pressure, the last change (absent unless on). */
  get autoCap(): AutoCapView | undefined {
    return this.o.autoCap?.view();
  }

  /** What the daemon owns now (read by tests and `status`). */
  get owned(): Ownership {
    return this.owner.current;
  }

  /**
   * Waits for Immich (capped, jittered backoff, one log line per change of
   * state), then connects. Throws FatalError for what retrying cannot fix
   * (wrong key, missing scope, not an Immich URL); returns undefined if
   * aborted first.
   */
  start(signal: AbortSignal): Promise<ServerInfo | undefined> {
    const { client, clock, log, pollIntervalMs, random, dryRun, heartbeat } = this.o;
    const connected = waitForImmich(
      { client, clock, log, pollIntervalMs, random, dryRun, health: this.health, heartbeat, onConnected: () => (this.connected = true) },
      signal,
    );
    // Whether the storage template is off (pass-through.ts); then TUNE_CONCURRENCY: the key's systemConfig.* permissions, named now if missing (rule 15).
    const { autoCap, passThrough } = this.o;
    return connected.then(async (info) => {
      if (info && passThrough) await passThrough.refresh(undefined, signal);
      if (info && autoCap) await autoCap.check(signal);
      return info;
    });
  }

  /**
   * One observe → decide → act cycle. Never throws for a transient failure.
   *
   * A cycle that both pauses and resumes looks again between the two: a
   * queue seen running with no work may have started a job before the pause
   * landed, and then still holds its slot (a pause never stops active jobs).
   * Resuming on the first look would exceed the cap for as long as that job
   * runs. After the pause no new job can start there, so the second look is
   * exact. Cycles that only pause, or only resume, need no second look.
   */
  async cycle(signal?: AbortSignal): Promise<CycleResult> {
    const gates = this.o.gates ? await this.o.gates.read(signal) : undefined;
    const blocked = gates ? blockers(gates, this.o.policy.priority) : undefined;
    const c = this.o.control;
    // The zone only when an instruction is worded (ControlKeeper: finding it loads ICU's zone data).
    const control = c ? { state: c.at(this.o.clock.now()), get zone() { return c.zone; } } : undefined;
    // Rule 15: N (and the concurrency) from the pressure, before deciding with it; while the
    // owner has the daemon stand aside (rule 16's resume-all), the owner's concurrency back instead.
    const handsOff = control?.state.handsOff;
    if (this.o.autoCap && !signal?.aborted) await (handsOff ? this.o.autoCap.standAside(handsOff, signal) : this.o.autoCap.step(this.latest, signal));
    const first = await this.look(signal, blocked, control);
    if (!first.ok) return first;
    let { observation, decision } = first;
    this.notices.say(decision);

    if (this.o.dryRun) {
      // Nothing is sent, so nothing is claimed: keep only what the server
      // showed (in memory; the state file may be a real daemon's), so that
      // the next look sees no change and says nothing again.
      this.owner.set(decision.actions.reduce(withdrawAction, decision.ownership));
      this.notices.dryRun(decision);
      return { ok: true, observation, decision, results: [] };
    }

    // Ownership first: recorded before sending, so a lost answer is still ours.
    this.owner.keep(decision.ownership);
    const pauses = decision.actions.filter((a) => a.kind === "pause");
    const hasResumes = pauses.length < decision.actions.length;
    if (pauses.length > 0 && hasResumes) {
      const results = await sendAll(this.sender, pauses, signal);
      const second = await this.look(signal, blocked, control);
      if (!second.ok) return { ok: true, observation, decision, results };
      ({ observation, decision } = second);
      this.notices.say(decision);
      this.owner.keep(decision.ownership);
      const all = [...results, ...(await sendAll(this.sender, decision.actions, signal))];
      if (c && decision.missing) await sendMissing(this.sender, c, decision.missing, signal);
      return { ok: true, observation, decision, results: all };
    }
    const results = await sendAll(this.sender, decision.actions, signal);
    // Rule 16: the owner's "run missing", once the queue has no active job.
    if (c && decision.missing) await sendMissing(this.sender, c, decision.missing, signal);
    return { ok: true, observation, decision, results };
  }

  /** Observe and decide; an unknown answer is a degraded cycle with no decision. */
  private async look(signal?: AbortSignal, blocked?: Blockers, control?: { state: ControlState; zone: string }): Promise<{ ok: true; observation: Observation; decision: Decision } | { ok: false; error: ClassifiedError }> {
    let observation: Observation;
    try {
      observation = await this.o.client.observe(signal);
    } catch (e) {
      const error = classify(e);
      // Stopping mid-poll is not an outage.
      if (signal?.aborted) return { ok: false, error: { kind: "aborted", transient: true, message: "stopping" } };
      if (!error.transient) throw new FatalError(error);
      markDegraded(this.health, error, this.o.clock, this.o.log);
      return { ok: false, error };
    }
    // An answer lacking managed queues the previous ones listed is not read
    // as the truth (core/presence.ts): no decision, no action, like an
    // answer the daemon could not read.
    const presence = this.presence.check(observation, this.owner.current);
    if (!presence.trusted) {
      markDegraded(this.health, presence.error, this.o.clock, this.o.log);
      return { ok: false, error: presence.error };
    }
    markRecovered(this.health, this.o.clock, this.o.log);
    const through = this.o.passThrough;
    if (through) await through.refresh(observation, signal);
    const decision = this.book.decide(observation, this.owner.current, presence.adopt, blocked, this.o.autoCap?.n, control, through?.queues);
    return { ok: true, observation, decision };
  }

  /** Cycles until `signal` aborts, then leaves things as it found them. */
  async run(signal: AbortSignal): Promise<void> {
    const info = await this.start(signal);
    if (!info) return;
    while (!signal.aborted) {
      const startedAt = this.o.clock.now();
      const r = await this.cycle(signal);
      if (signal.aborted) break;
      this.o.onCycle?.({ startedAt, result: r, health: this.health, ...(this.gates ? { gates: this.gates } : {}), ...(r.ok && this.latest ? { eta: this.latest.eta, next: this.latest.next } : {}), ...(this.o.autoCap ? { autoCap: this.o.autoCap.view() } : {}) });
      if (r.ok) this.notices.eta(this.latest?.eta, this.o.clock.now());
      const soonest = waitAfter(this.o, { ok: r.ok, nextMs: this.latest?.next.ms, failures: this.health.failures });
      // An owner's instruction cuts the sleep short (or skips it, if it came during the cycle): a hold pauses now, not at the next poll.
      const asked = this.waker.signal.aborted;
      if (asked) this.waker = new AbortController();
      const wait = asked ? 0 : soonest;
      this.o.heartbeat?.(this.health, wait);
      await sleepBetween(this.o, wait, r.ok, this.latest, AbortSignal.any([signal, this.waker.signal]));
      if (this.waker.signal.aborted) this.waker = new AbortController();
    }
  }

  /**
   * On graceful exit (rule 9): resume every queue the daemon paused, unless
   * told to keep them, and save what it owns. Bounded in real time
   * (EXIT_TIMEOUT); `force` (a second signal) cuts it short. Whatever stays
   * paused is named in one line.
   */
  async shutdown(force?: AbortSignal): Promise<ActionResult[]> {
    if (this.o.dryRun) return [];
    const budgetMs = this.o.shutdownTimeoutMs ?? DEFAULT_EXIT_TIMEOUT_MS;
    const started = performance.now();
    const results = await this.resumeOnExit(budgetMs, force);
    // Rule 15: the owner's job concurrency back, whatever ON_EXIT says (it is about pauses), within what is left of the budget.
    if (this.o.autoCap && !force?.aborted) {
      const left = Math.max(1_000, budgetMs - (performance.now() - started));
      const within = AbortSignal.any([AbortSignal.timeout(left), ...(force ? [force] : [])]);
      const r = await this.o.autoCap.restore(within);
      if (r.error) this.concurrencyLeft = true;
    } else if (this.o.autoCap?.owed) {
      this.concurrencyLeft = true;
      this.o.log.error("stopped by a second signal before the owner's job concurrency was put back; run `immich-job-daemon resume-all` (the state file keeps the owner's values)");
    }
    return results;
  }

  /** Set when the owner's job concurrency could not be put back on exit (the exit code says so, as for pauses). */
  concurrencyLeft = false;

  private async resumeOnExit(budgetMs: number, force?: AbortSignal): Promise<ActionResult[]> {
    const owned = this.owner.current;
    if (this.o.onExit === "keep") {
      this.owner.save(owned);
      const n = owned.pausedByUs.length;
      this.o.log.info(`exiting; keeping ${n} queue${n === 1 ? "" : "s"} paused as ON_EXIT=keep says`);
      return [];
    }
    const { resumed, failed, notOnServer } = await resumeOwnPauses({
      client: this.o.client,
      ownership: owned,
      budgetMs,
      ...(force ? { force } : {}),
      connected: this.connected,
      ...(this.o.exitClock ? { clock: this.o.exitClock } : {}),
      random: this.o.random,
      onResumed: (a) => this.o.log.info(`resumed ${a.queue}: ${a.detail}`, { action: a.kind, queue: a.queue, reason: a.reason }),
    });
    const done = new Set(resumed);
    this.owner.keep({ pausedByUs: this.owner.current.pausedByUs.filter((q) => !done.has(q)), runningByUs: [], held: this.owner.current.held });
    sayExit(this.o.log, { resumed, failed, notOnServer });
    const detail = "the daemon paused it and is exiting";
    return [
      ...resumed.map((queue) => ({ action: { queue, kind: "resume" as const, reason: "exit" as const, detail }, ok: true })),
      ...failed.map((f) => ({ action: { queue: f.queue, kind: "resume" as const, reason: "exit" as const, detail }, ok: false, error: f.error })),
    ];
  }
}
