// The benchmark's BASELINE: the original shell script's scheduling, as a pure
// function, reimplemented from ../shared/seed/README.ru.md ("Как это
// работает") and DESIGN.md §1, defects included, because the benchmark
// measures what the new daemon gains over it. Every poll the script:
//   1. reads every queue (GET /api/jobs);
//   2. if ANY queue has active jobs, does nothing (never interrupts, but also
//      never fills a free slot while something runs: DESIGN.md §1 defect);
//   3. otherwise picks the first N queues in its priority order that have
//      jobs queued, resumes them and pauses every other queue.
// Its priority order is its nine queues, then "other jobs": every other
// queue the server reports, in the server's order, so it pauses
// backgroundTask, notifications and backupDatabase too (a defect). It speaks
// only the legacy /api/jobs, whose pause the server accepts for every queue.
//
// Two readings of the README that the benchmark depends on, chosen as the
// only ones under which the script works at all:
//   - "has jobs queued" is waiting + paused > 0: while a queue is paused its
//     pending jobs count under `paused` (API.md §5), so reading `waiting`
//     alone would never resume a queue it had paused. Delayed jobs are not
//     queued work yet.
//   - it "trusts its own memory of what it paused" (DESIGN.md §1): it sends a
//     command only when the state it wants differs from the state it last
//     commanded (or has never commanded), never re-reading the pause flags.
//     That is what makes it drift after a restart, and it decides how many
//     commands it sends.
// On exit it sends nothing: everything it paused stays paused (a defect).

import type { Observation } from "../src/core/types.ts";

/** The script's own nine, highest priority first (README.ru.md "Приоритет заданий"). */
export const SEED_PRIORITY: readonly string[] = [
  "sidecar",
  "metadataExtraction",
  "storageTemplateMigration",
  "thumbnailGeneration",
  "smartSearch",
  "duplicateDetection",
  "faceDetection",
  "facialRecognition",
  "videoConversion",
];

/** What the script remembers between polls: the flag it last commanded per queue. */
export type SeedMemory = Readonly<Record<string, boolean>>;

export interface SeedCommand {
  queue: string;
  paused: boolean;
}

export interface SeedPoll {
  /** Resumes first, then pauses, in the README's order (steps 5, 6); empty while anything is active. */
  commands: SeedCommand[];
  /** Memory after sending them (the script assumes every command worked). */
  memory: SeedMemory;
}

/** The nine first (those the server has), then every other queue in the server's order. */
export function seedOrder(serverQueues: readonly string[]): string[] {
  const present = new Set(serverQueues);
  const nine = SEED_PRIORITY.filter((q) => present.has(q));
  const known = new Set(nine);
  return [...nine, ...serverQueues.filter((q) => !known.has(q))];
}

/** One poll of the script: what it sends given what the server says now. */
export function seedPoll(observation: Observation, n: number, memory: SeedMemory): SeedPoll {
  const queues = observation.queues;
  // Step 2: anything active anywhere (its list is every queue) means "wait".
  if (queues.some((q) => q.active > 0)) return { commands: [], memory };

  const byName = new Map(queues.map((q) => [q.name, q]));
  const order = seedOrder(queues.map((q) => q.name));
  const chosen = new Set(
    order
      .filter((name) => {
        const q = byName.get(name)!;
        return q.waiting + q.paused > 0;
      })
      .slice(0, n),
  );

  const next: Record<string, boolean> = { ...memory };
  const pauses: SeedCommand[] = [];
  const resumes: SeedCommand[] = [];
  for (const name of order) {
    const paused = !chosen.has(name);
    if (memory[name] === paused) continue; // it believes the flag is already so
    next[name] = paused;
    (paused ? pauses : resumes).push({ queue: name, paused });
  }
  // The script resumes before it pauses; with nothing active anywhere the
  // order cannot let more than N queues run.
  return { commands: [...resumes, ...pauses], memory: next };
}
