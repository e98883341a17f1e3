// The loop's look beyond Immich's API, once per cycle: each queue's time
// window at the clock's now (WINDOWS), and later the machine-learning
// service and the host's pressure. Effects (the clock; later a fetch and a
// /proc reader) are handed in. It keeps the last Gates as plain data for
// `status` and the status server, and logs one line per change.

import type { Gates } from "../core/blockers.ts";
import { type Schedule, type WindowState, windowTracker } from "../core/windows.ts";
import type { Clock } from "../shared/clock.ts";
import type { Log } from "./log.ts";

export interface GateSources {
  schedule?: Schedule;
}

export class GateWatch {
  private readonly windows?: (t: number) => WindowState[];
  private lastOpen = new Map<string, boolean>();
  /** The last Gates read (plain data). */
  current: Gates = {};

  constructor(
    sources: GateSources,
    private readonly clock: Clock,
    private readonly log?: Log,
  ) {
    if (sources.schedule && Object.keys(sources.schedule.windows).length > 0) this.windows = windowTracker(sources.schedule);
  }

  /** Whether there is anything to look at (no WINDOWS, ML_URL, MAX_PRESSURE: nothing). */
  get active(): boolean {
    return this.windows !== undefined;
  }

  async read(_signal?: AbortSignal): Promise<Gates> {
    const gates: Gates = {};
    if (this.windows) {
      gates.windows = this.windows(this.clock.now());
      this.sayWindowChanges(gates.windows);
    }
    this.current = gates;
    return gates;
  }

  /** One line per window that opened or closed since the last look (queues sharing a window on one line). */
  private sayWindowChanges(states: readonly WindowState[]) {
    const changed = new Map<string, WindowState[]>();
    for (const s of states) {
      const before = this.lastOpen.get(s.queue);
      this.lastOpen.set(s.queue, s.open);
      if (before === undefined || before === s.open) continue;
      const key = `${s.open}|${s.window}`;
      changed.set(key, [...(changed.get(key) ?? []), s]);
    }
    for (const group of changed.values()) {
      const s = group[0]!;
      const queues = group.map((g) => g.queue).join(", ");
      const next = s.nextChange ? ` (${s.open ? "closes" : "opens again"} ${s.nextChange})` : "";
      this.log?.info(`window ${s.window} (${s.zone}) ${s.open ? "opened" : "closed"} for ${queues}${next}`, {
        window: s.window,
        open: s.open,
        queues: group.map((g) => g.queue),
      });
    }
  }
}
