// Sends notification events to every NOTIFY_URL target, off the loop's path:
// `add` returns at once; events that come within BATCH_MS of the first go out
// together as one message (a person pausing five queues is one message); each POST has its own timeout, so a failing or
// hanging target costs the loop nothing. A target's failure is logged once,
// then not again until a message gets through (said once too).

import type { Log } from "../daemon/log.ts";
import type { Clock } from "../shared/clock.ts";
import type { NotifyEvent } from "./events.ts";
import type { NotifyTarget } from "../shared/notify-targets.ts";

export const BATCH_MS = 3_000;
export const SEND_TIMEOUT_MS = 10_000;
/** A batch larger than this keeps the newest (a flapping world must not grow memory). */
export const MAX_EVENTS = 50;

export interface NotifierOptions {
  targets: readonly NotifyTarget[];
  /** Sent as `Authorization: Bearer` (ntfy's access tokens; webhooks may use it too). */
  token?: string;
  fetch: typeof fetch;
  /** The batching delay runs on this clock (virtual in tests). */
  clock: Clock;
  log: Log;
  /** Named in every message. */
  source: { version: string; immichUrl: string };
  batchMs?: number;
  /** Real milliseconds one POST may take. */
  timeoutMs?: number;
  /** Hides secrets (shared/mask.ts secretMasker) in every message: a server's words may carry the API key. */
  mask?: (text: string) => string;
}

export interface Message {
  title: string;
  text: string;
  severity: NotifyEvent["severity"];
  events: NotifyEvent[];
}

export class Notifier {
  private pending: NotifyEvent[] = [];
  private firstAt = 0;
  private dropped = 0;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failing = new Set<string>();

  constructor(private readonly o: NotifierOptions) {
    void this.tick();
  }

  /** Queue events; they go out about BATCH_MS after the first of a batch. Never waits. */
  add(events: readonly NotifyEvent[]): void {
    if (events.length === 0 || this.stopping.signal.aborted) return;
    if (this.pending.length === 0) this.firstAt = this.o.clock.now();
    this.pending.push(...events);
    if (this.pending.length > MAX_EVENTS) {
      this.dropped += this.pending.length - MAX_EVENTS;
      this.pending = this.pending.slice(-MAX_EVENTS);
    }
  }

  /**
   * A steady tick on the clock (a third of BATCH_MS) sends a batch once its
   * first event is BATCH_MS old: a batch goes out BATCH_MS to 4/3 BATCH_MS
   * after its first event. A loop that always sleeps again, rather than a
   * timer per batch, keeps a virtual clock's hand-over exact in the tests.
   */
  private async tick(): Promise<void> {
    const batch = this.o.batchMs ?? BATCH_MS;
    while (!this.stopping.signal.aborted) {
      await this.o.clock.sleep(Math.max(1, batch / 3), this.stopping.signal);
      if (this.pending.length > 0 && this.o.clock.now() - this.firstAt >= batch) this.flush();
    }
  }

  /** Sends what is pending now, to every target. */
  flush(): void {
    if (this.pending.length === 0) return;
    const composed = compose(this.pending, this.dropped);
    const message = this.o.mask ? (JSON.parse(this.o.mask(JSON.stringify(composed))) as Message) : composed;
    this.pending = [];
    this.dropped = 0;
    for (const t of this.o.targets) {
      const p = this.send(t, message).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** On exit: send what is pending at once and wait for the sends, at most `budgetMs` (real time). */
  async close(budgetMs: number): Promise<void> {
    this.stopping.abort();
    this.flush();
    if (this.inFlight.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise<void>((r) => (timer = setTimeout(r, budgetMs)))]);
    clearTimeout(timer);
  }

  private async send(target: NotifyTarget, message: Message): Promise<void> {
    const { url, init } = request(target, message, this.o.source, this.o.token);
    try {
      const res = await this.o.fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(this.o.timeoutMs ?? SEND_TIMEOUT_MS) });
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw new Error(`answered HTTP ${res.status}`);
      if (this.failing.delete(target.label)) this.o.log.info(`notifications to ${target.label} get through again`);
    } catch (e) {
      if (this.failing.has(target.label)) return;
      this.failing.add(target.label);
      const err = e as Error;
      const why = err.name === "TimeoutError" ? `no answer within ${(this.o.timeoutMs ?? SEND_TIMEOUT_MS) / 1000} s` : (err.message.split("\n")[0] ?? "failed");
      this.o.log.warn(`could not notify ${target.label}: ${why}; further failures there are not logged until one gets through`, { notify: target.kind });
    }
  }
}

/** One message for a batch of events. */
export function compose(events: readonly NotifyEvent[], dropped = 0): Message {
  const severity = events.some((e) => e.severity === "error") ? "error" : events.some((e) => e.severity === "warning") ? "warning" : "info";
  const more = dropped ? `\n(${dropped} earlier event${dropped === 1 ? "" : "s"} left out)` : "";
  if (events.length === 1) return { title: events[0]!.title, text: events[0]!.text + more, severity, events: [...events] };
  const titles = [...new Set(events.map((e) => e.title))].join("; ");
  return {
    title: titles.length > 100 ? `${events.length} events: ${titles.slice(0, 90)}...` : titles,
    text: events.map((e) => `- ${e.text}`).join("\n") + more,
    severity,
    events: [...events],
  };
}

const TAGS: Record<Message["severity"], string> = { error: "rotating_light", warning: "warning", info: "white_check_mark" };

/** Header values must be Latin-1; titles are meant to be ASCII, this makes sure. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, "?");

/** The POST for one target: ntfy's publish API, or one JSON object. */
export function request(target: NotifyTarget, m: Message, source: NotifierOptions["source"], token?: string): { url: string; init: RequestInit } {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (target.kind === "ntfy") {
    const kinds = [...new Set(m.events.map((e) => e.kind))];
    return {
      url: target.url,
      init: {
        method: "POST",
        body: m.text,
        headers: {
          ...auth,
          "content-type": "text/plain; charset=utf-8",
          title: headerSafe(`immich-job-daemon: ${m.title}`),
          tags: [TAGS[m.severity], ...kinds].join(","),
          priority: m.severity === "error" ? "high" : "default",
        },
      },
    };
  }
  return {
    url: target.url,
    init: {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        source: "immich-job-daemon",
        version: source.version,
        immich: source.immichUrl,
        title: m.title,
        message: m.text,
        severity: m.severity,
        events: m.events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      }),
    },
  };
}
