// What is worth a message on someone's phone, read from successive status
// snapshots (never from single actions: a pause or resume is never an
// event). Pure apart from the little it must remember between snapshots
// (whether an outage was announced, when the current backlog began):
//   immich-down   Immich has not answered for NOTIFY_OUTAGE_AFTER
//   immich-up     ... and answers again (only after an announced outage)
//   key-refused   Immich refused the key or a permission: the daemon stops
//   held          a person paused managed queues, still held HELD_MIN_MS later
//   drained       every managed queue ran out of work after a backlog of at least DRAIN_MIN_MS
//   window-opened / window-closed   a time window (WINDOWS) changed
//   ml-down / ml-up                 the machine-learning service (ML_URL) went or came back

import { formatDuration } from "../core/eta.ts";
import type { StatusSnapshot } from "../status/snapshot.ts";
import { grouped } from "../core/numbers.ts";

export type EventKind =
  | "immich-down"
  | "immich-up"
  | "key-refused"
  | "held"
  | "drained"
  | "window-opened"
  | "window-closed"
  | "ml-down"
  | "ml-up";

export interface NotifyEvent {
  kind: EventKind;
  at: number;
  severity: "info" | "warning" | "error";
  /** Short, ASCII (it travels in an HTTP header). */
  title: string;
  /** One sentence. */
  text: string;
  queues?: string[];
  /** How long the outage, backlog or ML absence lasted, when the event ends one. */
  durationSeconds?: number;
}

/** Backlogs shorter than this are everyday uploads, not worth a message when done. */
export const DRAIN_MIN_MS = 10 * 60_000;
/**
 * A queue held for less than this is no news: tools such as immich-go pause
 * queues for the length of an upload and resume them after, and a click
 * undone at once needs nobody.
 */
export const HELD_MIN_MS = 5 * 60_000;

const REFUSALS: Record<string, string> = {
  unauthorized: "Immich refused the daemon's API key (401)",
  forbidden: "Immich refused the daemon: the key's user is not an admin (403)",
  "missing-scope": "Immich refused the daemon: the API key lacks a permission (403)",
};

const list = (names: string[]) => (names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`);
const refusals = (s: StatusSnapshot) =>
  s.counters.apiErrors.filter((e) => Object.hasOwn(REFUSALS, e.kind)).reduce((a, e) => a + e.count, 0);

export interface DetectorOptions {
  outageAfterMs: number;
  drainMinMs?: number;
  heldMinMs?: number;
}

export class EventDetector {
  private outageSince: number | undefined;
  private backlog: { since: number; peak: number } | undefined;
  /** Held queues not yet announced, and since when (undefined: held since before the first look, no news). */
  private held = new Map<string, number | undefined>();
  private readonly announced = new Set<string>();

  constructor(private readonly o: DetectorOptions) {}

  /** The events between two successive snapshots. */
  next(prev: StatusSnapshot, s: StatusSnapshot): NotifyEvent[] {
    return [...this.outage(s), ...this.refused(prev, s), ...this.work(prev, s), ...this.windows(prev, s), ...this.ml(prev, s)];
  }

  private outage(s: StatusSnapshot): NotifyEvent[] {
    const h = s.health;
    const failing = h.state === "degraded" || (h.state === "starting" && s.counters.apiErrors.length > 0);
    if (failing && this.outageSince === undefined) {
      const since = h.state === "degraded" ? h.since : s.startedAt;
      if (s.at - since < this.o.outageAfterMs) return [];
      this.outageSince = since;
      const why = h.lastError ? ` (${h.lastError}${h.failures ? `, ${h.failures} failed polls` : ""})` : "";
      const how = h.state === "starting" ? "since the daemon started" : "";
      return [{
        kind: "immich-down",
        at: s.at,
        severity: "error",
        title: "Immich is not answering",
        text: `Immich has not answered for ${formatDuration(s.at - since)}${how ? ` ${how}` : ""}${why}; the daemon takes no action until it does.`,
      }];
    }
    if (h.state === "ok" && this.outageSince !== undefined) {
      const took = h.since - this.outageSince;
      this.outageSince = undefined;
      return [{ kind: "immich-up", at: s.at, severity: "info", title: "Immich answers again", text: `Immich answers again after ${formatDuration(took)}.`, durationSeconds: Math.round(took / 1000) }];
    }
    return [];
  }

  private refused(prev: StatusSnapshot, s: StatusSnapshot): NotifyEvent[] {
    if (refusals(s) <= refusals(prev)) return [];
    const seen = new Map(prev.counters.apiErrors.map((e) => [e.kind, e.count]));
    const kind = s.counters.apiErrors.find((e) => Object.hasOwn(REFUSALS, e.kind) && e.count > (seen.get(e.kind) ?? 0))!.kind;
    return [{
      kind: "key-refused",
      at: s.at,
      severity: "error",
      title: "Immich refused the API key",
      text: `${REFUSALS[kind]}: the daemon stops. Fix the key (Account Settings, API Keys), start the daemon again, and run \`immich-job-daemon resume-all\` if queues stay paused.`,
    }];
  }

  /** Held queues and drained backlogs: only when a new observation arrived. */
  private work(prev: StatusSnapshot, s: StatusSnapshot): NotifyEvent[] {
    if (s.lastSuccessAt === undefined || s.lastSuccessAt === prev.lastSuccessAt) return [];
    const out: NotifyEvent[] = [];
    const heldNow = new Set(s.queues.filter((q) => q.held).map((q) => q.name));
    for (const name of [...this.held.keys(), ...this.announced]) {
      if (!heldNow.has(name)) {
        this.held.delete(name);
        this.announced.delete(name);
      }
    }
    for (const name of heldNow) {
      // A restart that finds queues held already (state file) is no news.
      if (!this.held.has(name) && !this.announced.has(name)) this.held.set(name, prev.lastSuccessAt === undefined ? undefined : s.lastSuccessAt);
    }
    const minMs = this.o.heldMinMs ?? HELD_MIN_MS;
    const held = [...this.held].filter(([, since]) => since !== undefined && s.lastSuccessAt! - since >= minMs).map(([name]) => name);
    for (const name of held) {
      this.held.delete(name);
      this.announced.add(name);
    }
    if (held.length > 0) {
      out.push({
        kind: "held",
        at: s.at,
        severity: "warning",
        title: held.length === 1 ? `${held[0]} held` : `${held.length} queues held`,
        text: `${list(held)} ${held.length === 1 ? "was" : "were"} paused by someone else ${formatDuration(minMs)} ago or more; the daemon will not resume ${held.length === 1 ? "it" : "them"} until someone else does.`,
        queues: held,
      });
    }
    const working = s.queues.filter((q) => !q.held);
    const total = working.reduce((a, q) => a + q.active + q.pending, 0);
    if (total > 0) {
      if (this.backlog) this.backlog.peak = Math.max(this.backlog.peak, total);
      else this.backlog = { since: s.lastSuccessAt, peak: total };
    } else if (this.backlog) {
      const took = s.lastSuccessAt - this.backlog.since;
      const peak = this.backlog.peak;
      this.backlog = undefined;
      if (took >= (this.o.drainMinMs ?? DRAIN_MIN_MS)) {
        const stillHeld = s.queues.filter((q) => q.held && q.pending > 0).map((q) => q.name);
        out.push({
          kind: "drained",
          at: s.at,
          severity: "info",
          title: "Backlog done",
          text: `Every managed queue is done: the backlog (up to ${grouped(peak)} jobs) took ${formatDuration(took)}.${stillHeld.length ? ` Still held by a person: ${list(stillHeld)}.` : ""}`,
          durationSeconds: Math.round(took / 1000),
        });
      }
    }
    return out;
  }

  private windows(prev: StatusSnapshot, s: StatusSnapshot): NotifyEvent[] {
    if (!prev.windows || !s.windows) return [];
    const before = new Map(prev.windows.map((w) => [w.queue, w.open]));
    const groups = new Map<string, typeof s.windows>();
    for (const w of s.windows) {
      const was = before.get(w.queue);
      if (was === undefined || was === w.open) continue;
      const key = `${w.open}|${w.window}|${w.zone}`;
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    return [...groups.values()].map((g) => {
      const w = g[0]!;
      const queues = g.map((x) => x.queue);
      const next = w.nextChange ? `; it ${w.open ? "closes" : "opens again"} ${w.nextChange}` : "";
      return {
        kind: w.open ? "window-opened" : "window-closed",
        at: s.at,
        severity: "info",
        title: `Window ${w.open ? "opened" : "closed"}`,
        text: `Window ${w.window} (${w.zone}) ${w.open ? "opened" : "closed"} for ${list(queues)}${next}.`,
        queues,
      } satisfies NotifyEvent;
    });
  }

  private ml(prev: StatusSnapshot, s: StatusSnapshot): NotifyEvent[] {
    const a = prev.gates?.ml;
    const b = s.gates?.ml;
    if (!a || !b || a.up === b.up) return [];
    if (!b.up) {
      return [{ kind: "ml-down", at: s.at, severity: "warning", title: "Machine learning offline", text: "The machine-learning service does not answer (ML_URL): the queues that need it are paused gracefully until it is back." }];
    }
    const took = b.since - a.since;
    return [{ kind: "ml-up", at: s.at, severity: "info", title: "Machine learning back", text: `The machine-learning service answers again after ${formatDuration(took)}; its queues may run.`, durationSeconds: Math.round(took / 1000) }];
  }
}
