// Time, injected. Only src/main.ts picks the real clock; the daemon, the
// simulator and the demo are all handed one of these, so tests can run hours
// of simulated work in milliseconds with identical results.

export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's time. */
  now(): number;
  /**
   * Resolves after `ms` of this clock's time, or at once (without throwing)
   * when `signal` aborts. Never rejects.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => realSleep(ms, signal),
};

/** Sleeps `ms` real milliseconds, or until `signal` aborts (never rejects). */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Real time sped up by `speed` (100 = a hundred clock seconds per real
 * second), starting at `origin`. Used by `simulator --speed` and the demo, so
 * that the daemon polling "every 10 s" keeps pace with the simulated server.
 */
export class ScaledClock implements Clock {
  private readonly realStart = Date.now();
  constructor(
    readonly speed: number,
    private readonly origin: number = Date.now(),
  ) {
    if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
  }
  now(): number {
    return this.origin + (Date.now() - this.realStart) * this.speed;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return realSleep(ms / this.speed, signal);
  }
}

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to. `sleep` registers a timer; `advance`
 * moves time forward, waking sleepers in time order and letting each woken
 * task run until it sleeps again (or finishes) before moving on.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Number of tasks currently asleep on this clock. */
  get pending(): number {
    return this.sleepers.length;
  }

  /** When the next sleeper wakes (undefined if none sleeps): a driver stops there to see what it did. */
  get nextAt(): number | undefined {
    let at: number | undefined;
    for (const s of this.sleepers) if (at === undefined || s.at < at) at = s.at;
    return at;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        sleeper.resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Set the time without waking anyone (for driving a simulator directly). */
  set(t: number): void {
    if (t < this.current) throw new RangeError("a VirtualClock never goes back");
    this.current = t;
  }

  /**
   * Move forward by `ms`, waking every sleeper due on the way in order. After
   * each wake-up it waits (in real time, at most `settleMs`) until the woken
   * task is asleep again, so awaited I/O in between (real HTTP to an
   * in-process server) completes before time moves on. A woken task that
   * finishes instead cannot be told from one still waiting for I/O, so it
   * costs the whole `settleMs`: pass a small one when a sleeper is known to
   * end.
   */
  async advance(ms: number, settleMs = 5_000): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.sleepers[0];
      if (!next || next.at > target) break;
      this.sleepers.shift();
      this.current = Math.max(this.current, next.at);
      const before = this.seq;
      next.resolve();
      await settle(() => this.seq > before, settleMs);
    }
    this.current = target;
  }
}

/** Yield to the event loop until `done()` holds or `maxMs` of real time pass. */
async function settle(done: () => boolean, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  // Cheap turns of the event loop first (most wake-ups settle within a few);
  // then 1 ms timers, so a long wait for I/O does not spin the CPU.
  for (let i = 0; !done() && performance.now() < deadline; i++) {
    await new Promise<void>((r) => setImmediate(r));
    if (i > 50) await new Promise<void>((r) => setTimeout(r, 1));
  }
}

/**
 * `clock`, plus a promise that settles the first time someone sleeps on it.
 * A daemon's first sleep means it has connected and had its first look (or
 * is waiting for Immich): the moment a driver of virtual time may move on.
 */
export function watchFirstSleep(clock: Clock): { clock: Clock; firstSleep: Promise<void> } {
  let slept!: () => void;
  const firstSleep = new Promise<void>((resolve) => (slept = resolve));
  return {
    clock: {
      now: () => clock.now(),
      sleep: (ms, signal) => {
        slept();
        return clock.sleep(ms, signal);
      },
    },
    firstSleep,
  };
}
