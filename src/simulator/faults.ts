// Failure modes on demand, so the daemon can be tested against everything a
// real Immich (or the proxy in front of it) does when things go wrong: slow
// answers, 5xx, truncated JSON, an HTML page instead of JSON, connections
// reset, a queue list with queues missing, maintenance mode, a restart with a
// short outage. Every random choice comes from one seeded PRNG, one draw per
// API request, so the same seed and the same request sequence give the same
// faults (which queues a partial list keeps comes from a stream of its own).

import { type Static, Type } from "@sinclair/typebox";
import { createRng, type Rng } from "./rng.ts";

export const FaultConfigSchema = Type.Object(
  {
    /** Real milliseconds added before every /api answer. */
    latencyMs: Type.Number({ minimum: 0, maximum: 600_000 }),
    /** Share (0..1) of /api requests answered 500 with the profile's error body. */
    errorRate: Type.Number({ minimum: 0, maximum: 1 }),
    /** Share answered 200 with truncated, unparsable JSON. */
    garbageRate: Type.Number({ minimum: 0, maximum: 1 }),
    /** Share answered 200 with an HTML page (a proxy's or the web app's). */
    htmlRate: Type.Number({ minimum: 0, maximum: 1 }),
    /** Share whose connection is dropped after the headers (a reset). */
    resetRate: Type.Number({ minimum: 0, maximum: 1 }),
    /**
     * Share of queue lists (GET /api/queues, /api/jobs) answered 200 with
     * queues missing, well formed otherwise: a proxy's cache of an older
     * server, a server mid-restart (issue 16: the daemon must not take it as
     * the truth about what it paused).
     */
    partialRate: Type.Number({ minimum: 0, maximum: 1 }),
    /** In a partial list, the share of queues kept, each drawn on its own (0: an empty list). */
    partialKeep: Type.Number({ minimum: 0, maximum: 1 }),
    /**
     * Queues every queue list leaves out, as a server that lacks them would
     * (an older version); commands naming them are still served.
     */
    hiddenQueues: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 64 }),
    /** Immich's maintenance mode: /api/jobs and /api/queues answer 404. */
    maintenance: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type FaultConfig = Static<typeof FaultConfigSchema>;

/** The same fields, all optional: what `set` and the control endpoint accept. */
export const FaultPatchSchema = Type.Partial(FaultConfigSchema, { additionalProperties: false });
export type FaultPatch = Static<typeof FaultPatchSchema>;

export const NO_FAULTS: Readonly<FaultConfig> = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  garbageRate: 0,
  htmlRate: 0,
  resetRate: 0,
  partialRate: 0,
  partialKeep: 0.5,
  hiddenQueues: [],
  maintenance: false,
});

/** What happens to one request. */
export type FaultDraw = "none" | "reset" | "error" | "garbage" | "html" | "partial";

export class Faults {
  private current: FaultConfig;
  private readonly rng: Rng;
  private readonly partialRng: Rng;
  /** Clock time (simulated) until which the server is down after a restart. */
  unavailableUntil = 0;

  constructor(seed: number, initial: FaultPatch = {}) {
    // Its own stream: faults never shift the engine's durations or arrivals.
    this.rng = createRng(seed).fork("faults");
    this.partialRng = createRng(seed).fork("partial");
    this.current = { ...NO_FAULTS, ...initial };
  }

  get config(): Readonly<FaultConfig> {
    return this.current;
  }

  set(patch: FaultPatch): Readonly<FaultConfig> {
    this.current = { ...this.current, ...patch };
    return this.current;
  }

  clear(): Readonly<FaultConfig> {
    this.current = { ...NO_FAULTS };
    this.unavailableUntil = 0;
    return this.current;
  }

  /**
   * Picks the fate of one request. Exactly one PRNG draw per call, whatever
   * the rates, so changing a rate does not shift the sequence for later
   * requests. Rates are stacked in a fixed order; past 1 they are cut off.
   */
  draw(): FaultDraw {
    const u = this.rng.next();
    const { resetRate, errorRate, garbageRate, htmlRate, partialRate } = this.current;
    let edge = resetRate;
    if (u < edge) return "reset";
    edge += errorRate;
    if (u < edge) return "error";
    edge += garbageRate;
    if (u < edge) return "garbage";
    edge += htmlRate;
    if (u < edge) return "html";
    edge += partialRate;
    if (u < edge) return "partial";
    return "none";
  }

  /** Whether a partial list keeps the next queue (`partialKeep`; its own stream, so the fates above never shift). */
  keeps(): boolean {
    return this.partialRng.next() < this.current.partialKeep;
  }
}

/**
 * A queue list with queues left out (the "partial" fate, `hiddenQueues`):
 * the /api/queues array or the /api/jobs object, each queue kept as
 * `keep(name)` says.
 */
export function partialList(validJson: string, keep: (name: string) => boolean): string {
  const list = JSON.parse(validJson) as unknown;
  if (Array.isArray(list)) return JSON.stringify(list.filter((q: { name?: unknown }) => keep(String(q.name))));
  if (typeof list === "object" && list !== null) return JSON.stringify(Object.fromEntries(Object.entries(list).filter(([name]) => keep(name))));
  return validJson;
}

/** A page like the one Immich's web app (or a proxy) serves instead of JSON. */
export const HTML_PAGE =
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><title>Immich</title></head>' +
  '<body><div id="app">Immich</div><script type="module" src="/_app/immutable/entry/start.js"></script></body></html>\n';

/** An answer that is cut off mid-way: JSON.parse fails on it. */
export function truncatedJson(validJson: string): string {
  const cut = Math.max(1, Math.floor(validJson.length / 2));
  return validJson.slice(0, cut);
}
