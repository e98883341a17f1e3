// The effects of TUNE_CONCURRENCY (rule 15) on Immich's system config: the
// start's permission check, and every write a read-modify-write of only the
// tuned queues' job concurrency (core/concurrency-config.ts plans it), with
// the owner's values kept first (tuning-record.ts), and given back once when
// the owner has the daemon stand aside (resume-all through it, rule 16). What
// it knows of the server's values feeds the controller (auto-cap-loop.ts),
// which decides them.

import type { AutoCapSettings, TunableQueue } from "../core/auto-cap.ts";
import { changedBesides, jobConcurrency, needsRestore, planRestore, planWrite, type SystemConfig } from "../core/concurrency-config.ts";
import { type Asked, describeAsked } from "../core/control.ts";
import { ImmichError } from "../immich/errors.ts";
import type { Clock } from "../shared/clock.ts";
import { dict, own } from "../shared/dict.ts";
import { classify, FatalError, type ImmichApi } from "./immich-api.ts";
import type { Log } from "./log.ts";
import type { StateStore } from "./state-file.ts";
import type { TuningKeeper } from "./tuning-record.ts";

/** What the settings side needs of rule 15's options (auto-cap-loop.ts adds the meter). */
export interface TuningOptions {
  settings: AutoCapSettings;
  /** Whether N moves (MAX_CONCURRENT_JOBS=auto); otherwise the range is the fixed N and only concurrency is tuned. */
  auto: boolean;
  client: ImmichApi;
  log: Log;
  store: StateStore;
  clock: Clock;
  /** MANAGED_QUEUES: only their concurrency is ever tuned. */
  managed: readonly string[];
  dryRun: boolean;
}

/** While a queue's concurrency is lowered, the settings are read at most this often to notice a person's change. */
export const RECHECK_MS = 30_000;

export class ConcurrencySettings {
  /** The config as last read or written (what is on the server, as far as the daemon knows). */
  private lastRead?: SystemConfig;
  private readonly leftAlone = new Set<string>();
  /** Concurrency per tuned queue the server holds, as far as the daemon knows. */
  private applied: Record<string, number> = dict();
  /** When the settings were last read (clock ms). */
  private lastReadAt = -Infinity;
  /** Immich refuses settings writes (IMMICH_CONFIG_FILE): tuning is off for this run, said once. */
  private refused?: string;

  constructor(
    private readonly o: TuningOptions,
    /** The owner's values, as the state file keeps them. */
    private readonly record: TuningKeeper,
  ) {}

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
      if (this.record.owed && client.getSystemConfig && !this.o.dryRun) {
        this.o.log.info("a previous run left job concurrency lowered (TUNE_CONCURRENCY is now off): putting the owner's values back");
        await this.record.restore(signal).catch(() => {});
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
   * While the owner has the daemon stand aside: the owner's job concurrency
   * back once, by the exit's read-modify-write (only the managed queues'
   * concurrency whose value is still the daemon's; a cycle in which anything
   * else in the settings changed writes nothing), and the record forgotten.
   * True once that is done (or nothing was owed); false: try again next cycle.
   */
  async handBack(asked: Asked, signal?: AbortSignal): Promise<boolean> {
    const record = this.record.current;
    const { client, log } = this.o;
    if (!record || !needsRestore(record) || this.o.dryRun || !client.getSystemConfig || !client.putSystemConfig) {
      if (record) this.record.forget();
      this.applied = this.known();
      return true;
    }
    try {
      const read = await client.getSystemConfig(signal);
      if (this.lastRead && changedBesides(this.lastRead, read, Object.keys(record.baseline))) {
        this.seen(read);
        log.info("the system config changed outside the daemon since its last look (someone is editing the settings?): not putting the owner's job concurrency back this cycle");
        return false;
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
      this.record.forget();
      return true;
    } catch (e) {
      const err = classify(e);
      if (signal?.aborted) return false;
      log.warn(`could not put the owner's job concurrency back for hands-off: ${err.message}; trying again next cycle`, { kind: err.kind });
      return false;
    }
  }

  /** Management resumes after hands-off: tuning starts again with the owner's values (as the server holds them) as the baseline. */
  sayManagingAgain(): void {
    if (!this.o.settings.tune || this.refused !== undefined) return;
    const owners = Object.entries(this.known()).filter(([q]) => !this.leftAlone.has(q)).map(([q, c]) => `${q} ${c}`).join(", ");
    this.o.log.info(`TUNE_CONCURRENCY: managing again; the owner's job concurrency is ${owners || "(no managed queue has one)"}, lowered only while the pressure stays above ${targetText(this.o.settings.target)}`);
  }

  /** With tuning, the first successful read (if the one at start failed). */
  async ensureRead(signal?: AbortSignal): Promise<void> {
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
  async apply(targets: Record<string, number>, running: ReadonlySet<string>, signal?: AbortSignal): Promise<void> {
    const { client, log } = this.o;
    if (this.refused !== undefined) return;
    // Nothing to change: no request; but while a lowered queue runs, a look at the settings every
    // RECHECK_MS notices a person's change soon (it becomes the owner's value and is left alone).
    // Never while idle: an idle daemon costs one GET per POLL_INTERVAL and nothing else.
    const unchanged = Object.entries(targets).every(([q, v]) => own(this.applied, q) === v);
    const r = this.record.current;
    const tuning = r !== undefined && [...running].some((q) => (own(r.expected, q) ?? Infinity) < (own(r.baseline, q) ?? 0));
    if (unchanged && !(tuning && this.o.clock.now() - this.lastReadAt >= RECHECK_MS)) return;
    if (this.o.dryRun) {
      for (const [q, v] of Object.entries(targets)) if (own(this.applied, q) !== v) log.info(`dry run: would set ${q} concurrency ${own(this.applied, q)} → ${v}`);
      this.applied = dict([...Object.entries(this.applied), ...Object.entries(targets)]);
      return;
    }
    try {
      const read = await client.getSystemConfig!(signal);
      const plan = planWrite({ read, ...(this.lastRead ? { previous: this.lastRead } : {}), ...(this.record.current ? { record: this.record.current } : {}), leftAlone: [...this.leftAlone], targets });
      for (const p of plan.personChanged) {
        this.leftAlone.add(p.queue);
        log.info(`${p.queue} concurrency was changed to ${p.found} outside the daemon (it had set ${p.expected}): that is the owner's value now, and the daemon leaves ${p.queue}'s concurrency alone until it restarts`, { queue: p.queue, concurrency: p.found });
      }
      if (plan.othersChanged) log.info("the system config changed outside the daemon since its last look (someone is editing the settings?): not writing job concurrency this cycle");
      this.record.keep(plan.record);
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

  /** Per tuned queue, for the view: the concurrency now, the owner's, and whether a person's value is left alone. */
  queues(): { name: string; concurrency: number; owner: number; leftAlone: boolean }[] {
    return Object.entries(this.known()).map(([name, concurrency]) => ({
      name,
      concurrency,
      owner: own(this.record.current?.baseline, name) ?? concurrency,
      leftAlone: this.leftAlone.has(name),
    }));
  }

  /** The queues the controller may tune now: managed, with a known concurrency, not left alone. */
  tunable(running: ReadonlySet<string>): TunableQueue[] {
    if (!this.o.settings.tune || this.refused !== undefined) return [];
    const known = this.known();
    return this.o.managed
      .filter((q) => own(known, q) !== undefined && !this.leftAlone.has(q))
      .map((q) => ({ name: q, owner: own(this.record.current?.baseline, q) ?? own(known, q)!, running: running.has(q) }));
  }

  private seen(config: SystemConfig) {
    this.lastReadAt = this.o.clock.now();
    this.lastRead = config;
    this.applied = this.known();
  }

  /** Managed queues' concurrency as the server last showed it. */
  private known(): Record<string, number> {
    return this.lastRead ? jobConcurrency(this.lastRead, this.o.managed) : dict();
  }
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
