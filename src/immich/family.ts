// Which of Immich's two job APIs to speak, and what to tell the user about
// permissions, per server version (DESIGN.md §3, API.md §1–2):
// - /api/queues (queue.read, queue.update) from v2.4.0, the API Immich keeps;
// - /api/jobs (job.read, job.create), deprecated since v2.4.0 but present in
//   every version, the fallback for older servers and for keys made before
//   v2.4 with only job.* scopes.

export type ApiFamily = "queues" | "jobs";

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export const QUEUES_API_SINCE: Version = { major: 2, minor: 4, patch: 0 };
/** The oldest version this daemon is tested against (job.read/job.create scopes since then). */
export const OLDEST_SUPPORTED: Version = { major: 1, minor: 137, patch: 0 };
/** The newest major version tested. */
export const NEWEST_MAJOR_TESTED = 3;

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export const formatVersion = (v: Version) => `${v.major}.${v.minor}.${v.patch}`;

export const hasQueuesApi = (v: Version) => compareVersions(v, QUEUES_API_SINCE) >= 0;

/** The scopes an API key needs on this version, in words for "grant ...". */
export function scopesToGrant(v: Version): string {
  if (hasQueuesApi(v)) return "queue.read and queue.update (or job.read and job.create)";
  if (compareVersions(v, OLDEST_SUPPORTED) >= 0) return "job.read and job.create";
  // v1.136 checked the `all` permission on the job endpoints; before it any key passed.
  if (v.major === 1 && v.minor === 136) return "all";
  return "any permission (this version does not check them)";
}

/** Warnings worth a log line at start-up about the version itself. */
export function versionWarnings(v: Version): string[] {
  if (compareVersions(v, OLDEST_SUPPORTED) < 0) {
    return [`Immich ${formatVersion(v)} is older than ${formatVersion(OLDEST_SUPPORTED)}, the oldest version this daemon is tested with; it uses /api/jobs and may work, but upgrading Immich is advised`];
  }
  if (v.major > NEWEST_MAJOR_TESTED) {
    return [`Immich ${formatVersion(v)} is newer than the versions this daemon is tested with (up to ${NEWEST_MAJOR_TESTED}.x); if queues misbehave, look for a newer immich-job-daemon`];
  }
  return [];
}
