// The daemon's Immich API answered in-process by the simulator's engine: the
// real Daemon class (its loop, adaptive next look, MAX_WAIT memory, second
// look, exit clean-up) runs on a virtual clock without sockets, so the
// benchmark can run hours of simulated time per seed in well under a second.
// http-run.ts runs the same Daemon over real HTTP for one seed per cell and
// the benchmark checks the two agree.

import type { SystemConfig } from "../src/core/concurrency-config.ts";
import type { Observation } from "../src/core/types.ts";
import type { ImmichApi } from "../src/daemon/daemon.ts";
import type { Engine } from "../src/simulator/engine-types.ts";
import { PROFILES, type ProfileName } from "../src/simulator/profiles.ts";
import { createSystemConfig } from "../src/simulator/system-config.ts";
import type { RequestMeter } from "./requests.ts";

export function engineClient(engine: Engine, profile: ProfileName, meter: RequestMeter): ImmichApi {
  const observe = (): Observation => ({
    at: engine.now(),
    api: "queues",
    queues: engine.list().map((q) => ({ name: q.name, isPaused: q.isPaused, ...q.counts })),
  });
  const config = createSystemConfig(PROFILES[profile], engine);
  return {
    // Whether the storage template is off (the daemon's pass-through watch), as the simulator serves it.
    async getSystemConfig() {
      return config.get() as SystemConfig;
    },
    async connect() {
      return { version: PROFILES[profile].version, api: "queues" as const, warnings: [], queues: [...engine.queueNames] };
    },
    async observe() {
      meter.request("GET");
      return observe();
    },
    async setPaused(queue, paused) {
      meter.request("PUT", paused);
      engine.setPaused(queue, paused, "daemon");
    },
  };
}
