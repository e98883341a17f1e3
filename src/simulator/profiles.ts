// Per Immich version profile: which queues exist (in the server's order),
// which API families it serves, what /api/server/version answers and how its
// error bodies look. Facts from ../shared/immich/API.md, the OpenAPI
// documents and the recordings of real v2.7.5 and v3.1.0 servers; which
// answers are recorded and which inferred is in src/simulator/FIDELITY.md.
// The contract tests hold the simulator to them.

import { KNOWN_QUEUES } from "../core/queues.ts";

export type ProfileName = "v1.137" | "v2.3" | "v2.7" | "v3.1";

export interface Profile {
  name: ProfileName;
  version: { major: number; minor: number; patch: number };
  /** v3 adds `prerelease` to /server/version. */
  versionHasPrerelease: boolean;
  /** Queue names in the order the server lists them (enum order: /queues, 400 messages). */
  queues: readonly string[];
  /** The order of the keys of the legacy GET /api/jobs answer. */
  legacyJobsOrder: readonly string[];
  /** /api/queues exists (v2.4+). /api/jobs exists in every profile. */
  hasQueuesApi: boolean;
  /**
   * v1–v2: {message,error,statusCode,correlationId} and the id in an
   * `x-immich-cid` header on every answer; v3: {message} + X-Correlation-ID.
   */
  errorShape: "v1" | "v3";
  /** Which OpenAPI document in test/fixtures/immich/openapi describes it. */
  openapi: string;
}

// v3.1.0's order, as recorded (the core's catalogue of queue names); older
// versions lack the later additions.
const V3_QUEUES = KNOWN_QUEUES;

const without = (...names: string[]) => V3_QUEUES.filter((q) => !names.includes(q));

/**
 * Before v3 the legacy GET /api/jobs answer is a DTO instance whose fields
 * are defined in their declaration order (ES2022 class fields) before the
 * service fills them in enum order, so the keys come out in the DTO's order.
 * Recorded on v2.7.5; the same DTO, extended at its end, in v1.137 and v2.3.
 */
const LEGACY_DTO_ORDER = [
  "thumbnailGeneration",
  "metadataExtraction",
  "videoConversion",
  "smartSearch",
  "storageTemplateMigration",
  "migration",
  "backgroundTask",
  "search",
  "duplicateDetection",
  "faceDetection",
  "facialRecognition",
  "sidecar",
  "library",
  "notifications",
  "backupDatabase",
  "ocr",
  "workflow",
  "editor",
];
const legacyOrder = (queues: readonly string[]) => LEGACY_DTO_ORDER.filter((q) => queues.includes(q));

export const PROFILES: Record<ProfileName, Profile> = {
  "v1.137": {
    name: "v1.137",
    version: { major: 1, minor: 137, patch: 3 },
    versionHasPrerelease: false,
    queues: without("ocr", "workflow", "integrityCheck", "editor"),
    legacyJobsOrder: legacyOrder(without("ocr", "workflow", "integrityCheck", "editor")),
    hasQueuesApi: false,
    errorShape: "v1",
    openapi: "immich-jobs-api-v1.138.1.json",
  },
  "v2.3": {
    name: "v2.3",
    version: { major: 2, minor: 3, patch: 1 },
    versionHasPrerelease: false,
    queues: without("integrityCheck", "editor"),
    legacyJobsOrder: legacyOrder(without("integrityCheck", "editor")),
    hasQueuesApi: false,
    errorShape: "v1",
    openapi: "immich-jobs-api-v2.3.1.json",
  },
  "v2.7": {
    name: "v2.7",
    version: { major: 2, minor: 7, patch: 5 },
    versionHasPrerelease: false,
    queues: without("integrityCheck"),
    legacyJobsOrder: legacyOrder(without("integrityCheck")),
    hasQueuesApi: true,
    errorShape: "v1",
    openapi: "immich-jobs-api-v2.7.5.json",
  },
  "v3.1": {
    name: "v3.1",
    version: { major: 3, minor: 1, patch: 0 },
    versionHasPrerelease: true,
    queues: V3_QUEUES,
    // v3.1.0 builds a plain object: enum order in both families (recorded).
    legacyJobsOrder: V3_QUEUES,
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
