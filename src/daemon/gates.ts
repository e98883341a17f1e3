// The loop's look beyond Immich's API, once per cycle: each queue's time
// window at the clock's now (WINDOWS), whether the machine-learning service
// answers (ML_URL), and later the host's pressure. Effects (the clock, the
// ML probe's fetch; later a /proc reader) are handed in. It keeps the last
// Gates as plain data for `status` and the status server, and logs one line
// per change.

import type { Gates, MlGate, PressureOver } from "../core/blockers.ts";
import { ML_QUEUES } from "../core/queues.ts";
import { type Schedule, type WindowState, windowTracker } from "../core/windows.ts";
import type { Clock } from "../shared/clock.ts";
import type { Log } from "./log.ts";
import type { MlProbe } from "./ml-probe.ts";
import type { PressureLimits } from "../core/pressure-syntax.ts";
import { overLimits, type PressureMeter, type PressureSource } from "./pressure.ts";

export interface GateSources {
  schedule?: Schedule;
  /** ML_URL: the URLs, and the probe that asks them (ml-probe.ts). */
  ml?: { urls: readonly string[]; probe: MlProbe };
  /** MAX_PRESSURE, when the host has PSI (pressure.ts). */
  pressure?: PressureSource;
  /** MAX_PRESSURE over PRESSURE_URL (node-exporter.ts): the same gate, from a remote meter. */
  remotePressure?: { meter: PressureMeter; limits: PressureLimits };
  /** Managed queues (to name the ML queues held back in the log); default all. */
  managed?: readonly string[];
}

export class GateWatch {
  private readonly windows?: (t: number) => WindowState[];
  private lastOpen = new Map<string, boolean>();
  private ml?: MlGate;
  private underPressure = false;
  /** The last Gates read (plain data). */
  current: Gates = {};

  constructor(
    private readonly sources: GateSources,
    private readonly clock: Clock,
    private readonly log?: Log,
  ) {
    if (sources.schedule && Object.keys(sources.schedule.windows).length > 0) this.windows = windowTracker(sources.schedule);
  }

  /** Whether there is anything to look at (no WINDOWS, ML_URL, MAX_PRESSURE: nothing). */
  get active(): boolean {
    return this.windows !== undefined || this.sources.ml !== undefined || this.sources.pressure !== undefined || this.sources.remotePressure !== undefined;
  }

  /** Time until the next window opens or closes (the loop looks again then), if any window changes. */
  msToNextChange(): number | undefined {
    const now = this.clock.now();
    const next = Math.min(...(this.current.windows ?? []).map((w) => w.nextChangeAt ?? Infinity));
    return Number.isFinite(next) ? Math.max(0, next - now) : undefined;
  }

  async read(signal?: AbortSignal): Promise<Gates> {
    const gates: Gates = {};
    if (this.sources.ml) gates.ml = await this.readMl(this.sources.ml, signal);
    if (this.sources.pressure) gates.pressure = this.readPressure(this.sources.pressure);
    if (this.sources.remotePressure) {
      const over = await this.readRemote(this.sources.remotePressure, signal);
      if (over) gates.pressure = over;
    }
    if (this.windows) {
      gates.windows = this.windows(this.clock.now());
      this.sayWindowChanges(gates.windows);
    }
    this.current = gates;
    return gates;
  }

  /** The ML service's state, and one log line when it goes away and one when it is back. */
  private async readMl(ml: NonNullable<GateSources["ml"]>, signal?: AbortSignal): Promise<MlGate> {
    const up = await ml.probe(signal);
    const now = this.clock.now();
    const before = this.ml;
    if (before?.up === up) return before;
    this.ml = { up, since: now, urls: ml.urls };
    if (signal?.aborted) return this.ml;
    const queues = ML_QUEUES.filter((q) => (this.sources.managed ?? ML_QUEUES).includes(q)).join(", ");
    const where = ml.urls.join(", ");
    if (!up) {
      this.log?.warn(`the machine-learning service does not answer at ${where}: holding back ${queues} (running ones are paused gracefully) so their jobs wait instead of failing`, { ml: false });
    } else if (before) {
      const secs = Math.round((now - before.since) / 1000);
      this.log?.info(`the machine-learning service answers again at ${where} after ${secs} s: ${queues} may run again`, { ml: true });
    } else {
      this.log?.info(`the machine-learning service answers at ${where}`, { ml: true });
    }
    return this.ml;
  }

  private remoteLost = false;

  /**
   * PRESSURE_URL's figures over their limits. While the source is lost (said
   * once), its last figures stand for nothing: nothing is held back by it, as
   * with unreadable local PSI figures.
   */
  private async readRemote(r: NonNullable<GateSources["remotePressure"]>, signal?: AbortSignal): Promise<PressureOver[] | undefined> {
    const look = await r.meter.read(signal);
    if ("warming" in look) return undefined;
    if ("problem" in look) {
      if (!this.remoteLost && !signal?.aborted) this.log?.warn(`the pressure source is lost: ${look.problem}; MAX_PRESSURE holds nothing back until it is back`, { pressure: "lost" });
      this.remoteLost = true;
      return undefined;
    }
    if (this.remoteLost) this.log?.info(`the pressure source ${r.meter.source} answers again`, { pressure: "back" });
    this.remoteLost = false;
    return this.readPressure({ limits: r.limits, over: () => overLimits(look.figures, r.limits) });
  }

  /** The PSI figures over their limits, and one log line when the host gets busy and one when it calms down. */
  private readPressure(source: PressureSource): PressureOver[] {
    const over = source.over();
    const busy = over.length > 0;
    if (busy !== this.underPressure) {
      this.underPressure = busy;
      if (busy) {
        const what = over.map((p) => `${p.resource} ${p.value.toFixed(1)} % > ${p.limit} %`).join(", ");
        this.log?.info(`the host is under pressure (${what}, PSI some avg10): starting nothing new; running queues keep their slots`, { pressure: true });
      } else {
        this.log?.info("host pressure is back under MAX_PRESSURE: queues may start again", { pressure: false });
      }
    }
    return over;
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
