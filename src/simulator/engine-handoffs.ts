// The simulator engine's pipeline hand-offs: what becomes of an asset's job
// when it ends (complete: dropped while machine learning is down, else the
// step marked done and the asset handed to its next queues), the per-asset
// jobs a finished scan queues (rescan), and new assets (uploads, imports,
// the existing backlog) entering the pipeline. Built on engine-queues.ts's
// building blocks; engine-core.ts's time loop calls complete. Split from
// engine-core.ts along that seam; behaviour unchanged.

import { own } from "../shared/dict.ts";
import { type AssetKind, type AssetSource, ASSET_JOB_NAME, entryQueues, ML_CALLING_QUEUES, RESCAN_PREREQUISITE } from "./pipeline.ts";
import { EngineQueues } from "./engine-queues.ts";
import type { Asset, Job, QueueState } from "./engine-state.ts";

export abstract class EngineHandoffs extends EngineQueues {
  // ---- a job ends, a scan ends ---------------------------------------------

  protected complete(j: Job): void {
    const q = j.queue;
    q.active.delete(j);
    j.state = "gone";
    this.touch(q);
    const a = j.asset;
    if (a && (j.failing || (!this.mlUp && this.callsMl(j)))) {
      // Dropped, as Immich does: no next steps, the asset stays without this one.
      this.recorder.jobFailed(q.index);
      if (j.chained) a.outstanding--;
      return;
    }
    this.recorder.jobCompleted(q.index);
    if (a) {
      a.done |= 1 << q.index;
      if (q === this.thumbnails && a.record && a.record.thumbnailAt === undefined) a.record.thumbnailAt = this.time;
      if (j.chained) {
        for (const next of q.next[a.kind]) this.addAssetJob(next, a);
        a.outstanding--;
        if (a.outstanding === 0 && a.record) a.record.doneAt = this.time;
      }
    }
    j.onComplete?.();
  }

  /** A per-asset job of a queue that calls the machine-learning service. */
  protected callsMl(j: Job): boolean {
    return j.asset !== undefined && ML_CALLING_QUEUES.includes(j.queue.name);
  }

  /** Per-asset jobs a finished scan queues: every eligible asset, or only those missing the step. */
  protected rescan(q: QueueState, force: boolean): void {
    const bit = 1 << q.index;
    const pre = this.byName.get(own(RESCAN_PREREQUISITE, q.name) ?? "");
    const preBit = pre ? 1 << pre.index : 0;
    for (const a of this.assets) {
      if (q.name === "videoConversion" && a.kind !== "video") continue;
      if (q.name === "library" && a.source !== "library") continue;
      if (!force && ((a.done & bit) !== 0 || (a.done & preBit) !== preBit)) continue;
      // Jobs queued by a scan do not chain on (Immich chains only uploads).
      this.add(this.newJob(q, own(ASSET_JOB_NAME, q.name) ?? q.name, { asset: a }));
    }
  }

  // ---- assets entering the pipeline ----------------------------------------

  protected newUpload(kind: AssetKind, source: AssetSource): Asset {
    const asset = this.newAsset(kind, source);
    asset.record = { id: asset.id, kind, source, arrivedAt: this.time };
    this.recorder.upload(asset.record);
    const first = entryQueues(source, kind, (n) => this.byName.has(n));
    for (const n of first) this.addAssetJob(this.byName.get(n)!, asset);
    if (first.length === 0) asset.record.doneAt = this.time;
    return asset;
  }

  protected newAsset(kind: AssetKind, source: AssetSource): Asset {
    const n = this.assets.length + 1;
    // UUID-shaped like Immich's asset ids, but deterministic.
    const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
    const asset: Asset = { id, kind, source, outstanding: 0, done: 0 };
    this.assets.push(asset);
    return asset;
  }

  /** A pipeline job for an asset, which queues the next steps when it completes. */
  protected addAssetJob(q: QueueState, asset: Asset): void {
    asset.outstanding++;
    this.add(this.newJob(q, own(ASSET_JOB_NAME, q.name) ?? q.name, { asset, chained: true }));
  }
}
