// Connects the status pieces to a running daemon: the recorder (fed by the
// loop's heartbeat and cycle callbacks and by the wrapped client), and the
// HTTP server when STATUS_ADDR asks for one. `run` calls startStatus once;
// nothing here is awaited by the loop.

import type { Config } from "../config/index.ts";
import type { Health, ImmichApi } from "../daemon/daemon.ts";
import type { Log } from "../daemon/log.ts";
import type { Clock } from "../shared/clock.ts";
import { VERSION } from "../shared/version.ts";
import { createStatusHandler } from "./http.ts";
import { observedClient } from "./observed-client.ts";
import { STATUS_PAGE } from "./page.ts";
import { type CycleReport, StatusRecorder } from "./recorder.ts";
import { startStatusServer, type StatusServer } from "./server.ts";

export interface StatusWiring {
  recorder: StatusRecorder;
  /** The daemon's client, wrapped to count errors. */
  client: ImmichApi;
  beat(health: Health, nextPollInMs: number): void;
  onCycle(report: CycleReport): void;
  server?: StatusServer;
  stop(): Promise<void>;
}

export function startStatus(config: Config, client: ImmichApi, clock: Clock, log: Log): StatusWiring | { problem: string } {
  const recorder = new StatusRecorder({
    clock,
    version: VERSION,
    immichUrl: config.immichUrl,
    maxConcurrent: config.maxConcurrentJobs,
    pollIntervalMs: config.pollIntervalMs,
    dryRun: config.dryRun,
    managed: config.managedQueues,
  });
  let server: StatusServer | undefined;
  if (config.statusAddr) {
    const handler = createStatusHandler({ snapshot: () => recorder.current, now: () => clock.now(), page: STATUS_PAGE });
    try {
      server = startStatusServer(config.statusAddr, handler);
    } catch (e) {
      const { hostname, port } = config.statusAddr;
      return { problem: `STATUS_ADDR: cannot listen on ${hostname}:${port}: ${(e as Error).message.split("\n")[0]}` };
    }
    log.info(`status page and metrics at ${server.url}/ (/healthz, /readyz, /metrics, /api/status)`, { statusUrl: server.url });
  }
  return {
    recorder,
    client: observedClient(client, recorder),
    beat: (health, next) => recorder.beat(health, next),
    onCycle: (report) => recorder.cycle(report),
    ...(server ? { server } : {}),
    stop: async () => {
      await server?.stop();
    },
  };
}
