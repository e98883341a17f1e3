// Failure modes on demand, so the daemon can be tested against everything a
// real Immich (or the proxy in front of it) does when things go wrong: slow
// answers, 5xx, truncated JSON, an HTML page instead of JSON, connections
// reset, maintenance mode, a restart with a short outage. Every random choice
// comes from one seeded PRNG, one draw per API request, so the same seed and
// the same request sequence give the same faults.

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
  maintenance: false,
});

/** What happens to one request. */
export type FaultDraw = "none" | "reset" | "error" | "garbage" | "html";

export class Faults {
  private current: FaultConfig;
  private readonly rng: Rng;
  /** Clock time (simulated) until which the server is down after a restart. */
  unavailableUntil = 0;

  constructor(seed: number, initial: FaultPatch = {}) {
    // Its own stream: faults never shift the engine's durations or arrivals.
    this.rng = createRng(seed).fork("faults");
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
    const { resetRate, errorRate, garbageRate, htmlRate } = this.current;
    let edge = resetRate;
    if (u < edge) return "reset";
    edge += errorRate;
    if (u < edge) return "error";
    edge += garbageRate;
    if (u < edge) return "garbage";
    edge += htmlRate;
    if (u < edge) return "html";
    return "none";
  }
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
