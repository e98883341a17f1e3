// The owner's job concurrency under TUNE_CONCURRENCY (rule 15): kept in the
// state file's `tuning` key before the daemon's first write, so that it can
// be put back on the way out (exit, signals), by the next run after a crash,
// or by `resume-all`; forgotten once it is back. The writes that change the
// values are concurrency-settings.ts'.

import { needsRestore, planRestore, type TuningRecord } from "../core/concurrency-config.ts";
import { own } from "../shared/dict.ts";
import { classify, type ImmichApi } from "./immich-api.ts";
import type { Log } from "./log.ts";
import type { StateStore } from "./state-file.ts";

export class TuningKeeper {
  private record?: TuningRecord;

  constructor(private readonly o: { client: ImmichApi; log: Log; store: StateStore }) {
    this.record = o.store.tuning?.();
  }

  /** The owner's values and the daemon's, as kept (undefined: nothing kept). */
  get current(): TuningRecord | undefined {
    return this.record;
  }

  /** Keeps a new record (before the write it describes is sent). */
  keep(record: TuningRecord): void {
    this.record = record;
    this.save();
  }

  forget(): void {
    this.record = undefined;
    this.save();
  }

  /** Whether the owner's values still have to be put back (the state file keeps them for `resume-all`). */
  get owed(): boolean {
    return needsRestore(this.record);
  }

  /** The values a previous run (a crash, kill -9) left lowered: the controller continues from them. */
  leftLowered(): [string, number][] {
    const r = this.record;
    return r ? Object.entries(r.expected).filter(([q, v]) => v < (own(r.baseline, q) ?? v)) : [];
  }

  /**
   * Puts the owner's values back (exit, signals): the queues whose value is
   * still the daemon's; a person's value stays. Forgets the record once done.
   */
  async restore(signal?: AbortSignal): Promise<{ restored: string[]; error?: string }> {
    const record = this.record;
    if (!record || !needsRestore(record) || !this.o.client.getSystemConfig || !this.o.client.putSystemConfig) {
      if (record && !needsRestore(record)) this.forget();
      return { restored: [] };
    }
    try {
      const r = await restoreConcurrency(this.o.client as Required<ImmichApi>, record, signal);
      for (const x of r.restored) this.o.log.info(`${x.queue} concurrency ${x.from} → ${x.to}: the owner's value, put back on exit`, { queue: x.queue, concurrency: x.to });
      for (const x of r.leftAlone) this.o.log.info(`${x.queue} concurrency stays ${x.found}: set outside the daemon, so it is the owner's`, { queue: x.queue });
      this.forget();
      return { restored: r.restored.map((x) => x.queue) };
    } catch (e) {
      const err = classify(e);
      this.o.log.error(`could not put the owner's job concurrency back (${err.message}); run \`immich-job-daemon resume-all\` once Immich answers`, { kind: err.kind });
      return { restored: [], error: err.message };
    }
  }

  private save() {
    try {
      this.o.store.saveTuning?.(this.record);
    } catch (e) {
      this.o.log.warn(`could not write the state file: ${(e as Error).message}; the owner's job concurrency is kept in memory only`);
    }
  }
}

/** Put a record's baseline back (exit, `resume-all`): read, plan, write. */
export async function restoreConcurrency(
  client: Required<Pick<ImmichApi, "getSystemConfig" | "putSystemConfig">>,
  record: TuningRecord,
  signal?: AbortSignal,
): Promise<ReturnType<typeof planRestore>> {
  const read = await client.getSystemConfig(signal);
  const plan = planRestore(read, record);
  if (plan.write) await client.putSystemConfig(plan.write, signal);
  return plan;
}
