// The effects around rule 15's controller (core/auto-cap.ts): read the
// pressure once per cycle, run the controller, hand N to the decision, and,
// with TUNE_CONCURRENCY, write the tuned queues' job concurrency into Immich's
// system config (core/concurrency-config.ts says how without touching
// anything else), keeping the owner's values in the state file before the
// first write and putting them back on the way out. While the owner has the
// daemon stand aside (resume-all through it, rule 16) the owner's values go
// back once and nothing moves until management resumes. One log line per
// change, with its reason; plain data for `status`, the page and /metrics.

import { type AutoCapSettings, type AutoCapState, type Change, concurrencyTargets, controlAutoCap, loadOf, nextDueAt, type PressureFigures, startingAutoCap, type TunableQueue, worst } from "../core/auto-cap.ts";
import { changedBesides, jobConcurrency, needsRestore, planRestore, planWrite, type SystemConfig, type TuningRecord } from "../core/concurrency-config.ts";
import { type Asked, describeAsked } from "../core/control.ts";
import type { Decision, Observation } from "../core/types.ts";
import { ImmichError } from "../immich/errors.ts";
import type { Clock } from "../shared/clock.ts";
import { dict, own } from "../shared/dict.ts";
import { classify, FatalError, type ImmichApi } from "./immich-api.ts";
import type { Log } from "./log.ts";
import type { PressureMeter } from "./pressure.ts";
import type { StateStore } from "./state-file.ts";

export interface AutoCapOptions {
  settings: AutoCapSettings;
  /** Whether N moves (MAX_CONCURRENT_JOBS=auto); otherwise the range is the fixed N and only concurrency is tuned. */
  auto: boolean;
  meter: PressureMeter;
  client: ImmichApi;
  log: Log;
  store: StateStore;
  clock: Clock;
  /** MANAGED_QUEUES: only their concurrency is ever tuned. */
  managed: readonly string[];
  dryRun: boolean;
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

/** While a queue's concurrency is lowered, the settings are read at most this often to notice a person's change. */
export const RECHECK_MS = 30_000;

/**
 * While a queue stands by (rule 12), the pressure is read this often between
 * two polls (the source only, never Immich): an upload that starts work there
 * runs at the queue's full concurrency until the next look, and on a small
 * host that was most of the metadata stage (4 s at 86 % on the modelled
 * 2-core host, before the 10 s poll came). A reading above the target ends
 * the wait: the daemon looks at once.
 */
export const WATCH_MS = 1_000;
/**
 * With tuning, right after a queue is resumed, half a second: its first
 * reading comes before the next look, so a queue that saturates the host at
 * its owner's concurrency is lowered a second into its run, not two.
 */
export const RESUMED_WATCH_MS = 500;

export class AutoCapper {
  private state: AutoCapState;
  /** The config as last read or written (what is on the server, as far as the daemon knows). */
  private lastRead?: SystemConfig;
  /** The read before it (othersChanged compares against it). */
  private previous?: SystemConfig;
  private record?: TuningRecord;
  private readonly leftAlone = new Set<string>();
  /** Concurrency per tuned queue the server holds, as far as the daemon knows. */
  private applied: Record<string, number> = dict();
  private changeCount = 0;
  /** When the settings were last read (clock ms). */
  private lastReadAt = -Infinity;
  /** Immich refuses settings writes (IMMICH_CONFIG_FILE): tuning is off for this run, said once. */
  private refused?: string;
  /** A watch's reading above the target: the next step uses it (fresh) instead of reading again. */
  private fresh?: PressureFigures;
  /**
   * The highest watch readings since the last step, per resource. A watch
   * takes the meter's reading, so the step's own covers only the time since;
   * the step takes the highest of both, so that a stretch above ¾ of the
   * target between two polls still stops a raise ("stayed under" means at
   * every reading).
   */
  private peak?: PressureFigures;
  /** Who asked the daemon to stand aside (resume-all through it, rule 16), while that stands. */
  private aside?: Asked;
  /** The owner's values are back for the current hands-off (or nothing was owed): nothing more to do until it ends. */
  private asideDone = false;

  constructor(private readonly o: AutoCapOptions) {
    this.state = startingAutoCap(o.settings.range);
    this.record = o.store.tuning?.();
    // Continue where a previous run left the concurrency (a crash, kill -9): its values are the controller's now.
    if (this.record && o.settings.tune) {
      for (const [q, v] of Object.entries(this.record.expected)) if (v < (own(this.record.baseline, q) ?? v)) this.state.concurrency[q] = v;
    }
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

  /**
   * How often to read the pressure between two polls, or undefined: not at
   * all. While a queue stands by (new work would start there unseen), and,
   * with tuning, right after a resume; never while the pressure is already
   * above the target (the dwell's own looks come soon then), nor when a look
   * could lower nothing.
   */
  watching(latest: { decision: Decision } | undefined): number | undefined {
    if (!latest || this.aside || this.state.overSince !== undefined || this.state.sourceLost) return undefined;
    // Nothing a look could lower: N at its lower bound and no tuning.
    if (!this.o.settings.tune && this.state.n <= this.o.settings.range.min) return undefined;
    if (this.o.settings.tune && latest.decision.actions.some((a) => a.kind === "resume" && !latest.decision.standby.includes(a.queue))) return RESUMED_WATCH_MS;
    return latest.decision.standby.length > 0 ? WATCH_MS : undefined;
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
    this.peak = highest(this.peak, look.figures);
    const w = worst(look.figures, this.o.settings.target);
    if (!w || w.ratio <= 1) return false;
    this.fresh = look.figures;
    if (every !== RESUMED_WATCH_MS) return true;
    const before = this.changeCount;
    await this.step(latest, signal);
    return this.changeCount > before;
  }

  /** N to decide with now. */
  get n(): number {
    return this.state.n;
  }

  /**
   * At start, with tuning: the key may read the settings (GET) and write them
   * (the settings written back unchanged: the one write that proves
   * systemConfig.update with no effect; a dry run skips it). A missing
   * permission ends the daemon, naming it. Without tuning, values a previous
   * run left behind (a crash) are put back.
   */
  async check(signal?: AbortSignal): Promise<void> {
    const { client } = this.o;
    if (!this.o.settings.tune) {
      if (needsRestore(this.record) && client.getSystemConfig && !this.o.dryRun) {
        this.o.log.info("a previous run left job concurrency lowered (TUNE_CONCURRENCY is now off): putting the owner's values back");
        await this.restore(signal).catch(() => {});
      }
      return;
    }
    if (!client.getSystemConfig || !client.putSystemConfig) throw new Error("TUNE_CONCURRENCY needs a client that reads and writes the system config");
    try {
      const read = await client.getSystemConfig(signal);
      this.seen(read);
      if (!this.o.dryRun) await client.putSystemConfig(read, signal);
    } catch (e) {
      const err = classify(e);
      if (signal?.aborted) return;
      if (err.kind === "bad-request") return this.refuse(err.message);
      // Immich answered a moment ago: a passing fault is tried again at the next cycle; a refusal ends the daemon.
      if (!err.transient || err.kind === "missing-scope") throw scopeError(e);
      this.o.log.warn(`TUNE_CONCURRENCY: could not read the system config yet (${err.message}); trying again next cycle`, { kind: err.kind });
      return;
    }
    const tuned = Object.entries(this.known()).map(([q, c]) => `${q} ${c}`).join(", ");
    this.o.log.info(`TUNE_CONCURRENCY: the owner's job concurrency is ${tuned || "(no managed queue has one)"}; lowered only while the pressure stays above ${targetText(this.o.settings.target)} at ${this.o.auto ? "the lowest N" : "N"}, and put back on exit`);
  }

  /**
   * Once per cycle, before deciding: read the pressure, move N and the
   * concurrency, and write the concurrency if it changed. `latest` is the
   * previous look (whether work waits, which queues run).
   */
  async step(latest: { observation: Observation; decision: Decision } | undefined, signal?: AbortSignal): Promise<void> {
    if (this.aside) this.resumeManaging();
    const fresh = this.fresh;
    const peak = this.peak;
    this.fresh = undefined;
    this.peak = undefined;
    const read = fresh ? { figures: fresh } : await this.o.meter.read(signal);
    if (signal?.aborted) return;
    if ("warming" in read && !peak) return;
    const look = "problem" in read ? read : { figures: highest(peak, "figures" in read ? read.figures : {}) };
    await this.ensureRead(signal);
    const load = latest ? loadOf(latest.decision, latest.observation) : { workWaits: false, running: new Set<string>() };
    const tunable = this.tunable(load.running);
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
    if (this.o.settings.tune) await this.apply(concurrencyTargets(this.state, tunable), load.running, signal);
  }

  /**
   * Once per cycle instead of `step` while the owner has the daemon stand
   * aside (resume-all through the running daemon, rule 16): the owner's job
   * concurrency goes back once, by the exit's read-modify-write (only the
   * managed queues' concurrency whose value is still the daemon's; a cycle in
   * which anything else in the settings changed writes nothing and the next
   * one tries again), the record is forgotten, and then nothing is read or
   * written and N stays where it is, until the owner resumes management (the
   * next `step`).
   */
  async standAside(asked: Asked, signal?: AbortSignal): Promise<void> {
    this.aside = asked;
    this.fresh = undefined;
    this.peak = undefined;
    // It keeps watching: the figures for status and the page, nothing decided with them.
    const look = await this.o.meter.read(signal);
    if (signal?.aborted) return;
    if ("figures" in look) this.state = { ...this.state, pressure: look.figures };
    else if ("problem" in look) this.state = { ...this.state, pressure: undefined };
    if (this.asideDone) return;
    // The controller forgets its stretches and what it lowered: the owner's values stand now.
    const { overSince: _o, underSince: _u, runningSince: _r, waitsSince: _w, ...kept } = this.state;
    this.state = { ...kept, concurrency: dict() };
    const record = this.record;
    const { client, log } = this.o;
    if (!record || !needsRestore(record) || this.o.dryRun || !client.getSystemConfig || !client.putSystemConfig) {
      if (record) this.forget();
      this.applied = this.known();
      this.asideDone = true;
      return;
    }
    try {
      const read = await client.getSystemConfig(signal);
      if (this.lastRead && changedBesides(this.lastRead, read, Object.keys(record.baseline))) {
        this.seen(read);
        log.info("the system config changed outside the daemon since its last look (someone is editing the settings?): not putting the owner's job concurrency back this cycle");
        return;
      }
      const plan = planRestore(read, record);
      this.seen(read);
      if (plan.write) this.seen(await client.putSystemConfig(plan.write, signal));
      if (plan.restored.length > 0) {
        const moves = plan.restored.map((x, i) => `${x.queue}${i === 0 ? " concurrency" : ""} ${x.from} → ${x.to}`).join(", ");
        log.info(`${moves}: restored for hands-off (${describeAsked(asked)})`, { autoCap: "hands-off", queues: plan.restored.map((x) => x.queue), by: asked.by, channel: asked.channel });
      }
      for (const x of plan.leftAlone) {
        this.leftAlone.add(x.queue);
        log.info(`${x.queue} concurrency stays ${x.found}: set outside the daemon, so it is the owner's`, { queue: x.queue });
      }
      this.forget();
      this.asideDone = true;
    } catch (e) {
      const err = classify(e);
      if (signal?.aborted) return;
      log.warn(`could not put the owner's job concurrency back for hands-off: ${err.message}; trying again next cycle`, { kind: err.kind });
    }
  }

  /** Management resumes after hands-off: tuning starts again with the owner's values (as the server holds them) as the baseline. */
  private resumeManaging(): void {
    this.aside = undefined;
    this.asideDone = false;
    if (!this.o.settings.tune || this.refused !== undefined) return;
    const owners = Object.entries(this.known()).filter(([q]) => !this.leftAlone.has(q)).map(([q, c]) => `${q} ${c}`).join(", ");
    this.o.log.info(`TUNE_CONCURRENCY: managing again; the owner's job concurrency is ${owners || "(no managed queue has one)"}, lowered only while the pressure stays above ${targetText(this.o.settings.target)}`);
  }

  /** With tuning, the first successful read (if the one at start failed). */
  private async ensureRead(signal?: AbortSignal): Promise<void> {
    if (!this.o.settings.tune || this.lastRead || !this.o.client.getSystemConfig) return;
    try {
      this.seen(await this.o.client.getSystemConfig(signal));
    } catch (e) {
      const err = classify(e);
      if (!signal?.aborted && !err.transient) throw scopeError(e);
    }
  }

  /** Immich answered a settings write with 400 (its settings come from IMMICH_CONFIG_FILE): no tuning this run. */
  private refuse(why: string): void {
    this.refused = why;
    this.o.log.warn(`TUNE_CONCURRENCY: Immich refuses to change its settings (${why}; is it started with IMMICH_CONFIG_FILE?): job concurrency is left as it is for this run`);
  }

  /** Writes the targets when they differ from what the server holds: read, plan, keep the baseline, write. */
  private async apply(targets: Record<string, number>, running: ReadonlySet<string>, signal?: AbortSignal): Promise<void> {
    const { client, log } = this.o;
    if (this.refused !== undefined) return;
    // Nothing to change: no request; but while a lowered queue runs, a look at the settings every
    // RECHECK_MS notices a person's change soon (it becomes the owner's value and is left alone).
    // Never while idle: an idle daemon costs one GET per POLL_INTERVAL and nothing else.
    const unchanged = Object.entries(targets).every(([q, v]) => own(this.applied, q) === v);
    const r = this.record;
    const tuning = r !== undefined && [...running].some((q) => (own(r.expected, q) ?? Infinity) < (own(r.baseline, q) ?? 0));
    if (unchanged && !(tuning && this.o.clock.now() - this.lastReadAt >= RECHECK_MS)) return;
    if (this.o.dryRun) {
      for (const [q, v] of Object.entries(targets)) if (own(this.applied, q) !== v) log.info(`dry run: would set ${q} concurrency ${own(this.applied, q)} → ${v}`);
      this.applied = dict([...Object.entries(this.applied), ...Object.entries(targets)]);
      return;
    }
    try {
      const read = await client.getSystemConfig!(signal);
      const plan = planWrite({ read, ...(this.lastRead ? { previous: this.lastRead } : {}), ...(this.record ? { record: this.record } : {}), leftAlone: [...this.leftAlone], targets });
      for (const p of plan.personChanged) {
        this.leftAlone.add(p.queue);
        log.info(`${p.queue} concurrency was changed to ${p.found} outside the daemon (it had set ${p.expected}): that is the owner's value now, and the daemon leaves ${p.queue}'s concurrency alone until it restarts`, { queue: p.queue, concurrency: p.found });
      }
      if (plan.othersChanged) log.info("the system config changed outside the daemon since its last look (someone is editing the settings?): not writing job concurrency this cycle");
      this.record = plan.record;
      this.saveRecord();
      this.seen(read);
      if (!plan.write) return;
      const answer = await client.putSystemConfig!(plan.write, signal);
      this.seen(answer);
      for (const [q, v] of Object.entries(targets)) {
        const now = answer.job[q]?.concurrency;
        if (now !== undefined && now !== v && !this.leftAlone.has(q)) log.warn(`Immich accepted ${q} concurrency ${v} but reports ${now}; deciding again next cycle`);
      }
    } catch (e) {
      const err = classify(e);
      if (signal?.aborted) return;
      if (err.kind === "bad-request") return this.refuse(err.message);
      if (!err.transient) throw new FatalError(scopeError(e).error);
      log.warn(`could not write job concurrency: ${err.message}; trying again next cycle`, { kind: err.kind });
    }
  }

  /**
   * Puts the owner's values back (exit, signals): the queues whose value is
   * still the daemon's; a person's value stays. Forgets the record once done.
   */
  async restore(signal?: AbortSignal): Promise<{ restored: string[]; error?: string }> {
    const record = this.record;
    if (!record || !needsRestore(record) || !this.o.client.getSystemConfig || !this.o.client.putSystemConfig) {
      if (record && !needsRestore(record)) this.forget();
      return { restored: [] };
    }
    try {
      const r = await restoreConcurrency(this.o.client as Required<ImmichApi>, record, signal);
      for (const x of r.restored) this.o.log.info(`${x.queue} concurrency ${x.from} → ${x.to}: the owner's value, put back on exit`, { queue: x.queue, concurrency: x.to });
      for (const x of r.leftAlone) this.o.log.info(`${x.queue} concurrency stays ${x.found}: set outside the daemon, so it is the owner's`, { queue: x.queue });
      this.forget();
      return { restored: r.restored.map((x) => x.queue) };
    } catch (e) {
      const err = classify(e);
      this.o.log.error(`could not put the owner's job concurrency back (${err.message}); run \`immich-job-daemon resume-all\` once Immich answers`, { kind: err.kind });
      return { restored: [], error: err.message };
    }
  }

  /** Whether the owner's values still have to be put back (the state file keeps them for `resume-all`). */
  get owed(): boolean {
    return needsRestore(this.record);
  }

  view(): AutoCapView {
    const known = this.known();
    const queues = Object.entries(known).map(([name, concurrency]) => ({
      name,
      concurrency,
      owner: own(this.record?.baseline, name) ?? concurrency,
      leftAlone: this.leftAlone.has(name),
    }));
    return {
      auto: this.o.auto,
      tune: this.o.settings.tune,
      range: { ...this.o.settings.range },
      n: this.state.n,
      target: this.o.settings.target,
      ...(this.state.pressure ? { pressure: this.state.pressure } : {}),
      source: this.o.meter.source,
      sourceLost: this.state.sourceLost,
      queues: this.o.settings.tune ? queues : [],
      ...(this.state.lastChange ? { lastChange: this.state.lastChange } : {}),
      strikes: this.state.strikes,
      changes: this.changeCount,
      handsOff: this.aside !== undefined,
    };
  }

  private seen(config: SystemConfig) {
    this.lastReadAt = this.o.clock.now();
    this.previous = this.lastRead;
    this.lastRead = config;
    this.applied = this.known();
  }

  /** Managed queues' concurrency as the server last showed it. */
  private known(): Record<string, number> {
    return this.lastRead ? jobConcurrency(this.lastRead, this.o.managed) : dict();
  }

  private tunable(running: ReadonlySet<string>): TunableQueue[] {
    if (!this.o.settings.tune || this.refused !== undefined) return [];
    const known = this.known();
    return this.o.managed
      .filter((q) => own(known, q) !== undefined && !this.leftAlone.has(q))
      .map((q) => ({ name: q, owner: own(this.record?.baseline, q) ?? own(known, q)!, running: running.has(q) }));
  }

  private saveRecord() {
    try {
      this.o.store.saveTuning?.(this.record);
    } catch (e) {
      this.o.log.warn(`could not write the state file: ${(e as Error).message}; the owner's job concurrency is kept in memory only`);
    }
  }

  private forget() {
    this.record = undefined;
    this.saveRecord();
  }
}

/** Put a record's baseline back (exit, `resume-all`): read, plan, write. */
export async function restoreConcurrency(
  client: Required<Pick<ImmichApi, "getSystemConfig" | "putSystemConfig">>,
  record: TuningRecord,
  signal?: AbortSignal,
): Promise<ReturnType<typeof planRestore>> {
  const read = await client.getSystemConfig(signal);
  const plan = planRestore(read, record);
  if (plan.write) await client.putSystemConfig(plan.write, signal);
  return plan;
}

/** Per resource, the higher of two readings. */
function highest(a: PressureFigures | undefined, b: PressureFigures): PressureFigures {
  const out: PressureFigures = { ...a };
  for (const [r, v] of Object.entries(b) as [keyof PressureFigures, number][]) out[r] = Math.max(out[r] ?? 0, v);
  return out;
}

const targetText = (t: AutoCapSettings["target"]) =>
  Object.entries(t)
    .map(([r, v]) => `${r} ${v} %`)
    .join(", ");

/** A missing systemConfig.* permission, in words that name it and the switch. */
function scopeError(e: unknown): FatalError {
  const err = classify(e);
  if (e instanceof ImmichError && e.kind === "missing-scope") {
    return new FatalError({
      kind: "missing-scope",
      transient: false,
      message: `the API key lacks the permission ${e.scope ?? "systemConfig.read or systemConfig.update"}, which TUNE_CONCURRENCY needs: grant the key systemConfig.read and systemConfig.update (Account Settings → API Keys → edit the key), or turn TUNE_CONCURRENCY off`,
    });
  }
  return new FatalError(err);
}
