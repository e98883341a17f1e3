// The simulator engine's changes: what Immich's API and incidents do to the
// queues. Pausing and resuming a queue, uploads, plain jobs, a queue's
// "queue all" command (a scan, or the one storage-template migration job,
// skipped while the template is off), existing assets, emptying a queue,
// a restart with Redis intact and a Redis loss. Built on engine-core.ts's
// time and job lifecycle; engine.ts adds the reading and the simulator's
// switches (machine learning, concurrency, the host, scheduled actions).
// Split from engine.ts along that seam; behaviour unchanged.

import type { Clock } from "../shared/clock.ts";
import { own } from "../shared/dict.ts";
import type { Actor, EngineOptions, EngineQueue, EnqueueOptions, ExistingAssetsOptions, QueueAllOptions, UploadOptions } from "./engine-types.ts";
import { GENERIC_JOB_NAME, PER_ASSET_QUEUES, QUEUE_ALL_JOB_NAME } from "./pipeline.ts";
import { EngineCore, MIGRATION_PER_ASSET_MS, SCAN_JOB_MS, SKIPPED_JOB_MS } from "./engine-core.ts";
import { view } from "./engine-state.ts";

export abstract class EngineCommands extends EngineCore {
  /** Immich's storageTemplate.enabled: off by default, as in Immich. */
  private storageTemplate = false;

  constructor(clock: Clock, opts: EngineOptions) {
    super(clock, opts);
    this.markStorageTemplate();
  }

  storageTemplateEnabled(): boolean {
    this.advance();
    return this.storageTemplate;
  }

  setStorageTemplate(enabled: boolean): void {
    this.change(() => {
      this.storageTemplate = enabled;
      this.markStorageTemplate();
    });
  }

  /** While the template is off, the storage-template queue's jobs are skipped by Immich: no work (core/pass-through.ts). */
  private markStorageTemplate(): void {
    const q = this.byName.get("storageTemplateMigration");
    if (q) this.recorder.setNoOp(q.index, !this.storageTemplate);
  }

  // ---- changing ------------------------------------------------------------

  setPaused(name: string, paused: boolean, actor: Actor): EngineQueue {
    const q = this.need(name);
    this.change(() => this.flag(q, paused, actor));
    return view(q);
  }

  upload(opts: UploadOptions): string[] {
    const ids: string[] = [];
    const source = opts.source ?? "upload";
    this.change(() => {
      for (const [kind, n] of [["photo", opts.photos ?? 0], ["video", opts.videos ?? 0]] as const) {
        for (let i = 0; i < n; i++) ids.push(this.newUpload(kind, source).id);
      }
    });
    return ids;
  }

  enqueue(name: string, count: number, opts: EnqueueOptions = {}): void {
    const q = this.need(name);
    const hold = opts.holdWhileActive?.flatMap((n) => this.byName.get(n) ?? []);
    this.change(() => {
      for (let i = 0; i < count; i++) {
        this.add(
          this.newJob(q, opts.name ?? own(GENERIC_JOB_NAME, name) ?? name, {
            data: opts.data,
            fixedMs: opts.durationMs,
            hold,
            onComplete: opts.onComplete,
          }),
          opts.delayMs,
        );
      }
    });
  }

  queueAll(name: string, opts: QueueAllOptions = {}): void {
    const q = this.need(name);
    const force = opts.force ?? false;
    const jobName = own(QUEUE_ALL_JOB_NAME, name) ?? own(GENERIC_JOB_NAME, name) ?? name;
    this.change(() => {
      if (name === "storageTemplateMigration") {
        // One long job that moves every asset's files; no per-asset jobs. With the template off Immich skips it at once.
        const ms = this.storageTemplate ? Math.max(SCAN_JOB_MS, this.assets.length * MIGRATION_PER_ASSET_MS) : SKIPPED_JOB_MS;
        this.add(this.newJob(q, jobName, { fixedMs: ms }));
      } else if (PER_ASSET_QUEUES.includes(name)) {
        // Immich's recognition scan first waits for thumbnails and face
        // detection to go quiet, holding its active slot meanwhile.
        const hold =
          name === "facialRecognition"
            ? ["thumbnailGeneration", "faceDetection"].flatMap((n) => this.byName.get(n) ?? [])
            : undefined;
        this.add(
          this.newJob(q, jobName, {
            data: { force },
            fixedMs: SCAN_JOB_MS,
            hold,
            onComplete: () => this.rescan(q, force),
          }),
        );
      } else {
        this.add(this.newJob(q, jobName, {}));
      }
    });
  }

  addExisting(opts: ExistingAssetsOptions): void {
    const targets = opts.queues.map((n) => this.need(n));
    // Existing assets are past metadata, storage template and thumbnails.
    let done = 0;
    for (const n of ["sidecar", "metadataExtraction", "storageTemplateMigration", "thumbnailGeneration"]) {
      const q = this.byName.get(n);
      if (q) done |= 1 << q.index;
    }
    this.change(() => {
      for (const [kind, n] of [["photo", opts.photos ?? 0], ["video", opts.videos ?? 0]] as const) {
        for (let i = 0; i < n; i++) {
          const asset = this.newAsset(kind, "upload");
          asset.done = done;
          for (const q of targets) this.addAssetJob(q, asset);
        }
      }
    });
  }

  empty(name: string): number {
    const q = this.need(name);
    let removed = 0;
    this.change(() => {
      removed = q.pending.length;
      for (const j of q.pending) j.state = "gone";
      q.pending.clear();
      this.touch(q);
    });
    return removed;
  }

  /**
   * An Immich restart with Redis intact: active jobs stall and BullMQ puts
   * them back at the head of the queue (they run again from the start); the
   * pause flags live in Redis and survive, except metadataExtraction's, which
   * Immich resumes unconditionally when its workers start.
   */
  restart(): void {
    this.change(() => {
      for (const q of this.queues) {
        const stalled = [...q.active];
        q.active.clear();
        for (let i = stalled.length - 1; i >= 0; i--) {
          const j = stalled[i]!;
          j.state = "pending";
          j.run++;
          q.pending.unshift(j);
        }
        this.touch(q);
      }
      const metadata = this.byName.get("metadataExtraction");
      if (metadata) this.flag(metadata, false, "restart");
    });
  }

  /** Redis lost its data: every flag cleared, every queued, delayed or active job gone. */
  redisLoss(): void {
    // Every job becomes "gone", which makes its pending events stale (handle checks the state).
    this.change(() => {
      for (const q of this.queues) {
        for (const j of q.active) j.state = "gone";
        for (const j of q.pending) j.state = "gone";
        for (const j of q.delayed) j.state = "gone";
        q.active.clear();
        q.pending.clear();
        q.delayed.clear();
        this.flag(q, false, "redis-loss");
        this.touch(q);
      }
    });
  }
}
