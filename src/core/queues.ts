// Facts about Immich's queues that the daemon's policy is built on: the
// default managed queues in priority order, the queues that must never be
// paused, and every queue name any supported Immich version has.

/**
 * The seed script's nine, then ocr after facialRecognition, then library,
 * migration and integrityCheck (DESIGN.md §2 rule 5). Highest priority first.
 */
export const DEFAULT_PRIORITY = [
  "sidecar",
  "metadataExtraction",
  "storageTemplateMigration",
  "thumbnailGeneration",
  "smartSearch",
  "duplicateDetection",
  "faceDetection",
  "facialRecognition",
  "ocr",
  "videoConversion",
  "library",
  "migration",
  "integrityCheck",
] as const;

/**
 * The queues that need Immich's machine-learning service, directly
 * (smartSearch, faceDetection, ocr call it) or through the results of those
 * (duplicateDetection, facialRecognition): the `ml` group of WINDOWS and the
 * queues the ML_URL gate holds back (DESIGN.md §2 rules 6 and 13).
 */
export const ML_QUEUES: readonly string[] = ["smartSearch", "duplicateDetection", "faceDetection", "facialRecognition", "ocr"];

/** Names WINDOWS accepts for a set of queues. */
export const QUEUE_GROUPS: Record<string, readonly string[]> = { ml: ML_QUEUES };

/**
 * Queues the daemon never touches unless the user insists explicitly, and
 * why: the reason is shown when someone lists one.
 */
export const PROTECTED_QUEUES: Record<string, string> = {
  backgroundTask: "deletions, trash and cleanup silently stop while it is paused",
  notifications: "e-mails stop, so nothing would tell anyone",
  backupDatabase: "the nightly database backup would not run",
  editor: "users' edits would look hung",
  workflow: "users' automations would be delayed",
  search: "it is empty since Immich v1.91; there is nothing to gain",
};

/** Every queue name of Immich v1.137 to v3.x (API.md §3), in the order v3.1.0 lists them. */
export const KNOWN_QUEUES: readonly string[] = [
  "thumbnailGeneration",
  "metadataExtraction",
  "videoConversion",
  "faceDetection",
  "facialRecognition",
  "smartSearch",
  "duplicateDetection",
  "backgroundTask",
  "storageTemplateMigration",
  "migration",
  "search",
  "sidecar",
  "library",
  "notifications",
  "backupDatabase",
  "ocr",
  "workflow",
  "integrityCheck",
  "editor",
];

/**
 * Queues whose missing jobs Immich can queue on request (the legacy start
 * command, as the admin page's "Missing" button sends it; Immich's
 * JobService.start answers 400 "Invalid job name" for any other queue).
 */
export const MISSING_QUEUES: readonly string[] = [
  "thumbnailGeneration",
  "metadataExtraction",
  "videoConversion",
  "faceDetection",
  "facialRecognition",
  "smartSearch",
  "duplicateDetection",
  "storageTemplateMigration",
  "migration",
  "sidecar",
  "library",
  "ocr",
];
