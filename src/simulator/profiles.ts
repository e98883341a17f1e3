// Per Immich version profile: which queues exist (in the server's order),
// which API families it serves, what /api/server/version answers and how its
// error bodies look. Facts from ../shared/immich/API.md and the OpenAPI
// documents; the contract tests hold the simulator to them.

import { KNOWN_QUEUES } from "../core/queues.ts";

export type ProfileName = "v1.137" | "v2.3" | "v2.7" | "v3.1";

export interface Profile {
  name: ProfileName;
  version: { major: number; minor: number; patch: number };
  /** v3 adds `prerelease` to /server/version. */
  versionHasPrerelease: boolean;
  /** Queue names in the order the server lists them. */
  queues: readonly string[];
  /** /api/queues exists (v2.4+). /api/jobs exists in every profile. */
  hasQueuesApi: boolean;
  /** v1–v2: {message,error,statusCode,correlationId}; v3: {message} + X-Correlation-ID. */
  errorShape: "v1" | "v3";
  /** Which OpenAPI document in test/fixtures/immich/openapi describes it. */
  openapi: string;
}

// v3.1.0's order, as recorded (the core's catalogue of queue names); older
// versions lack the later additions.
const V3_QUEUES = KNOWN_QUEUES;

const without = (...names: string[]) => V3_QUEUES.filter((q) => !names.includes(q));

export const PROFILES: Record<ProfileName, Profile> = {
  "v1.137": {
    name: "v1.137",
    version: { major: 1, minor: 137, patch: 3 },
    versionHasPrerelease: false,
    queues: without("ocr", "workflow", "integrityCheck", "editor"),
    hasQueuesApi: false,
    errorShape: "v1",
    openapi: "immich-jobs-api-v1.138.1.json",
  },
  "v2.3": {
    name: "v2.3",
    version: { major: 2, minor: 3, patch: 1 },
    versionHasPrerelease: false,
    queues: without("integrityCheck", "editor"),
    hasQueuesApi: false,
    errorShape: "v1",
    openapi: "immich-jobs-api-v2.3.1.json",
  },
  "v2.7": {
    name: "v2.7",
    version: { major: 2, minor: 7, patch: 5 },
    versionHasPrerelease: false,
    queues: without("integrityCheck"),
    hasQueuesApi: true,
    errorShape: "v1",
    openapi: "immich-jobs-api-v2.7.5.json",
  },
  "v3.1": {
    name: "v3.1",
    version: { major: 3, minor: 1, patch: 0 },
    versionHasPrerelease: true,
    queues: V3_QUEUES,
    hasQueuesApi: true,
    errorShape: "v3",
    openapi: "immich-jobs-api-v3.1.0.json",
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];
export const DEFAULT_PROFILE: ProfileName = "v3.1";

/**
 * Immich's default concurrency per queue (API.md §5; `job.<queue>.concurrency`
 * in the system config). Queues fixed at 1 are fixed in Immich too.
 */
export const DEFAULT_CONCURRENCY: Record<string, number> = {
  thumbnailGeneration: 3,
  metadataExtraction: 5,
  videoConversion: 1,
  faceDetection: 2,
  facialRecognition: 1,
  smartSearch: 2,
  duplicateDetection: 1,
  backgroundTask: 5,
  storageTemplateMigration: 1,
  migration: 5,
  search: 5,
  sidecar: 5,
  library: 5,
  notifications: 5,
  backupDatabase: 1,
  ocr: 1,
  workflow: 5,
  integrityCheck: 1,
  editor: 2,
};
