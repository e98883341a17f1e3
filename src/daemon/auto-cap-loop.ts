// The effects around rule 15's controller (core/auto-cap.ts): read the
// pressure once per cycle, run the controller, hand N to the decision, and,
// with TUNE_CONCURRENCY, have the tuned queues' job concurrency written into
// Immich's system config (concurrency-settings.ts, the owner's values kept by
// tuning-record.ts and put back on the way out). While the owner has the
// daemon stand aside (resume-all through it, rule 16) the owner's values go
// back once and nothing moves until management resumes. Between two polls
// the pressure is watched (auto-cap-watch.ts). One log line per change, with
// its reason; plain data for `status`, the page and /metrics.

import { type AutoCapSettings, type AutoCapState, type Change, concurrencyTargets, controlAutoCap, loadOf, nextDueAt, type PressureFigures, startingAutoCap } from "../core/auto-cap.ts";
import type { Asked } from "../core/control.ts";
import type { Decision, Observation } from "../core/types.ts";
import { dict } from "../shared/dict.ts";
import { highest, RESUMED_WATCH_MS, watchEvery, WatchReadings } from "./auto-cap-watch.ts";
import { ConcurrencySettings, type TuningOptions } from "./concurrency-settings.ts";
import type { PressureMeter } from "./pressure.ts";
import { TuningKeeper } from "./tuning-record.ts";

export interface AutoCapOptions extends TuningOptions {
  meter: PressureMeter;
}

/** What `status`, the page and /metrics show of rule 15 (plain data). */
export interface AutoCapView {
  auto: boolean;
  tune: boolean;
  range: { min: number; max: number };
  n: number;
  target: AutoCapSettings["target"];
  /** The latest figures, percent; absent while the source is lost or warming up. */
  pressure?: PressureFigures;
  source: string;
  sourceLost: boolean;
  /** Per tuned queue: the concurrency now and the owner's. */
  queues: { name: string; concurrency: number; owner: number; leftAlone: boolean }[];
  lastChange?: Change;
  /** Raises undone soon after (each doubles the settle time before the next raise). */
  strikes: number;
  changes: number;
  /** The owner's resume-all stands (rule 16): the owner's concurrency is back and neither it nor N moves until management resumes. */
  handsOff: boolean;
}

export class AutoCapper {
  private state: AutoCapState;
  /** The owner's job concurrency, as the state file keeps it. */
  private readonly record: TuningKeeper;
  /** The system config as far as the daemon knows it, and its writes. */
  private readonly systemConfig: ConcurrencySettings;
  /** What the watches between two polls read since the last step. */
  private readonly readings = new WatchReadings();
  private changeCount = 0;
  /** Who asked the daemon to stand aside (resume-all through it, rule 16), while that stands. */
  private aside?: Asked;
  /** The owner's values are back for the current hands-off (or nothing was owed): nothing more to do until it ends. */
  private asideDone = false;

  constructor(private readonly o: AutoCapOptions) {
    this.state = startingAutoCap(o.settings.range);
    this.record = new TuningKeeper(o);
    this.systemConfig = new ConcurrencySettings(o, this.record);
    // Continue where a previous run left the concurrency (a crash, kill -9): its values are the controller's now.
    if (o.settings.tune) for (const [q, v] of this.record.leftLowered()) this.state.concurrency[q] = v;
  }

  /** How long until the controller could change something (the loop looks again then); undefined: nothing pending. */
  msToNextChange(): number | undefined {
    if (this.aside) return undefined;
    const at = nextDueAt(this.state, this.o.settings, this.state.pressure);
    const now = this.o.clock.now();
    // A due time already past: the controller looked then and had nothing to change (no work
    // waits, or at a bound); looking sooner than POLL_INTERVAL would only cost an idle host GETs.
    return at === undefined || at <= now ? undefined : at - now;
  }

  /** How often to read the pressure between two polls (auto-cap-watch.ts), or undefined: not at all (nor while standing aside). */
  watching(latest: { decision: Decision } | undefined): number | undefined {
    return this.aside ? undefined : watchEvery(this.state, this.o.settings, latest);
  }

  /**
   * One reading between two polls. Above the target, after a resume (the
   * queue's load is known: it runs) the controller looks at once with it,
   * and true is returned only if that changed something; while queues stand by
   * (new work started unseen there) true is returned, and the caller looks at
   * once (the next step uses this reading).
   */
  async watch(latest: { observation: Observation; decision: Decision } | undefined, signal?: AbortSignal): Promise<boolean> {
    const every = this.watching(latest);
    const look = await this.o.meter.read(signal);
    if (signal?.aborted || !("figures" in look)) return false;
    if (!this.readings.note(look.figures, this.o.settings.target)) return false;
    if (every !== RESUMED_WATCH_MS) return true;
    const before = this.changeCount;
    await this.step(latest, signal);
    return this.changeCount > before;
  }

  /** N to decide with now. */
  get n(): number {
    return this.state.n;
  }

  /** At start: the key's systemConfig.* permissions with tuning, or a crashed run's values put back without (concurrency-settings.ts). */
  check(signal?: AbortSignal): Promise<void> {
    return this.systemConfig.check(signal);
  }

  /**
   * Once per cycle, before deciding: read the pressure, move N and the
   * concurrency, and write the concurrency if it changed. `latest` is the
   * previous look (whether work waits, which queues run).
   */
  async step(latest: { observation: Observation; decision: Decision } | undefined, signal?: AbortSignal): Promise<void> {
    if (this.aside) this.resumeManaging();
    const { fresh, peak } = this.readings.take();
    const read = fresh ? { figures: fresh } : await this.o.meter.read(signal);
    if (signal?.aborted) return;
    if ("warming" in read && !peak) return;
    const look = "problem" in read ? read : { figures: highest(peak, "figures" in read ? read.figures : {}) };
    await this.systemConfig.ensureRead(signal);
    const load = latest ? loadOf(latest.decision, latest.observation) : { workWaits: false, running: new Set<string>() };
    const tunable = this.systemConfig.tunable(load.running);
    const r = controlAutoCap({
      state: this.state,
      settings: this.o.settings,
      now: this.o.clock.now(),
      pressure: "figures" in look ? look.figures : undefined,
      workWaits: load.workWaits,
      tunable,
    });
    this.state = r.state;
    if (r.sourceEvent === "lost" && "problem" in look) {
      this.o.log.warn(`the pressure source is lost: ${look.problem}; N at its lower bound (${this.o.settings.range.min}) and no concurrency raised until it is back`, { pressure: "lost" });
    } else if (r.sourceEvent === "back") {
      this.o.log.info(`the pressure source ${this.o.meter.source} answers again`, { pressure: "back" });
    }
    for (const c of r.changes) {
      this.changeCount++;
      this.o.log.info(c.reason, { autoCap: c.what, direction: c.direction, ...(c.queue ? { queue: c.queue } : {}), from: c.from, to: c.to });
    }
    if (this.o.settings.tune) await this.systemConfig.apply(concurrencyTargets(this.state, tunable), load.running, signal);
  }

  /**
   * Once per cycle instead of `step` while the owner has the daemon stand
   * aside (resume-all through the running daemon, rule 16): the owner's job
   * concurrency goes back once (concurrency-settings.ts' handBack; a cycle in
   * which anything else in the settings changed writes nothing and the next
   * one tries again), the record is forgotten, and then nothing is read or
   * written and N stays where it is, until the owner resumes management (the
   * next `step`).
   */
  async standAside(asked: Asked, signal?: AbortSignal): Promise<void> {
    this.aside = asked;
    this.readings.take();
    // It keeps watching: the figures for status and the page, nothing decided with them.
    const look = await this.o.meter.read(signal);
    if (signal?.aborted) return;
    if ("figures" in look) this.state = { ...this.state, pressure: look.figures };
    else if ("problem" in look) this.state = { ...this.state, pressure: undefined };
    if (this.asideDone) return;
    // The controller forgets its stretches and what it lowered: the owner's values stand now.
    const { overSince: _o, underSince: _u, runningSince: _r, waitsSince: _w, ...kept } = this.state;
    this.state = { ...kept, concurrency: dict() };
    if (await this.systemConfig.handBack(asked, signal)) this.asideDone = true;
  }

  /** Management resumes after hands-off: tuning starts again with the owner's values (as the server holds them) as the baseline. */
  private resumeManaging(): void {
    this.aside = undefined;
    this.asideDone = false;
    this.systemConfig.sayManagingAgain();
  }

  /** Puts the owner's values back (exit, signals): tuning-record.ts. */
  restore(signal?: AbortSignal): Promise<{ restored: string[]; error?: string }> {
    return this.record.restore(signal);
  }

  /** Whether the owner's values still have to be put back (the state file keeps them for `resume-all`). */
  get owed(): boolean {
    return this.record.owed;
  }

  view(): AutoCapView {
    return {
      auto: this.o.auto,
      tune: this.o.settings.tune,
      range: { ...this.o.settings.range },
      n: this.state.n,
      target: this.o.settings.target,
      ...(this.state.pressure ? { pressure: this.state.pressure } : {}),
      source: this.o.meter.source,
      sourceLost: this.state.sourceLost,
      queues: this.o.settings.tune ? this.systemConfig.queues() : [],
      ...(this.state.lastChange ? { lastChange: this.state.lastChange } : {}),
      strikes: this.state.strikes,
      changes: this.changeCount,
      handsOff: this.aside !== undefined,
    };
  }
}
