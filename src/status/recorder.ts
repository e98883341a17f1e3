// Turns what the daemon's loop reports (cycles, heartbeats, the client's
// errors) into the published StatusSnapshot. The loop calls it synchronously
// after each cycle and before each sleep; it does a bounded amount of work
// (the history is bounded) and never waits for anything. Readers (the
// status server, the notifier) take `current` or subscribe to publications.

import { hasWork, occupiesSlot, pending } from "../core/decide.ts";
import type { Gates } from "../core/blockers.ts";
import type { Eta } from "../core/eta.ts";
import type { NextLook } from "../core/next-look.ts";
import type { Decision, Observation } from "../core/types.ts";
import type { CycleResult } from "../daemon/daemon.ts";
import type { Health } from "../daemon/health.ts";
import type { AutoCapView } from "../daemon/auto-cap-loop.ts";
import { formatVersion, type ServerInfo } from "../immich/index.ts";
import type { Clock } from "../shared/clock.ts";
import { waitReasons } from "../core/wait-reasons.ts";
import { History } from "./history.ts";
import { type ControlView, type Counters, deepFreeze, type QueueStatus, type SentAction, type StatusSnapshot } from "./snapshot.ts";

/** Upper bounds of the cycle-duration histogram, in seconds. */
export const CYCLE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export interface RecorderOptions {
  clock: Clock;
  version: string;
  immichUrl: string;
  maxConcurrent: number;
  pollIntervalMs: number;
  dryRun: boolean;
  managed: readonly string[];
  /** The owner's instructions as the page and /api/status show them (rule 16), read at every publication. */
  control?: () => ControlView;
}

/** How late the loop may report in before it counts as stuck: a few poll intervals, at least 30 s (a slow Immich). */
export function staleGraceMs(pollIntervalMs: number): number {
  return Math.max(3 * pollIntervalMs, 30_000);
}

export interface CycleReport {
  /** Clock time at which the cycle began. */
  startedAt: number;
  result: CycleResult;
  health: Health;
  /** What the loop saw beyond Immich this cycle (windows, ML gate, pressure). */
  gates?: Gates;
  /** Backlog estimates and the next look, from a successful cycle. */
  eta?: Eta;
  next?: NextLook;
  /** Rule 15's state after the cycle, when it is on. */
  autoCap?: AutoCapView;
}

type Listener = (next: StatusSnapshot, previous: StatusSnapshot) => void;

export class StatusRecorder {
  private snap: StatusSnapshot;
  private readonly history = new History();
  private readonly lastActions = new Map<string, SentAction>();
  private readonly actionCounts = new Map<string, number>();
  private readonly errorCounts = new Map<string, number>();
  private cycles = 0;
  private readonly buckets: number[] = CYCLE_BUCKETS.map(() => 0);
  private durationSum = 0;
  private readonly listeners: Listener[] = [];

  constructor(private readonly o: RecorderOptions) {
    const now = o.clock.now();
    this.snap = deepFreeze({
      version: o.version,
      at: now,
      startedAt: now,
      config: { immichUrl: o.immichUrl, maxConcurrent: o.maxConcurrent, pollIntervalMs: o.pollIntervalMs, dryRun: o.dryRun, managed: [...o.managed] },
      health: { state: "starting", since: now, failures: 0, lastBeatAt: now, staleAt: now + staleGraceMs(o.pollIntervalMs), ready: false },
      slots: { used: 0, max: o.maxConcurrent },
      queues: [],
      counters: this.counters(),
      timeline: this.history.timeline(o.managed),
      ...(o.control ? { control: structuredClone(o.control()) } : {}),
    } satisfies StatusSnapshot);
  }

  /** The latest published snapshot (frozen). */
  get current(): StatusSnapshot {
    return this.snap;
  }

  /** Called after every publication, with the one before it. A listener must not throw or wait. */
  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** The loop reports in before every sleep (the heartbeat). */
  beat(health: Health, nextPollInMs: number): void {
    const now = this.o.clock.now();
    this.publish({
      health: {
        ...health,
        lastBeatAt: now,
        staleAt: now + nextPollInMs + staleGraceMs(this.o.pollIntervalMs),
        ready: health.state === "ok",
      },
    });
  }

  connected(info: ServerInfo): void {
    this.publish({ server: { version: formatVersion(info.version), api: info.api } });
  }

  /** A request to Immich failed with an error of this kind. */
  apiError(kind: string): void {
    this.errorCounts.set(kind, (this.errorCounts.get(kind) ?? 0) + 1);
    this.publish({});
  }

  cycle(report: CycleReport): void {
    const now = this.o.clock.now();
    this.cycles++;
    const seconds = Math.max(0, now - report.startedAt) / 1000;
    this.durationSum += seconds;
    CYCLE_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.buckets[i]!++;
    });
    const health = { ...this.snap.health, ...report.health, ready: report.health.state === "ok" };
    const g = report.gates;
    // Copies of what the daemon owns: the snapshot is frozen, the daemon's objects must not be.
    const world: Partial<StatusSnapshot> = structuredClone({
      ...(g?.windows ? { windows: [...g.windows] } : {}),
      ...(g?.ml || g?.pressure ? { gates: { ...(g.ml ? { ml: g.ml } : {}), ...(g.pressure ? { pressure: [...g.pressure] } : {}) } } : {}),
    });
    if (report.autoCap) world.autoCap = structuredClone(report.autoCap);
    // The cap in force: rule 15's N when it moves, else MAX_CONCURRENT_JOBS.
    const n = report.autoCap?.n ?? this.o.maxConcurrent;
    const r = report.result;
    if (!r.ok) {
      this.publish({ health, ...world, ...(report.autoCap ? { slots: { ...this.snap.slots, max: n } } : {}) });
      return;
    }
    for (const res of r.results) {
      const a = res.action;
      const sent: SentAction = { at: now, queue: a.queue, kind: a.kind, reason: a.reason, detail: a.detail, ok: res.ok };
      this.lastActions.set(a.queue, sent);
      if (res.ok) {
        const key = `${a.kind}\u0000${a.reason}`;
        this.actionCounts.set(key, (this.actionCounts.get(key) ?? 0) + 1);
        this.history.mark({ at: now, queue: a.queue, kind: a.kind, reason: a.reason });
      }
    }
    // A person's pause, marked when a queue turns held (the notice may come from a cycle's first look, which the result does not carry).
    const wasHeld = new Set(this.snap.queues.filter((q) => q.held).map((q) => q.name));
    for (const v of r.decision.queues) {
      if (v.held && !wasHeld.has(v.name)) this.history.mark({ at: now, queue: v.name, kind: "held", reason: "paused by someone else" });
    }
    const managed = new Set(this.o.managed);
    this.history.sample(
      r.observation.at,
      new Map(r.observation.queues.filter((q) => managed.has(q.name)).map((q) => [q.name, { active: q.active, total: q.active + q.waiting + q.paused }])),
    );
    const queues = this.queueStatuses(r.observation, r.decision, new Set(r.results.filter((x) => x.ok).map((x) => x.action.queue)), g, n);
    const eta = report.eta;
    if (eta) {
      const byName = new Map(eta.queues.map((q) => [q.name, q]));
      for (const q of queues) {
        const e = byName.get(q.name);
        if (e === undefined || e.ms === null) continue;
        q.etaSeconds = Math.round(e.ms / 1000);
        if (e.estimated) q.etaEstimated = true;
      }
    }
    this.publish({
      health,
      ...world,
      ...(eta
        ? {
            etas: {
              overallSeconds: eta.overallMs === null ? null : Math.round(eta.overallMs / 1000),
              unknown: [...eta.unknown],
              estimated: [...eta.estimated],
              waiting: [...eta.waiting],
              queues: eta.queues.map((q) => ({
                name: q.name,
                jobs: q.jobs,
                ratePerSecond: q.ratePerSecond,
                seconds: q.ms === null ? null : Math.round(q.ms / 1000),
                ...(q.estimated ? { estimated: true as const } : {}),
              })),
            },
          }
        : {}),
      ...(report.next ? { nextLook: { inSeconds: report.next.ms / 1000, why: report.next.why } } : {}),
      ...structuredClone({
        lastObservation: r.observation,
        lastDecision: {
          at: now,
          actions: r.decision.actions,
          notices: r.decision.notices,
          occupiedBefore: r.decision.occupiedBefore,
          occupiedAfter: r.decision.occupiedAfter,
          queues: r.decision.queues,
        },
      }),
      lastSuccessAt: r.observation.at,
      queues,
      slots: { used: queues.filter((q) => q.occupiesSlot).length, max: r.decision.n ?? n },
      timeline: this.history.timeline(this.o.managed),
    });
  }

  private queueStatuses(obs: Observation, decision: Decision, flipped: Set<string>, gates: Gates | undefined, n: number): QueueStatus[] {
    const views = new Map(decision.queues.map((v) => [v.name, v]));
    const windows = new Map((gates?.windows ?? []).map((w) => [w.queue, w]));
    const waits = waitReasons(obs, decision, n);
    const standby = new Set(decision.standby ?? []);
    const out: QueueStatus[] = [];
    for (const q of obs.queues) {
      const view = views.get(q.name);
      if (!view?.managed) continue;
      const isPaused = flipped.has(q.name) !== q.isPaused;
      const now = { ...q, isPaused };
      const held = view.held;
      const p = pending(q);
      const state: QueueStatus["state"] = held
        ? "held"
        : !isPaused && view.passThrough
          ? "pass-through"
          : !isPaused && hasWork(q)
          ? "running"
          : isPaused && q.active > 0
            ? "draining"
            : isPaused && p > 0
              ? "waiting"
              : !isPaused && standby.has(q.name)
                ? "standby"
                : "idle";
      const s: QueueStatus = {
        name: q.name,
        priority: view.priority ?? 0,
        state,
        active: q.active,
        pending: p,
        delayed: q.delayed,
        isPaused,
        occupiesSlot: !view.passThrough && occupiesSlot(now),
        held,
      };
      // The same words as `status`, and the same as data for the page's languages.
      const why = waits.get(q.name);
      if (why) {
        s.waitsBecause = why.text;
        s.why = { code: why.code, params: { ...why.params } };
      }
      const w = windows.get(q.name);
      if (w) s.window = { window: w.window, open: w.open, ...(w.nextChange ? { nextChange: w.nextChange } : {}), ...(w.nextChangeAt ? { nextChangeAt: w.nextChangeAt } : {}) };
      const last = this.lastActions.get(q.name);
      if (last) s.lastAction = last;
      out.push(s);
    }
    return out.sort((a, b) => a.priority - b.priority);
  }

  private counters(): Counters {
    const split = (k: string) => k.split("\u0000") as [string, string];
    return {
      cycles: this.cycles,
      actions: [...this.actionCounts].map(([k, count]) => ({ kind: split(k)[0], reason: split(k)[1], count })),
      apiErrors: [...this.errorCounts].map(([kind, count]) => ({ kind, count })),
      cycleSeconds: {
        buckets: CYCLE_BUCKETS.map((le, i) => ({ le, count: this.buckets[i]! })),
        sum: this.durationSum,
        count: this.cycles,
      },
    };
  }

  /** The owner's instructions changed: publish them now, not at the next cycle. */
  controlChanged(): void {
    this.publish({});
  }

  /** `change` must hold only objects of the recorder's own (copies): they are frozen in place. */
  private publish(change: Partial<StatusSnapshot>): void {
    const previous = this.snap;
    const control = this.o.control ? { control: structuredClone(this.o.control()) } : {};
    this.snap = deepFreeze({ ...previous, ...change, ...control, at: this.o.clock.now(), counters: this.counters() });
    for (const l of this.listeners) l(this.snap, previous);
  }
}
