// The three readings of a queue's counts every rule is written in (DESIGN.md
// §2 terms): pending work, having work, occupying a slot. Apart from decide.ts
// so that the modules decide() composes can use them without a circle.

import type { QueueSnapshot } from "./types.ts";

/** Pending jobs: counted under `paused` while the queue is paused. Delayed jobs are not work yet. */
export const pending = (q: QueueSnapshot): number => q.waiting + q.paused;
export const hasWork = (q: QueueSnapshot): boolean => q.active + pending(q) > 0;
/** Running with work, or paused but still draining active jobs. */
export const occupiesSlot = (q: QueueSnapshot): boolean => (q.isPaused ? q.active > 0 : hasWork(q));
