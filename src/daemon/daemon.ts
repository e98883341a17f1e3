// The controller loop (DESIGN.md §4): observe → decide → act, one awaited
// cycle at a time, never overlapping. Everything it needs is handed in: the
// Immich client, a clock, a logger, a state store and an abort signal; it
// never reads the environment or exits the process. What it remembers is only
// what the server cannot tell: which pauses are its own (core/reconcile.ts).

import { type Blockers, blockers, type Gates } from "../core/blockers.ts";
import { decide } from "../core/decide.ts";
import { estimate, formatEta, updateDrain, type DrainState, type Eta } from "../core/eta.ts";
import { onlyManaged } from "../core/managed-only.ts";
import { emptyWaitMemory, type WaitMemory } from "../core/max-wait.ts";
import { nextLook, type NextLook } from "../core/next-look.ts";
import { confirmAction, withdrawAction } from "../core/reconcile.ts";
import type { Action, Decision, Observation, Ownership, Policy } from "../core/types.ts";
import { emptyOwnership } from "../core/types.ts";
import { formatVersion, type ImmichClient, type ServerInfo } from "../immich/index.ts";
import type { Clock } from "../shared/clock.ts";
import { retryCapMs, retryDelay } from "./backoff.ts";
import { NOTICE_LIMIT, NoticeBudget } from "./notice-budget.ts";
import { resumeOwnPauses } from "./exit-cleanup.ts";
import type { GateWatch } from "./gates.ts";
import type { Log } from "./log.ts";
import { saveOwnership, type StateStore } from "./state-file.ts";

/** What the daemon needs of the Immich client. */
export type ImmichApi = Pick<ImmichClient, "connect" | "observe" | "setPaused">;

/** The client's errors: `transient` ones are retried, others end the daemon. */
export interface ClassifiedError {
  kind: string;
  transient: boolean;
  message: string;
}

/** Error kinds of a command the server answered with a refusal (4xx): certainly not applied. */
const REFUSED = new Set(["unauthorized", "forbidden", "missing-scope", "bad-request"]);

/** Error kinds that, at start-up, say the URL is not an Immich API. */
const NOT_IMMICH = new Set(["not-json", "invalid-answer", "redirected"]);

export function isClassified(e: unknown): e is ClassifiedError {
  return typeof e === "object" && e !== null && "kind" in e && "transient" in e && "message" in e;
}

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
  /** Windows, ML gate, pressure: read once per cycle, composed by decide as blockers (core/blockers.ts). */
  gates?: GateWatch;
  /** Told before every sleep how the daemon is and how long until it polls again (the heartbeat file). */
  heartbeat?: (health: Health, nextPollInMs: number) => void;
  /** Told after every cycle of `run` what it saw, decided and sent (the status snapshot). Must not throw or wait. */
  onCycle?: (report: { startedAt: number; result: CycleResult; health: Health; gates?: Gates; eta?: Eta; next?: NextLook }) => void;
}

export interface ActionResult {
  action: Action;
  ok: boolean;
  error?: string;
}

export type CycleResult =
  | { ok: true; observation: Observation; decision: Decision; results: ActionResult[] }
  | { ok: false; error: ClassifiedError };

/** The daemon's health, for logs and the status line. */
export interface Health {
  state: "starting" | "ok" | "degraded";
  since: number;
  lastError?: string;
  failures: number;
}

/** A failure retrying cannot fix (wrong key, missing scope, not an Immich URL). */
/** EXIT_TIMEOUT's default, in case a caller gives none (the configuration always does). */
const DEFAULT_EXIT_TIMEOUT_MS = 8_000;

export class FatalError extends Error {
  constructor(readonly error: ClassifiedError) {
    super(error.message);
  }
}

/** What the daemon saw and decided at its latest look, as plain data (status, metrics, tests). */
export interface DaemonView {
  observation: Observation;
  decision: Decision;
  /** Time to empty per managed queue and overall, from the measured drain rates. */
  eta: Eta;
  /** How long until the next look, and why (rule 12). */
  next: NextLook;
}

export class Daemon {
  private ownership: Ownership = emptyOwnership();
  private memory: WaitMemory = emptyWaitMemory();
  private drain: DrainState = {};
  private previous: Observation | undefined;
  private etaLoggedAt = -Infinity;
  /** The latest look (undefined before the first). */
  latest: DaemonView | undefined;
  private adoptPaused = true;
  private lastDryRun = "";
  private readonly inventory = new NoticeBudget();
  private readonly managed: ReadonlySet<string>;
  /** Whether this process has connected to Immich (the exit clean-up must connect first if not). */
  private connected = false;
  health: Health;

  constructor(private readonly o: DaemonOptions) {
    this.health = { state: "starting", since: o.clock.now(), failures: 0 };
    this.managed = new Set(o.policy.priority);
    const loaded = o.store.load();
    if (loaded.problem) o.log.warn(loaded.problem);
    if (loaded.ownership) {
      // Rule 5 over memory: a file from another configuration never leads to a command.
      const { ownership, dropped } = onlyManaged(loaded.ownership, o.policy.priority);
      if (dropped.length > 0) {
        o.log.warn(
          `the state file names ${dropped.join(", ")}, which MANAGED_QUEUES does not (a file from another configuration?); ` +
            `dropping ${dropped.length === 1 ? "it" : "them"}: the daemon never pauses or resumes a queue it does not manage`,
          { queues: dropped },
        );
      }
      this.ownership = ownership;
      this.adoptPaused = false;
    }
  }

  /** What the last cycle saw beyond the API: windows, ML gate, pressure (plain data for status and notifications). */
  get gates(): Gates | undefined {
    return this.o.gates?.current;
  }

  /** Jobs finished per second while running, per managed queue measured so far (the heartbeat carries them to `status`). */
  drainRates(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, d] of Object.entries(this.drain)) if (d.rate !== undefined) out[name] = d.rate;
    return out;
  }

  /** What the daemon owns now (read by tests and `status`). */
  get owned(): Ownership {
    return this.ownership;
  }

  /**
   * Waits for Immich (capped, jittered backoff, one log line per change of
   * state), then connects. Throws FatalError for what retrying cannot fix
   * (wrong key, missing scope, not an Immich URL); returns undefined if
   * aborted first.
   */
  async start(signal: AbortSignal): Promise<ServerInfo | undefined> {
    let attempt = 0;
    let lastKind = "";
    while (!signal.aborted) {
      try {
        // A dry run promises to send no PUT, not even the no-op permission check.
        const info = await this.o.client.connect(signal, { checkWrite: !this.o.dryRun });
        const version = formatVersion(info.version);
        this.connected = true;
        if (attempt > 0) this.o.log.info(`Immich is up after ${attempt} failed ${attempt === 1 ? "try" : "tries"}`);
        this.o.log.info(`connected to Immich v${version}, using /api/${info.api}`, { version, api: info.api });
        for (const w of info.warnings) this.o.log.warn(w);
        return info;
      } catch (e) {
        if (signal.aborted) return undefined;
        const err = classify(e);
        // Before the first connection, an answer that is not Immich's API
        // means IMMICH_URL points elsewhere: retrying cannot fix that. Once
        // connected, the same answer is a passing fault (rule 10).
        if (!err.transient || NOT_IMMICH.has(err.kind)) throw new FatalError(err);
        const delay = retryDelay(++attempt, this.o.pollIntervalMs, this.o.random);
        if (err.kind !== lastKind) {
          this.o.log.warn(`waiting for Immich: ${err.message} (retrying with backoff, up to ${retryCapMs(this.o.pollIntervalMs) / 1000} s apart)`, { kind: err.kind });
          lastKind = err.kind;
        }
        this.o.heartbeat?.(this.health, delay);
        await this.o.clock.sleep(delay, signal);
      }
    }
    return undefined;
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
    const first = await this.look(signal, blocked);
    if (!first.ok) return first;
    let { observation, decision } = first;
    this.sayNotices(decision);
    this.adoptPaused = false;

    if (this.o.dryRun) {
      // Nothing is sent, so nothing is claimed: keep only what the server
      // showed (in memory; the state file may be a real daemon's), so that
      // the next look sees no change and says nothing again.
      this.ownership = decision.actions.reduce(withdrawAction, decision.ownership);
      this.logDryRun(decision);
      return { ok: true, observation, decision, results: [] };
    }

    // Ownership first: recorded before sending, so a lost answer is still ours.
    this.keep(decision.ownership);
    const pauses = decision.actions.filter((a) => a.kind === "pause");
    const hasResumes = pauses.length < decision.actions.length;
    if (pauses.length > 0 && hasResumes) {
      const results = await this.sendAll(pauses, signal);
      const second = await this.look(signal, blocked);
      if (!second.ok) return { ok: true, observation, decision, results };
      ({ observation, decision } = second);
      this.sayNotices(decision);
      this.keep(decision.ownership);
      return { ok: true, observation, decision, results: [...results, ...(await this.sendAll(decision.actions, signal))] };
    }
    return { ok: true, observation, decision, results: await this.sendAll(decision.actions, signal) };
  }

  /** Observe and decide; an unknown answer is a degraded cycle with no decision. */
  private async look(signal?: AbortSignal, blocked?: Blockers): Promise<{ ok: true; observation: Observation; decision: Decision } | { ok: false; error: ClassifiedError }> {
    let observation: Observation;
    try {
      observation = await this.o.client.observe(signal);
    } catch (e) {
      const error = classify(e);
      // Stopping mid-poll is not an outage.
      if (signal?.aborted) return { ok: false, error: { kind: "aborted", transient: true, message: "stopping" } };
      if (!error.transient) throw new FatalError(error);
      this.degraded(error);
      return { ok: false, error };
    }
    this.recovered();
    const { policy } = this.o;
    const decision = decide({
      observation,
      policy,
      ownership: this.ownership,
      adoptPaused: this.adoptPaused,
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
      pollMs: this.o.pollIntervalMs,
      minMs: this.o.minPollIntervalMs ?? this.o.pollIntervalMs,
    });
    this.previous = observation;
    this.latest = { observation, decision, eta: estimate(this.drain, observation, policy.priority, policy.maxConcurrent, blocked), next };
    return { ok: true, observation, decision };
  }

  private async sendAll(actions: Action[], signal?: AbortSignal): Promise<ActionResult[]> {
    const results: ActionResult[] = [];
    for (const [i, action] of actions.entries()) {
      // On a stop the rest is left to the exit clean-up, which observes afresh.
      if (signal?.aborted) break;
      try {
        results.push(await this.send(action, signal));
      } catch (e) {
        // A fatal refusal ends the daemon: what was never sent is not claimed.
        this.keep(actions.slice(i + 1).reduce(withdrawAction, this.ownership));
        throw e;
      }
    }
    return results;
  }

  /** Cycles until `signal` aborts, then leaves things as it found them. */
  async run(signal: AbortSignal): Promise<void> {
    const info = await this.start(signal);
    if (!info) return;
    while (!signal.aborted) {
      const startedAt = this.o.clock.now();
      const r = await this.cycle(signal);
      if (signal.aborted) break;
      this.o.onCycle?.({ startedAt, result: r, health: this.health, ...(this.gates ? { gates: this.gates } : {}), ...(r.ok && this.latest ? { eta: this.latest.eta, next: this.latest.next } : {}) });
      if (r.ok) this.logEta();
      const polled = r.ok ? (this.latest?.next.ms ?? this.o.pollIntervalMs) : retryDelay(this.health.failures, this.o.pollIntervalMs, this.o.random);
      // A window opens or closes at its minute, not at the next poll after it (rule 6).
      const wait = Math.min(polled, this.o.gates?.msToNextChange() ?? Infinity);
      this.o.heartbeat?.(this.health, wait);
      await this.o.clock.sleep(wait, signal);
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
    if (this.o.onExit === "keep") {
      this.save(this.ownership);
      const n = this.ownership.pausedByUs.length;
      this.o.log.info(`exiting; keeping ${n} queue${n === 1 ? "" : "s"} paused as ON_EXIT=keep says`);
      return [];
    }
    const budgetMs = this.o.shutdownTimeoutMs ?? DEFAULT_EXIT_TIMEOUT_MS;
    const { resumed, failed } = await resumeOwnPauses({
      client: this.o.client,
      ownership: this.ownership,
      budgetMs,
      ...(force ? { force } : {}),
      connected: this.connected,
      onResumed: (a) => this.o.log.info(`resumed ${a.queue}: ${a.detail}`, { action: a.kind, queue: a.queue, reason: a.reason }),
    });
    const done = new Set(resumed);
    this.keep({ pausedByUs: this.ownership.pausedByUs.filter((q) => !done.has(q)), runningByUs: [], held: this.ownership.held });
    if (failed.length) {
      const reasons = [...new Set(failed.map((f) => f.error))].join("; ");
      this.o.log.error(
        `exiting with ${failed.map((f) => f.queue).join(", ")} still paused: could not resume ${failed.length === 1 ? "it" : "them"} (${reasons}); run \`immich-job-daemon resume-all\` once Immich answers`,
        { queues: failed.map((f) => f.queue) },
      );
    } else {
      this.o.log.info(`exiting; resumed ${done.size} queue${done.size === 1 ? "" : "s"} the daemon had paused`);
    }
    const detail = "the daemon paused it and is exiting";
    return [
      ...resumed.map((queue) => ({ action: { queue, kind: "resume" as const, reason: "exit" as const, detail }, ok: true })),
      ...failed.map((f) => ({ action: { queue: f.queue, kind: "resume" as const, reason: "exit" as const, detail }, ok: false, error: f.error })),
    ];
  }

  private async send(action: Action, signal?: AbortSignal): Promise<ActionResult> {
    const verb = action.kind === "pause" ? "paused" : "resumed";
    // Rule 5, enforced where commands leave: whatever decided it, a queue
    // outside MANAGED_QUEUES is never paused or resumed.
    if (!this.managed.has(action.queue)) {
      this.o.log.error(`internal error: refusing to ${action.kind} ${action.queue}, which MANAGED_QUEUES does not name; please report it`);
      return { action, ok: false, error: "not managed" };
    }
    try {
      await this.o.client.setPaused(action.queue, action.kind === "pause", signal);
      this.keep(confirmAction(this.ownership, action));
      this.o.log.info(`${verb} ${action.queue}: ${action.detail}`, { action: action.kind, queue: action.queue, reason: action.reason });
      return { action, ok: true };
    } catch (e) {
      const err = classify(e);
      // A stop while the command was in flight: the server may have applied it; ownership
      // was recorded before sending and the exit clean-up looks again.
      if (signal?.aborted) return { action, ok: false, error: "stopping" };
      if (REFUSED.has(err.kind)) this.keep(withdrawAction(this.ownership, action));
      if (!err.transient && err.kind !== "bad-request") throw new FatalError(err);
      this.o.log.warn(`could not ${action.kind} ${action.queue}: ${err.message}; deciding again next cycle`, { action: action.kind, queue: action.queue, kind: err.kind });
      return { action, ok: false, error: err.message };
    }
  }

  /** Adopt `ownership` and save it when it changed. */
  private keep(ownership: Ownership) {
    const changed = JSON.stringify(ownership) !== JSON.stringify(this.ownership);
    this.ownership = ownership;
    if (changed) this.save(ownership);
  }

  /** A state file that cannot be written is worth a warning, never the daemon's end. */
  private save(ownership: Ownership) {
    const problem = saveOwnership(this.o.store, ownership);
    if (problem) this.o.log.warn(problem);
  }

  private sayNotices(decision: Decision) {
    for (const n of decision.notices) {
      // Inventory notices repeat every cycle by nature: say each once.
      if (n.code === "unknown-queue" || n.code === "missing-queue") {
        const admitted = this.inventory.admit(n.code, n.queue);
        if (admitted === "skip") continue;
        if (admitted === "say-limit") {
          this.o.log.info(`more notices like "${n.message.slice(0, 60)}…" are not logged (${NOTICE_LIMIT} said already)`, { notice: n.code });
          continue;
        }
      }
      this.o.log[n.level](n.message, { notice: n.code, queue: n.queue });
    }
  }

  /** One summary line at most every few minutes, only while there is work. */
  private logEta() {
    const eta = this.latest?.eta;
    const now = this.o.clock.now();
    if (!eta || eta.queues.length === 0 || now - this.etaLoggedAt < (this.o.etaLogEveryMs ?? 300_000)) return;
    this.etaLoggedAt = now;
    this.o.log.info(`work left: ${formatEta(eta)}`, {
      etaSeconds: eta.overallMs === null ? undefined : Math.round(eta.overallMs / 1000),
    });
  }

  private logDryRun(decision: Decision) {
    const plan = decision.actions.map((a) => `${a.kind} ${a.queue}`).join(", ");
    if (plan === this.lastDryRun) return;
    this.lastDryRun = plan;
    for (const a of decision.actions) {
      this.o.log.info(`[dry run] would ${a.kind} ${a.queue}: ${a.detail}`, { action: a.kind, queue: a.queue, reason: a.reason, dryRun: true });
    }
  }

  private degraded(error: ClassifiedError) {
    const h = this.health;
    h.failures++;
    if (h.state !== "degraded" || h.lastError !== error.kind) {
      this.o.log.warn(`cannot observe Immich, taking no action: ${error.message}`, { kind: error.kind });
    }
    if (h.state !== "degraded") {
      h.state = "degraded";
      h.since = this.o.clock.now();
    }
    h.lastError = error.kind;
  }

  private recovered() {
    const h = this.health;
    if (h.state === "degraded") {
      const secs = Math.round((this.o.clock.now() - h.since) / 1000);
      this.o.log.info(`Immich answers again after ${h.failures} failed poll${h.failures === 1 ? "" : "s"} (${secs} s)`);
    }
    if (h.state !== "ok") {
      h.state = "ok";
      h.since = this.o.clock.now();
    }
    h.failures = 0;
    delete h.lastError;
  }

}

function classify(e: unknown): ClassifiedError {
  if (isClassified(e)) return e;
  if (e instanceof FatalError) return e.error;
  const message = e instanceof Error ? e.message : String(e);
  return { kind: "internal", transient: true, message };
}
