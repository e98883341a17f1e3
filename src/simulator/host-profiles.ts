// The hosts the simulator can model (host.ts), as data. Each queue's job
// costs CPU work (CPU seconds) done at a demand (the cores one job keeps busy
// when it has the host to itself); its duration alone is work ÷ demand.
//
// "real-2core" is the 2-core AMD EPYC virtual machine of
// ../shared/immich/timings-v3.1.0.md (Immich v3.1.0, no ML service): the CPU
// seconds per job are the measured ones; the demands are fitted so that the
// measured cores-busy figures (1.6 metadata, 1.9 thumbnails, 1.6 transcode at
// the default concurrency) and the five-setting table come out
// (test/simulator/host-calibration.test.ts holds the fit to ±20 % / ±10
// points). Machine learning was not running there: the `mlFail` cost is the
// measured cost of an ML job failing fast; the ML costs when the service is
// up (`ml`) are the simulator's own estimates (pipeline.ts's NAS durations at
// one core), not measurements.
//
// "nas-4core" is a small NAS (a 4-core Celeron/ARM class CPU): the same jobs
// at the same demands, each core 2.5× slower per job (a Celeron J4125 or a
// Cortex-A55 against an EPYC core, from public single-thread benchmark
// ratios; an estimate, not measured here).

import { DEFAULT_DURATIONS } from "./pipeline.ts";

export interface JobCost {
  /** CPU seconds one job of a photo costs. */
  cpu: number;
  /** Cores one such job keeps busy when alone. */
  cores: number;
  /** For videos, where they differ. */
  videoCpu?: number;
  videoCores?: number;
  /** Share of its time a job stalls on io (0..1); default 0. */
  io?: number;
}

export type HostProfileName = "real-2core" | "nas-4core";

export interface HostProfile {
  name: HostProfileName;
  /** One line for `simulator --help` and the docs. */
  description: string;
  cores: number;
  /** Runnable tasks per core of demand, on average, for the pressure curve (host.ts cpuSomeShare). */
  burstiness: number;
  /** Share of time tasks are runnable rather than asleep on disk or the database (cpuSomeShare's ceiling). */
  runnable: number;
  /** Per queue; queues not listed keep the engine's durations and cost no CPU. */
  jobs: Record<string, JobCost>;
  /** An ML queue's job while the ML service is down (it fails fast). */
  mlFail: JobCost;
}

/** ML jobs with the service up: the simulator's NAS durations (pipeline.ts) at one core, divided by `speed`. */
function mlEstimates(speed: number): Record<string, JobCost> {
  const at = (queue: string): JobCost => ({ cpu: (DEFAULT_DURATIONS[queue] ?? 1_000) / 1000 / speed, cores: 1 });
  return { smartSearch: at("smartSearch"), faceDetection: at("faceDetection"), ocr: at("ocr") };
}

/** The real 2-core host's costs (timings-v3.1.0.md), demands fitted. */
const REAL_JOBS: Record<string, JobCost> = {
  metadataExtraction: { cpu: 0.025, cores: 0.9, videoCpu: 0.28, videoCores: 1.5, io: 0.2 },
  storageTemplateMigration: { cpu: 0.0007, cores: 0.4 },
  thumbnailGeneration: { cpu: 0.22, cores: 1.35, videoCpu: 2.3, videoCores: 1.9, io: 0.05 },
  videoConversion: { cpu: 0, cores: 1.6, videoCpu: 2.6, videoCores: 1.6, io: 0.05 },
  duplicateDetection: { cpu: 0.02, cores: 0.5 },
  facialRecognition: { cpu: 0.05, cores: 0.5 },
  ...mlEstimates(2.5),
};

function slower(jobs: Record<string, JobCost>, factor: number): Record<string, JobCost> {
  const out: Record<string, JobCost> = {};
  for (const [q, c] of Object.entries(jobs)) {
    out[q] = { ...c, cpu: c.cpu * factor, ...(c.videoCpu !== undefined ? { videoCpu: c.videoCpu * factor } : {}) };
  }
  return out;
}

export const HOST_PROFILES: Record<HostProfileName, HostProfile> = {
  "real-2core": {
    name: "real-2core",
    description: "the measured 2-core EPYC VM of timings-v3.1.0.md",
    cores: 2,
    burstiness: 2.2,
    runnable: 0.9,
    jobs: REAL_JOBS,
    mlFail: { cpu: 0.0125, cores: 0.8 },
  },
  "nas-4core": {
    name: "nas-4core",
    description: "a 4-core NAS, each job 2.5x slower per core (estimate)",
    cores: 4,
    burstiness: 2.2,
    runnable: 0.9,
    jobs: { ...slower(REAL_JOBS, 2.5), ...mlEstimates(1) },
    mlFail: { cpu: 0.0125 * 2.5, cores: 0.8 },
  },
};

export const HOST_PROFILE_NAMES = Object.keys(HOST_PROFILES) as HostProfileName[];
export const isHostProfileName = (s: string): s is HostProfileName => s in HOST_PROFILES;
