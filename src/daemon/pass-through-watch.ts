// Whether Immich's storage template is on (core/pass-through.ts): read from
// GET /api/system-config with the key's systemConfig.read, so that the
// storage-template queue passes through (no slot) while its jobs are no-ops.
//
// When it is read: at start-up; then again before a decision when that queue
// has work and the last reading is over REFRESH_MS old (its work is what the
// setting decides about, and a person may have just turned the template on
// to run a migration); and every IDLE_REFRESH_MS otherwise. An idle daemon
// makes no extra request between those (issue 6's idle cost).
//
// Unknown is "on": before the first good reading, after a failed one with no
// earlier reading, or without the permission, the queue is a stage of its
// own as before. A key without the permission is said once, with what it
// costs and which scope to add; a passing failure keeps the last reading.

import { hasWork } from "../core/counts.ts";
import { type ServerSettings, passThroughQueues, STORAGE_TEMPLATE_QUEUE } from "../core/pass-through.ts";
import type { Observation } from "../core/types.ts";
import type { Clock } from "../shared/clock.ts";
import { classify, type ImmichApi } from "./immich-api.ts";
import type { Log } from "./log.ts";

/** While the storage-template queue has work: how old a reading may be before it is read again. */
export const REFRESH_MS = 10_000;
/** Otherwise (an idle server): one reading every so often, so that a change made meanwhile is seen before work comes. */
export const IDLE_REFRESH_MS = 600_000;

export interface PassThroughOptions {
  client: Pick<ImmichApi, "getSystemConfig">;
  clock: Clock;
  log: Log;
  /** Managed queues: nothing is read unless the storage-template queue is one of them. */
  managed: readonly string[];
}

export class PassThroughWatch {
  private settings: ServerSettings = {};
  private readAt: number | undefined;
  /** The key may not read the system config: not asked again. */
  private refused = false;

  constructor(private readonly o: PassThroughOptions) {}

  /** The managed queues passing through now (what decide() takes as `passThrough`). */
  get queues(): string[] {
    return passThroughQueues(this.settings).filter((q) => this.o.managed.includes(q));
  }

  /** `storageTemplate.enabled` as last read (undefined: unknown, taken as on). */
  get storageTemplateEnabled(): boolean | undefined {
    return this.settings.storageTemplateEnabled;
  }

  /**
   * Reads the setting if it is due for `observation` (undefined: at start-up,
   * always due). Never throws: a failure keeps what was known.
   */
  async refresh(observation: Observation | undefined, signal?: AbortSignal): Promise<void> {
    if (!this.due(observation)) return;
    const get = this.o.client.getSystemConfig;
    if (!get) return;
    const now = this.o.clock.now();
    try {
      const config = await get(signal);
      this.readAt = now;
      const enabled = (config.storageTemplate as { enabled?: boolean } | undefined)?.enabled;
      if (enabled === undefined) return;
      if (enabled !== this.settings.storageTemplateEnabled) this.sayChange(enabled);
      this.settings = { storageTemplateEnabled: enabled };
    } catch (e) {
      if (signal?.aborted) return;
      const err = classify(e);
      this.readAt = now;
      if (err.transient) {
        this.o.log.debug(`could not read whether the storage template is on (${err.message}); keeping what was known`, { kind: err.kind });
        return;
      }
      this.refused = true;
      this.settings = {};
      const why = err.kind === "missing-scope" ? "the API key lacks systemConfig.read" : `the system config cannot be read (${err.message})`;
      this.o.log.info(
        `${STORAGE_TEMPLATE_QUEUE} counts as a pipeline stage of its own: ${why}, so the daemon cannot see whether the storage template is off. ` +
          `Grant the key systemConfig.read (Account Settings → API Keys) to let that queue pass through while the template is off; then at MAX_CONCURRENT_JOBS=2 new photos get their thumbnails as fast as without the daemon`,
        { kind: err.kind, queue: STORAGE_TEMPLATE_QUEUE },
      );
    }
  }

  private due(observation: Observation | undefined): boolean {
    if (this.refused || !this.o.managed.includes(STORAGE_TEMPLATE_QUEUE)) return false;
    if (this.readAt === undefined || observation === undefined) return true;
    const age = this.o.clock.now() - this.readAt;
    const q = observation.queues.find((x) => x.name === STORAGE_TEMPLATE_QUEUE);
    // Work there, or scheduled for later (delayed): what the setting decides about is coming.
    const busy = q !== undefined && (hasWork(q) || q.delayed > 0);
    return age >= (busy ? REFRESH_MS : IDLE_REFRESH_MS);
  }

  private sayChange(enabled: boolean): void {
    const known = this.settings.storageTemplateEnabled !== undefined;
    this.o.log.info(
      enabled
        ? `the storage template is ${known ? "now " : ""}on: ${STORAGE_TEMPLATE_QUEUE} moves files, so it takes a slot like any stage`
        : `the storage template is ${known ? "now " : ""}off: Immich skips ${STORAGE_TEMPLATE_QUEUE}'s jobs at once, so it passes new uploads through without taking a slot`,
      { queue: STORAGE_TEMPLATE_QUEUE, storageTemplate: enabled },
    );
  }
}
