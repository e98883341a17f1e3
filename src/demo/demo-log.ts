// The daemon's logger in the demo: instead of printing, it keeps the recent
// lines (stamped with simulated time) and, per queue, the latest action and
// its reason, which is what the live view shows beside each queue. The
// daemon logs every command it sent with {action, queue, reason} fields, so
// this sees exactly what was done, failed commands excluded.

import type { Fields, Level, Log } from "../daemon/log.ts";

export interface LogEntry {
  /** Increasing from 1; the plain output prints each entry once by it. */
  seq: number;
  /** Simulated time of the line. */
  at: number;
  level: Level;
  msg: string;
  fields?: Fields;
}

export interface QueueAction {
  kind: "pause" | "resume";
  /** The decision's reason code (release, over-cap, fill-slot, exit...). */
  reason: string;
  /** The decision's sentence, e.g. "812 jobs pending and a free slot (1 of 2 in use)". */
  detail: string;
  at: number;
}

export class DemoLog implements Log {
  private seq = 0;
  private readonly kept: LogEntry[] = [];
  private readonly latest = new Map<string, QueueAction>();
  constructor(
    private readonly now: () => number,
    /** Lines kept; older ones are dropped (the view shows a handful). */
    private readonly keep = 500,
  ) {}

  debug = (msg: string, fields?: Fields) => this.add("debug", msg, fields);
  info = (msg: string, fields?: Fields) => this.add("info", msg, fields);
  warn = (msg: string, fields?: Fields) => this.add("warn", msg, fields);
  error = (msg: string, fields?: Fields) => this.add("error", msg, fields);

  /** Lines after `seq` (all kept ones for 0), oldest first. */
  since(seq: number): LogEntry[] {
    return this.kept.filter((e) => e.seq > seq);
  }

  /** The last `n` lines, oldest first. */
  tail(n: number): LogEntry[] {
    return n <= 0 ? [] : this.kept.slice(-n);
  }

  /** The latest command sent for each queue. */
  actions(): ReadonlyMap<string, QueueAction> {
    return this.latest;
  }

  private add(level: Level, msg: string, fields?: Fields) {
    // Debug lines are the daemon's chatter; the view has no room for them.
    if (level === "debug") return;
    const at = this.now();
    this.kept.push({ seq: ++this.seq, at, level, msg, ...(fields ? { fields } : {}) });
    if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);

    const { action, queue, reason, dryRun } = fields ?? {};
    // Lines with an action and a queue at info level are commands that were
    // sent; a failed one is logged at warn and changes nothing, and a dry
    // run's "would" lines send nothing.
    if (level !== "info" || dryRun || (action !== "pause" && action !== "resume") || typeof queue !== "string") return;
    const verb = action === "pause" ? "paused" : "resumed";
    const prefix = `${verb} ${queue}: `;
    const detail = msg.startsWith(prefix) ? msg.slice(prefix.length) : msg;
    this.latest.set(queue, { kind: action, reason: String(reason ?? ""), detail, at });
  }
}
