// What a queue's jobs usually cost before its own rate is measured (issue 18:
// ETAs that do not mislead). Without these, a queue whose rate is not known
// yet dropped out of the overall figure, and the page said "all done in ~6 s"
// with 88 jobs still waiting in such queues (seen on a real server). A prior
// is only a starting guess, always marked as such; a measured rate replaces
// it as soon as the queue has run between two looks.
//
// Figures are wall seconds per job at Immich's default concurrency, i.e. the
// inverse of the rate a queue drains at when it runs alone:
// - metadataExtraction, storageTemplateMigration, thumbnailGeneration and
//   videoConversion: measured on a real Immich v3.1.0 on a 2-core host
//   (shared/immich/timings-v3.1.0.md: photos 3000×2000; a 10 s 1080p video
//   transcode). Longer videos take proportionally longer: the prior errs short
//   for them, which is why the figure says "estimate".
// - the machine-learning queues (smartSearch, faceDetection, ocr) and the
//   database-bound ones: not measured on a real server (the timings ran
//   without the ML service); figures are typical CPU-only costs for the
//   default models, rounded up.

/** Seconds per job at the server's default concurrency, per queue. */
export const PRIOR_SECONDS_PER_JOB: ReadonlyMap<string, number> = new Map([
  ["sidecar", 0.02],
  ["metadataExtraction", 0.016],
  ["storageTemplateMigration", 0.002],
  ["thumbnailGeneration", 0.115],
  ["smartSearch", 0.25],
  ["duplicateDetection", 0.02],
  ["faceDetection", 0.4],
  ["facialRecognition", 0.05],
  ["ocr", 1],
  ["videoConversion", 1.61],
  ["library", 0.02],
  ["migration", 0.02],
  ["integrityCheck", 0.5],
]);

/** Jobs per second a queue is assumed to drain at before its own rate is measured; undefined when there is no prior. */
export function priorRate(queue: string): number | undefined {
  const s = PRIOR_SECONDS_PER_JOB.get(queue);
  return s === undefined ? undefined : 1 / s;
}
