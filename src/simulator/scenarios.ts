// Named workloads for the simulator (`simulator --scenario NAME`, the demo,
// tests and benchmarks). A scenario only schedules arrivals on the engine:
// every arrival is an event in the engine's own queue, drawn from a seeded
// stream, so a scenario is as deterministic as the jobs it creates.

import type { Engine } from "./engine-types.ts";
import { createRng, type Rng } from "./rng.ts";

export const SCENARIO_NAMES = ["import", "backlog", "nightly", "idle"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioOptions {
  /** Multiplies every count (photos, videos, backlog size); e.g. 0.05 for quick tests. Default 1. */
  scale?: number;
  /** Seed of the arrivals; default: derived from the engine's seed. */
  seed?: number;
  /** import: spread the arrivals over this long instead of all at once. Default 0. */
  spreadMs?: number;
  /** backlog: stop the trickle of uploads after this long. Default: never. */
  trickleForMs?: number;
  /**
   * nightly: the time taken as 00:00 of the first night. Default: now, so
   * that `--scenario nightly` shows a night at once; pass nextMidnightUtc()
   * for the real schedule.
   */
  midnight?: number;
}

interface Scenario {
  summary: string;
  apply(engine: Engine, opts: ScenarioOptions, rng: Rng): void;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** import: the sizes of a phone's camera roll brought in with immich-go. */
export const IMPORT_PHOTOS = 2_000;
export const IMPORT_VIDEOS = 60;
/** backlog: machine learning switched on over an existing library. */
export const BACKLOG_ASSETS = 20_000;
export const BACKLOG_TRICKLE_MS = 30_000;
/** nightly: new files an external-library scan finds each night. */
export const NIGHTLY_LIBRARY_PHOTOS = 200;
export const NIGHTLY_LIBRARY_VIDEOS = 10;

/** The small jobs Immich's nightly run puts in backgroundTask (v2.7+ names). */
const NIGHTLY_BACKGROUND_JOBS = [
  "AssetDeleteCheck",
  "UserDeleteCheck",
  "PersonCleanup",
  "MemoryCleanup",
  "MemoryGenerate",
  "SessionCleanup",
  "AuditTableCleanup",
  "UserSyncUsage",
];

/** v3's nightly integrity checks at 03:00: two quick scans and the heavy checksum pass. */
const INTEGRITY_JOBS = [
  { name: "IntegrityMissingFiles", ms: 2 * 60_000 },
  { name: "IntegrityUntrackedFiles", ms: 2 * 60_000 },
  { name: "IntegrityChecksumFiles", ms: 20 * 60_000 },
];

const SCENARIOS: Record<ScenarioName, Scenario> = {
  import: {
    summary: `a big import at once: ${IMPORT_PHOTOS} photos and ${IMPORT_VIDEOS} videos, shuffled`,
    apply(engine, opts, rng) {
      const photos = scaled(IMPORT_PHOTOS, opts);
      const videos = scaled(IMPORT_VIDEOS, opts);
      const kinds: ("photo" | "video")[] = [...Array<"photo">(photos).fill("photo"), ...Array<"video">(videos).fill("video")];
      shuffle(kinds, rng);
      const start = engine.now();
      const spread = opts.spreadMs ?? 0;
      if (spread <= 0) {
        for (const kind of kinds) engine.upload(kind === "photo" ? { photos: 1 } : { videos: 1 });
        return;
      }
      const times = kinds.map(() => start + Math.round(rng.next() * spread)).sort((a, b) => a - b);
      kinds.forEach((kind, i) => {
        engine.schedule(times[i]!, () => engine.upload(kind === "photo" ? { photos: 1 } : { videos: 1 }));
      });
    },
  },

  backlog: {
    summary: `a machine-learning backlog (${BACKLOG_ASSETS} assets for smartSearch and faceDetection) with an upload every ~${BACKLOG_TRICKLE_MS / 1000} s`,
    apply(engine, opts, rng) {
      const ml = ["smartSearch", "faceDetection"].filter((q) => engine.queueNames.includes(q));
      engine.addExisting({ photos: scaled(BACKLOG_ASSETS, opts), queues: ml });
      const until = opts.trickleForMs === undefined ? Infinity : engine.now() + opts.trickleForMs;
      // Uniform 0.5–1.5 × the mean gap: steady, but not in lock-step with a poller.
      const arrive = (at: number) => {
        if (at > until) return;
        engine.schedule(at, () => {
          engine.upload(rng.int(20) === 0 ? { videos: 1 } : { photos: 1 });
          arrive(at + Math.round(rng.around(BACKLOG_TRICKLE_MS, 0.5)));
        });
      };
      arrive(engine.now() + Math.round(rng.around(BACKLOG_TRICKLE_MS, 0.5)));
    },
  },

  nightly: {
    summary:
      "Immich's nightly runs: at 00:00 cleanups, a missing-thumbnail scan, a facial-recognition scan that holds its slot, a library scan; 02:00 database backup; 03:00 integrity checks (v3)",
    apply(engine, opts) {
      const has = (q: string) => engine.queueNames.includes(q);
      const night = (midnight: number) => {
        engine.schedule(midnight, () => {
          if (has("backgroundTask")) {
            for (const name of NIGHTLY_BACKGROUND_JOBS) engine.enqueue("backgroundTask", 1, { name });
          }
          if (has("thumbnailGeneration")) engine.queueAll("thumbnailGeneration", { force: false });
          if (has("facialRecognition")) engine.queueAll("facialRecognition", { force: false });
          if (has("library")) {
            engine.enqueue("library", 1, {
              name: "LibraryScanQueueAll",
              durationMs: 5_000,
              onComplete: () =>
                engine.upload({
                  source: "library",
                  photos: scaled(NIGHTLY_LIBRARY_PHOTOS, opts),
                  videos: scaled(NIGHTLY_LIBRARY_VIDEOS, opts),
                }),
            });
          }
        });
        if (has("backupDatabase")) {
          engine.schedule(midnight + 2 * HOUR, () => engine.enqueue("backupDatabase", 1, { name: "DatabaseBackup" }));
        }
        if (has("integrityCheck")) {
          engine.schedule(midnight + 3 * HOUR, () => {
            for (const j of INTEGRITY_JOBS) engine.enqueue("integrityCheck", 1, { name: j.name, durationMs: j.ms });
          });
        }
        // The next night is scheduled at this one's midnight, so only one is ever pending.
        engine.schedule(midnight, () => night(midnight + DAY));
      };
      night(opts.midnight ?? engine.now());
    },
  },

  idle: {
    summary: "nothing happens until something is uploaded or started",
    apply() {},
  },
};

export const SCENARIO_SUMMARIES: Record<ScenarioName, string> = Object.fromEntries(
  SCENARIO_NAMES.map((n) => [n, SCENARIOS[n].summary]),
) as Record<ScenarioName, string>;

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/** A scenario name that does not exist; the message lists the ones that do. */
export class UnknownScenarioError extends Error {
  constructor(readonly scenario: string) {
    super(`unknown scenario "${scenario}"; choose one of: ${SCENARIO_NAMES.join(", ")}`);
    this.name = "UnknownScenarioError";
  }
}

/** Schedule the named workload on the engine, starting now. */
export function applyScenario(engine: Engine, name: string, opts: ScenarioOptions = {}): void {
  if (!isScenarioName(name)) throw new UnknownScenarioError(name);
  const scale = opts.scale ?? 1;
  if (!(Number.isFinite(scale) && scale >= 0)) throw new RangeError(`scenario scale must be ≥ 0, got ${opts.scale}`);
  const rng = createRng(opts.seed ?? engine.seed).fork(`scenario:${name}`);
  SCENARIOS[name].apply(engine, opts, rng);
}

/** The first 00:00 UTC at or after `t`. */
export function nextMidnightUtc(t: number): number {
  return Math.ceil(t / DAY) * DAY;
}

function scaled(n: number, opts: ScenarioOptions): number {
  return Math.round(n * (opts.scale ?? 1));
}

/** Fisher–Yates with the scenario's stream. */
function shuffle<T>(items: T[], rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const k = rng.int(i + 1);
    [items[i], items[k]] = [items[k]!, items[i]!];
  }
}
