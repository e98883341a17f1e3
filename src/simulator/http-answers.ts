// The JSON shapes Immich answers with, per version, with the property order
// real servers use (clients should not care, but people diffing answers do):
// - v2.4+ legacy (mapQueueLegacy, recorded on v3.1.0): queueStatus before
//   jobCounts, isPaused before isActive;
// - before v2.4 (JobService.getJobStatus): jobCounts before queueStatus,
//   isActive before isPaused (BullMQ repository's getQueueStatus);
// - counts always in BullMQ's getJobCounts order:
//   active, completed, failed, delayed, waiting, paused.

import type { QueueCounts } from "../core/types.ts";
import type { EngineQueue, JobStatus } from "./engine-types.ts";
import type { Profile } from "./profiles.ts";

/** Whether the profile is v2.4.0 or newer (the /queues API and the new legacy mapping). */
export function isV24OrNewer(profile: Profile): boolean {
  const { major, minor } = profile.version;
  return major > 2 || (major === 2 && minor >= 4);
}

export function counts(c: QueueCounts): QueueCounts {
  return {
    active: c.active,
    completed: c.completed,
    failed: c.failed,
    delayed: c.delayed,
    waiting: c.waiting,
    paused: c.paused,
  };
}

/** One queue in the legacy /api/jobs shape. */
export function legacyQueue(profile: Profile, q: EngineQueue): Record<string, unknown> {
  const isActive = q.counts.active > 0;
  if (isV24OrNewer(profile)) {
    return { queueStatus: { isPaused: q.isPaused, isActive }, jobCounts: counts(q.counts) };
  }
  return { jobCounts: counts(q.counts), queueStatus: { isActive, isPaused: q.isPaused } };
}

/** One queue in the /api/queues shape. */
export function modernQueue(q: EngineQueue): Record<string, unknown> {
  return { name: q.name, isPaused: q.isPaused, statistics: counts(q.counts) };
}

/** GET /server/version. v3 added `prerelease` (null for releases). */
export function versionAnswer(profile: Profile): Record<string, unknown> {
  const { major, minor, patch } = profile.version;
  return profile.versionHasPrerelease ? { major, minor, patch, prerelease: null } : { major, minor, patch };
}

/**
 * GET /server/about. v2.7.5 and v3.1.0 as recorded (the v2.7.5 build had no
 * source metadata, so no sourceRef/sourceCommit); older versions inferred
 * from v2.7.5 with the Node.js of their Dockerfile's base image.
 */
export function aboutAnswer(profile: Profile): Record<string, unknown> {
  const { major, minor, patch } = profile.version;
  const tag = `v${major}.${minor}.${patch}`;
  const head = {
    version: tag,
    versionUrl: `https://github.com/immich-app/immich/releases/tag/${tag}`,
    licensed: false,
  };
  const tools = {
    ffmpeg: "5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers",
    libvips: "8.17.3",
    imagemagick: "",
  };
  if (tag === "v3.1.0") {
    return {
      ...head,
      sourceRef: tag,
      sourceCommit: "8aa95c67470a02a8ddedf03c2e52963af33065ff",
      nodejs: "v24.15.0",
      exiftool: "13.59",
      ...tools,
    };
  }
  if (tag === "v2.7.5") return { ...head, nodejs: "v24.15.0", exiftool: "13.53", ...tools };
  return { ...head, sourceRef: tag, nodejs: "v22.18.0", exiftool: "13.59", ...tools };
}

/** Manual jobs (POST /api/jobs) per profile, and the queue each lands in. */
const MANUAL_JOBS_V1: Record<string, string> = {
  "person-cleanup": "backgroundTask",
  "tag-cleanup": "backgroundTask",
  "user-cleanup": "backgroundTask",
  "memory-cleanup": "backgroundTask",
  "memory-create": "backgroundTask",
  "backup-database": "backupDatabase",
};
const MANUAL_JOBS_V3: Record<string, string> = {
  ...MANUAL_JOBS_V1,
  "integrity-missing-files": "integrityCheck",
  "integrity-untracked-files": "integrityCheck",
  "integrity-checksum-mismatch": "integrityCheck",
  "integrity-missing-files-refresh": "integrityCheck",
  "integrity-untracked-files-refresh": "integrityCheck",
  "integrity-checksum-mismatch-refresh": "integrityCheck",
  "integrity-missing-files-delete-all": "integrityCheck",
  "integrity-untracked-files-delete-all": "integrityCheck",
  "integrity-checksum-mismatch-delete-all": "integrityCheck",
};

export function manualJobs(profile: Profile): Record<string, string> {
  return profile.queues.includes("integrityCheck") ? MANUAL_JOBS_V3 : MANUAL_JOBS_V1;
}

/** Legacy commands (QueueCommand / JobCommand). */
export const QUEUE_COMMANDS = ["start", "pause", "resume", "empty", "clear-failed"] as const;

/** BullMQ job states accepted by GET /queues/{name}/jobs?status[]= (QueueJobStatus). */
export const JOB_STATES: readonly JobStatus[] = ["active", "failed", "completed", "delayed", "waiting", "paused"];

/**
 * Queues a `start` command can run (QueueService.start's switch); any other
 * queue answers 400 "Invalid job name: <queue>".
 */
export const STARTABLE_QUEUES: ReadonlySet<string> = new Set([
  "videoConversion",
  "storageTemplateMigration",
  "migration",
  "smartSearch",
  "duplicateDetection",
  "metadataExtraction",
  "sidecar",
  "thumbnailGeneration",
  "faceDetection",
  "facialRecognition",
  "library",
  "backupDatabase",
  "ocr",
]);
