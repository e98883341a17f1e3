// Immich's upload pipeline (API.md §4) as data: which queue an asset enters,
// which queues get a job for it when a job of it completes, what the jobs
// are called, and how long they take on a small NAS. The engine turns this
// into jobs; nothing here runs anything.

import { own } from "../shared/dict.ts";

export type AssetKind = "photo" | "video";
export type AssetSource = "upload" | "library";

interface Edge {
  queue: string;
  /** Only videos go on to this queue (videoConversion). */
  videosOnly?: boolean;
}

/**
 * Downstream queues, in the order Immich queues them when a job completes.
 * A downstream job exists only once its upstream job has completed, so a
 * paused upstream queue starves everything below it.
 */
const NEXT: Record<string, readonly Edge[]> = {
  library: [{ queue: "sidecar" }],
  sidecar: [{ queue: "metadataExtraction" }],
  metadataExtraction: [{ queue: "storageTemplateMigration" }],
  storageTemplateMigration: [{ queue: "thumbnailGeneration" }],
  thumbnailGeneration: [
    { queue: "smartSearch" },
    { queue: "faceDetection" },
    { queue: "ocr" },
    { queue: "videoConversion", videosOnly: true },
  ],
  smartSearch: [{ queue: "duplicateDetection" }],
  faceDetection: [{ queue: "facialRecognition" }],
};

/** Where a new asset enters: uploads at metadata extraction, external-library files at the library queue. */
const ENTRY: Record<AssetSource, string> = { upload: "metadataExtraction", library: "library" };

/**
 * The queues that receive a job after a job in `queue` completes for an asset
 * of this kind. A queue the profile lacks (`has` false) is skipped: its own
 * successors take its place, so v1.137 (no ocr) still runs the rest.
 */
export function successors(queue: string, kind: AssetKind, has: (q: string) => boolean): string[] {
  const out: string[] = [];
  for (const edge of own(NEXT, queue) ?? []) {
    if (edge.videosOnly && kind !== "video") continue;
    if (has(edge.queue)) out.push(edge.queue);
    else out.push(...successors(edge.queue, kind, has));
  }
  return out;
}

/** The first queue(s) of an asset's pipeline, skipping queues the profile lacks. */
export function entryQueues(source: AssetSource, kind: AssetKind, has: (q: string) => boolean): string[] {
  const first = ENTRY[source];
  return has(first) ? [first] : successors(first, kind, has);
}

/** Queues that get one job per asset (the ones `queueAll` can rescan). */
export const PER_ASSET_QUEUES: readonly string[] = [
  "library",
  "sidecar",
  "metadataExtraction",
  "storageTemplateMigration",
  "thumbnailGeneration",
  "smartSearch",
  "faceDetection",
  "ocr",
  "videoConversion",
  "duplicateDetection",
  "facialRecognition",
];

/**
 * For a non-forced rescan ("missing" only): a job is missing for an asset when
 * its prerequisite is done and it is not. Immich's own queries are similar:
 * duplicate detection needs an embedding, recognition needs detected faces.
 */
export const RESCAN_PREREQUISITE: Record<string, string> = {
  duplicateDetection: "smartSearch",
  facialRecognition: "faceDetection",
};

/** Immich's job name (JobName in the OpenAPI documents) of a per-asset job, by queue. */
export const ASSET_JOB_NAME: Record<string, string> = {
  library: "LibrarySyncFiles",
  sidecar: "SidecarCheck",
  metadataExtraction: "AssetExtractMetadata",
  storageTemplateMigration: "StorageTemplateMigrationSingle",
  thumbnailGeneration: "AssetGenerateThumbnails",
  smartSearch: "SmartSearch",
  faceDetection: "AssetDetectFaces",
  ocr: "Ocr",
  videoConversion: "AssetEncodeVideo",
  duplicateDetection: "AssetDetectDuplicates",
  facialRecognition: "FacialRecognition",
};

/** The job a `start` command (or a nightly run) puts in each queue first. */
export const QUEUE_ALL_JOB_NAME: Record<string, string> = {
  library: "LibraryScanQueueAll",
  sidecar: "SidecarQueueAll",
  metadataExtraction: "AssetExtractMetadataQueueAll",
  storageTemplateMigration: "StorageTemplateMigration",
  thumbnailGeneration: "AssetGenerateThumbnailsQueueAll",
  smartSearch: "SmartSearchQueueAll",
  faceDetection: "AssetDetectFacesQueueAll",
  ocr: "OcrQueueAll",
  videoConversion: "AssetEncodeVideoQueueAll",
  duplicateDetection: "AssetDetectDuplicatesQueueAll",
  facialRecognition: "FacialRecognitionQueueAll",
  migration: "FileMigrationQueueAll",
  backupDatabase: "DatabaseBackup",
  integrityCheck: "IntegrityChecksumFiles",
  backgroundTask: "AssetDeleteCheck",
};

/** Name for a job enqueued by hand without one. */
export const GENERIC_JOB_NAME: Record<string, string> = {
  ...QUEUE_ALL_JOB_NAME,
  notifications: "SendMail",
  search: "SmartSearch",
  workflow: "WorkflowAssetTrigger",
  editor: "AssetEditThumbnailGeneration",
};

/**
 * Mean job durations in ms for a photo on a small NAS (4 cores, spinning
 * disks, CPU-only machine learning). Jitter is applied around these.
 */
export const DEFAULT_DURATIONS: Readonly<Record<string, number>> = {
  library: 500,
  sidecar: 500,
  metadataExtraction: 1_500,
  storageTemplateMigration: 200,
  thumbnailGeneration: 2_000,
  smartSearch: 3_000,
  faceDetection: 3_000,
  ocr: 4_000,
  duplicateDetection: 300,
  facialRecognition: 500,
  videoConversion: 60_000,
  backgroundTask: 1_000,
  migration: 500,
  search: 100,
  notifications: 500,
  backupDatabase: 60_000,
  workflow: 500,
  integrityCheck: 120_000,
  editor: 2_000,
};

/** Where a video differs: ffprobe and frame extraction are slower; transcoding dominates. */
export const DEFAULT_VIDEO_DURATIONS: Readonly<Record<string, number>> = {
  metadataExtraction: 3_000,
  thumbnailGeneration: 6_000,
  videoConversion: 60_000,
};

/**
 * The queues whose per-asset jobs call the machine-learning service (CLIP,
 * face detection, OCR). duplicateDetection and facialRecognition work on
 * their results in the database. While the service is down these jobs fail
 * after ML_FAIL_MS (a refused connection) and Immich drops them: the handler
 * catches the error, so BullMQ's `failed` stays 0 (API.md §5), and nothing
 * queues them again until someone runs "missing".
 */
export const ML_CALLING_QUEUES: readonly string[] = ["smartSearch", "faceDetection", "ocr"];
export const ML_FAIL_MS = 100;

/** Any queue not listed above. */
export const FALLBACK_DURATION_MS = 1_000;

/** Default jitter: each job takes mean·[0.6, 1.4]. */
export const DEFAULT_JITTER = 0.4;

/**
 * Durations calibrated on the recorded v3.1.0 server (recorded-v3.1.0/
 * transcript.md): small test images, no machine-learning service so ML jobs
 * fail fast. Thumbnails drain within a second of a pause there; tests that
 * replay the recording use these.
 */
export const RECORDED_V3_1_DURATIONS: Readonly<Record<string, number>> = {
  metadataExtraction: 400,
  storageTemplateMigration: 30,
  thumbnailGeneration: 350,
  smartSearch: 200,
  faceDetection: 200,
  ocr: 300,
  duplicateDetection: 50,
  facialRecognition: 50,
  videoConversion: 2_000,
};
export const RECORDED_V3_1_VIDEO_DURATIONS: Readonly<Record<string, number>> = {
  metadataExtraction: 800,
  thumbnailGeneration: 900,
  videoConversion: 2_000,
};
