// Queues whose jobs the server skips under its current settings (issue 19
// item 7). Rule 1 caps the queues that have *work*; a job that Immich answers
// with "skipped" at once is not work: it loads nothing, it only hands the
// asset on to the next stage. Such a queue "passes through": it is kept
// unpaused, it takes no slot, it never stands by and it is never released.
//
// The one case Immich has: storageTemplateMigration while the storage
// template is off (its default). Every job there, the per-asset one after
// each metadata extraction and a full migration run alike, returns Skipped
// before touching a file (StorageTemplateService.handleMigrationSingle and
// handleMigration in Immich's source, every version). Thumbnails are chained
// off those per-asset jobs (API.md §4), so the upload pipeline has three
// stages only while the template is on. With it off, the two stages that do
// work (metadataExtraction, thumbnailGeneration) stand by at N=2 and a new
// photo gets its thumbnail as soon as with no daemon.
//
// What the server's setting is comes from GET /api/system-config
// (systemConfig.read, daemon/pass-through-watch.ts). Unknown (no permission,
// not read yet, a failed read) means "on": the queue is a stage of its own,
// as before, which never breaks the cap.

/** The storage-template queue: its jobs are no-ops while the template is off. */
export const STORAGE_TEMPLATE_QUEUE = "storageTemplateMigration";

/** What the daemon knows of the server's settings that make queues no-ops. */
export interface ServerSettings {
  /** `storageTemplate.enabled`; undefined when it could not be read. */
  storageTemplateEnabled?: boolean;
}

/** The queues whose jobs the server skips under `settings`, by name. */
export function passThroughQueues(settings: ServerSettings): string[] {
  return settings.storageTemplateEnabled === false ? [STORAGE_TEMPLATE_QUEUE] : [];
}

/** The reason given when a pass-through queue is resumed (one log line). */
export function passThroughDetail(queue: string): string {
  return queue === STORAGE_TEMPLATE_QUEUE
    ? "the storage template is off, so Immich skips its jobs at once: it takes no slot and passes new uploads on to thumbnailGeneration"
    : "Immich skips its jobs at once: it takes no slot";
}
