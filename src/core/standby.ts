// Rule 12's standby (DESIGN.md §2): while slots are free, the queues where
// new work enters may stand unpaused and empty, so that the first upload to
// an idle server starts at once instead of at the next poll. One queue per
// free slot, so that whatever arrives there can never take more slots than
// are free; the stages a new upload passes through first, in their order
// (metadataExtraction, storageTemplateMigration, thumbnailGeneration: issue
// 19 item 7, so that on an idle server a new photo's thumbnail is made about
// as soon as with no daemon), then the others by priority. decide() pauses a standby queue
// again before any other resume takes its slot, and releases (rule 4) only
// the queues beyond them.

/** Where every upload enters Immich's pipeline. */
export const ENTRY_QUEUE = "metadataExtraction";
/**
 * The stages of a new upload that stand by first, in order. Immich chains a
 * thumbnail off the asset's storage-template job (API.md: no thumbnails
 * while storageTemplateMigration is paused), so it is a stage too while the
 * storage template is on. While it is off (Immich's default) that queue's jobs
 * are skipped and it passes through without a slot (pass-through.ts): decide()
 * leaves it out of the candidates, and metadataExtraction and
 * thumbnailGeneration stand by. Measured against the simulator
 * (test/daemon/standby-pipeline-sim.test.ts, 5 photos on an idle server,
 * POLL_INTERVAL=10, uploaded 9.5 to 0.5 s before a poll): the last thumbnail
 * 4.6 s after the upload with no daemon; with the template off 5.0 s at N=2
 * whenever the photos arrive; with it on 5.2 to 13.3 s at N=2 (the
 * thumbnails wait for the first look after the upload, as a third standby
 * stage would break rule 1's cap) and 5.0 s at N=3.
 */
export const UPLOAD_STAGES: readonly string[] = [ENTRY_QUEUE, "storageTemplateMigration", "thumbnailGeneration"];

export interface StandbyCandidate {
  name: string;
  /** Unpaused or paused, it has no active and no pending job. */
  empty: boolean;
  /** Paused by a person: never resumed by the daemon (rule 8). */
  held: boolean;
}

/**
 * The queues to keep unpaused and empty, at most `free` of them, from the
 * managed queues in priority order.
 */
export function chooseStandby(managed: readonly StandbyCandidate[], free: number): string[] {
  if (free <= 0) return [];
  const stage = (name: string) => {
    const i = UPLOAD_STAGES.indexOf(name);
    return i < 0 ? UPLOAD_STAGES.length : i;
  };
  // A stable sort: the stages first in their order, the rest in priority order.
  const order = [...managed].sort((a, b) => stage(a.name) - stage(b.name));
  return order.filter((q) => q.empty && !q.held).slice(0, free).map((q) => q.name);
}
