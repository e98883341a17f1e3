// What keeps a managed queue from running, apart from the cap (DESIGN.md §2
// rules 6, 13, 14), from plain data the loop gathered at the edges: each
// queue's time window at the current instant, whether the machine-learning
// service answers, and the host's pressure. Pure, like kured's blockers:
// decide() composes the answer, it does not compute it.
//
// Two kinds of block:
// - `pause`: the queue may not start, and if running it is paused gracefully
//   (its active jobs finish; its slot frees when they have): a closed window
//   (rule 6), the ML service gone (rule 13);
// - start only: nothing new starts, running queues keep their slots: host
//   pressure (rule 14).
// The owner's holds (rule 16, control.ts) are blocks of the first kind too.

import { dict, own } from "../shared/dict.ts";
import { ML_QUEUES } from "./queues.ts";
import type { WindowState } from "./windows.ts";

export type BlockCode = "window-closed" | "ml-down" | "pressure" | "owner-hold";

export interface Block {
  code: BlockCode;
  /** A running queue is paused gracefully (true), or only kept from starting (false). */
  pause: boolean;
  /** Words for the log line and status. */
  detail: string;
  /** The same as data, for a page that says it in the reader's language (the code names the sentence). */
  params?: Readonly<Record<string, string | number | boolean>>;
}

/** The machine-learning service as the last probe found it (ML_URL). */
export interface MlGate {
  up: boolean;
  /** When it last changed (ms since epoch). */
  since: number;
  urls: readonly string[];
}

/** One PSI figure over its limit. */
export interface PressureOver {
  resource: "cpu" | "memory" | "io";
  /** `some avg10`, in percent. */
  value: number;
  limit: number;
}

/** Everything the loop gathered about the world beyond Immich's API, for one cycle. */
export interface Gates {
  /** Queues with a window (WINDOWS), at the cycle's time. */
  windows?: readonly WindowState[];
  /** Absent when ML_URL is not set. */
  ml?: MlGate;
  /** Figures over their limit now (empty: under); absent when MAX_PRESSURE is not set or PSI is missing. */
  pressure?: readonly PressureOver[];
}

/** Queue → what blocks it; a queue not listed may run. Read it with pauseBlock/startBlock or shared/dict.ts own(). */
export type Blockers = Readonly<Record<string, readonly Block[]>>;

export function blockers(gates: Gates, managed: readonly string[]): Blockers {
  const out = dict<Block[]>(); // queue names are data: `constructor` too (shared/dict.ts)
  const add = (q: string, b: Block) => (out[q] ??= []).push(b);
  for (const w of gates.windows ?? []) {
    if (w.open) continue;
    const opens = w.nextChange ? `; it opens ${w.nextChange}` : "";
    add(w.queue, {
      code: "window-closed",
      pause: true,
      detail: `outside its window ${w.window} (${w.zone})${opens}`,
      params: { window: w.window, zone: w.zone, ...(w.nextChangeAt !== undefined ? { opensAt: w.nextChangeAt } : {}) },
    });
  }
  if (gates.ml && !gates.ml.up) {
    for (const q of managed) {
      if (ML_QUEUES.includes(q)) {
        add(q, { code: "ml-down", pause: true, detail: "the machine-learning service does not answer (ML_URL); its jobs would fail and be dropped" });
      }
    }
  }
  if (gates.pressure && gates.pressure.length > 0) {
    const what = gates.pressure.map((p) => `${p.resource} ${p.value.toFixed(1)} % > ${p.limit} %`).join(", ");
    const params = Object.fromEntries(gates.pressure.map((p) => [p.resource, Math.round(p.value * 10) / 10]));
    for (const q of managed) add(q, { code: "pressure", pause: false, detail: `the host is under pressure (${what}, PSI some avg10)`, params });
  }
  return out;
}

/** The first block that pauses a running queue, if any. */
export const pauseBlock = (b: Blockers | undefined, queue: string): Block | undefined =>
  own(b, queue)?.find((x) => x.pause);

/** The first block that keeps a paused queue from starting, if any. */
export const startBlock = (b: Blockers | undefined, queue: string): Block | undefined => own(b, queue)?.[0];
