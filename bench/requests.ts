// Requests a controller sent, split by method and by whether any managed
// queue had work at that moment (busy) or none had (idle), and the pause and
// resume commands among them. Busy and idle rates per simulated hour come from
// these counts and the slot meter's busy and idle time.

import type { Engine } from "../src/simulator/engine-types.ts";
import type { CommandCount } from "./controllers.ts";

export interface RequestCounts {
  getBusy: number;
  putBusy: number;
  getIdle: number;
  putIdle: number;
}

export class RequestMeter {
  readonly counts: RequestCounts = { getBusy: 0, putBusy: 0, getIdle: 0, putIdle: 0 };
  /** Pause/resume commands (the start-up permission probe is a PUT but no command). */
  readonly sent: CommandCount = { pauses: 0, resumes: 0 };
  /** Commands sent once the controller was told it is exiting. */
  readonly sentOnExit: CommandCount = { pauses: 0, resumes: 0 };
  exiting = false;
  /** Requests are counted only from this instant (the workload's arrival). */
  countFrom = Infinity;

  constructor(
    private readonly engine: Engine,
    private readonly managed: ReadonlySet<string>,
  ) {}

  private busy(): boolean {
    return this.engine.list().some((q) => this.managed.has(q.name) && q.counts.active + q.counts.waiting + q.counts.paused > 0);
  }

  /** One request; `paused` says it is a pause (true) or resume (false) command. */
  request(method: "GET" | "PUT", paused?: boolean): void {
    if (paused !== undefined) {
      const c = this.exiting ? this.sentOnExit : this.sent;
      if (paused) c.pauses++;
      else c.resumes++;
    }
    if (this.exiting || this.engine.now() < this.countFrom) return;
    const key = `${method === "GET" ? "get" : "put"}${this.busy() ? "Busy" : "Idle"}` as keyof RequestCounts;
    this.counts[key]++;
  }
}
