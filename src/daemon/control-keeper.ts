// The owner's instructions at run time (DESIGN.md §2 rule 16): loaded from
// the state file at start (so a restart keeps a hold), changed by a command
// from the page, the API or the command line (core/control-commands.ts does
// the deciding), saved at every change, and read by the loop once per cycle
// (what ran out is dropped, said in one line and saved). Every change is
// logged with who asked and through which channel, and wakes the loop so a
// hold pauses now rather than at the next poll.

import { type Asked, type ControlState, inForce, isEmptyControl, nextExpiry } from "../core/control.ts";
import { applyCommand, type CommandResult, type ControlCommand, formatUntil } from "../core/control-commands.ts";
import type { Log } from "./log.ts";
import type { StateStore } from "./state-file.ts";

export interface ControlKeeperOptions {
  store: StateStore;
  log: Log;
  /** MANAGED_QUEUES, highest priority first. */
  managed: readonly string[];
  /** MAX_CONCURRENT_JOBS. */
  configuredN: number;
  /**
   * TZ, for "until 07:00" and the words; a function is asked only when an
   * instruction needs the zone: finding the system's zone loads ICU's time
   * zone data (+5.3 MB resident in a compiled program, measured), which an
   * idle daemon with no instruction never needs.
   */
  zone: string | (() => string);
}

export class ControlKeeper {
  private state: ControlState = {};
  private readonly listeners: (() => void)[] = [];
  private resolvedZone: string | undefined;

  constructor(private readonly o: ControlKeeperOptions) {
    const loaded = o.store.load().control;
    if (loaded) {
      // Rule 5 over memory: a file from another configuration never names a queue to touch.
      const queues = Object.fromEntries(Object.entries(loaded.queues ?? {}).filter(([q]) => o.managed.includes(q)));
      const missing = (loaded.missing ?? []).filter((m) => o.managed.includes(m.queue));
      const { queues: _q, missing: _m, ...rest } = loaded;
      this.state = { ...rest, ...(Object.keys(queues).length ? { queues } : {}), ...(missing.length ? { missing } : {}) };
      if (!isEmptyControl(this.state)) o.log.info(`the owner's instructions from the state file stand: ${describeControl(this.state, this.zone, o.configuredN)}`);
    }
  }

  /** What is asked now, expired or not (the loop calls `at`). */
  get current(): ControlState {
    return this.state;
  }

  /** The zone instructions are read and said in. */
  get zone(): string {
    this.resolvedZone ??= typeof this.o.zone === "string" ? this.o.zone : this.o.zone();
    return this.resolvedZone;
  }

  /** Called after every change (the loop wakes). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The instructions in force at `now`; what ran out is said, dropped and saved. */
  at(now: number): ControlState {
    const { state, ended } = inForce(this.state, now);
    if (ended.length === 0) return this.state;
    for (const e of ended) {
      const what = e.what === "all" ? "the hold on every managed queue" : e.what === "queue" ? `the hold on ${e.queue}` : `the temporary N (${"n" in e.entry ? e.entry.n : "?"})`;
      const after = e.what === "n" ? `: back to MAX_CONCURRENT_JOBS=${this.o.configuredN}` : ": back to the configured schedule";
      this.o.log.info(`${what} ran out${after}`, { control: `${e.what}-ended`, ...(e.queue ? { queue: e.queue } : {}) });
    }
    this.set(state);
    return state;
  }

  /** When the next instruction runs out, if any. */
  nextExpiry(): number | undefined {
    return nextExpiry(this.state);
  }

  /** A command from the page, the API or the command line: applied, logged, saved, and the loop woken; or refused. */
  apply(cmd: ControlCommand, asked: Asked, serverQueues?: readonly string[]): CommandResult {
    const r = applyCommand(this.at(asked.at), cmd, {
      asked,
      managed: this.o.managed,
      configuredN: this.o.configuredN,
      zone: this.zone,
      ...(serverQueues ? { serverQueues } : {}),
    });
    const who = `${asked.by} through ${asked.channel === "page" ? "the page" : asked.channel === "cli" ? "the command line" : "the API"}`;
    const what = cmd.kind + ("queue" in cmd && cmd.queue ? ` ${cmd.queue}` : "");
    if (!r.ok) {
      this.o.log.warn(`refused ${what} asked by ${who}: ${r.problem}`, { control: cmd.kind, by: asked.by, channel: asked.channel });
      return r;
    }
    this.o.log.info(`${who} asked to ${what}: ${r.effect.message}`, { control: cmd.kind, by: asked.by, channel: asked.channel, ...("queue" in cmd && cmd.queue ? { queue: cmd.queue } : {}) });
    this.set(r.state);
    for (const l of this.listeners) l();
    return r;
  }

  /** A missing-jobs request was sent (or refused for good): it is done. */
  missingDone(queue: string): void {
    const missing = (this.state.missing ?? []).filter((m) => m.queue !== queue);
    const { missing: _, ...rest } = this.state;
    this.set(missing.length ? { ...rest, missing } : rest);
  }

  private set(state: ControlState): void {
    this.state = state;
    try {
      this.o.store.saveControl(state);
    } catch (e) {
      this.o.log.warn(`could not write the state file: ${e instanceof Error ? e.message : String(e)}; the owner's instructions hold until the daemon stops`);
    }
  }
}

/** One line for the start-up log: what stands. */
export function describeControl(s: ControlState, zone: string, configuredN: number): string {
  const parts: string[] = [];
  if (s.handsOff) parts.push("stop managing (resume-all)");
  if (s.all) parts.push(`every managed queue held until ${formatUntil(s.all.until, zone)}`);
  for (const [q, h] of Object.entries(s.queues ?? {})) parts.push(`${q} held until ${formatUntil(h.until, zone)}`);
  if (s.n) parts.push(`N=${s.n.n} instead of ${configuredN} until ${formatUntil(s.n.until, zone)}`);
  for (const m of s.missing ?? []) parts.push(`${m.queue}'s missing jobs to be asked for`);
  return parts.join("; ");
}
