// The edge that connects the status pieces to a running daemon: the recorder (fed by the
// loop's heartbeat and cycle callbacks and by the wrapped client), the HTTP
// server when STATUS_ADDR asks for one, and the notifier (fed by the
// recorder's publications) when NOTIFY_URL names targets. `run` calls startStatus once;
// nothing here is awaited by the loop. What the server serves and the
// notifier sends passes through the same masker as the logs (the API key or
// the token a hostile server puts in a queue name or an error message shows
// as ***: issue 16 item 6).
// It lives in cli/, above both status/ and notify/ (notify reads the status
// snapshot), so that every import points down the layers.

import type { Config } from "../config/index.ts";
import type { Health } from "../daemon/health.ts";
import type { ImmichApi } from "../daemon/immich-api.ts";
import type { Log } from "../daemon/log.ts";
import type { Clock } from "../shared/clock.ts";
import { secretMasker } from "../shared/mask.ts";
import { VERSION } from "../shared/version.ts";
import { EventDetector } from "../notify/events.ts";
import { Notifier } from "../notify/notifier.ts";
import type { ControlKeeper } from "../daemon/control-keeper.ts";
import { createControlHandler } from "../status/control-api.ts";
import { ControlAuth } from "../status/control-auth.ts";
import { createStatusHandler } from "../status/http.ts";
import { observedClient } from "../status/observed-client.ts";
import { STATUS_PAGE } from "../status/page.ts";
import { type CycleReport, StatusRecorder } from "../status/recorder.ts";
import { startStatusServer, type StatusServer } from "../status/server.ts";
import type { StatusSnapshot } from "../status/snapshot.ts";

/** How long the exit waits for notifications still on their way (real time). */
export const NOTIFY_EXIT_BUDGET_MS = 1_500;

export interface StatusWiring {
  recorder: StatusRecorder;
  /** The daemon's client, wrapped to count errors. */
  client: ImmichApi;
  beat(health: Health, nextPollInMs: number): void;
  onCycle(report: CycleReport): void;
  server?: StatusServer;
  stop(): Promise<void>;
}

export function startStatus(
  config: Config,
  client: ImmichApi,
  clock: Clock,
  log: Log,
  fetchFn?: typeof fetch,
  /** Keep the snapshot even with no server and no notifications (tests read it in process); the owner's instructions (rule 16). */
  opts: { record?: boolean; control?: ControlKeeper } = {},
): StatusWiring | { problem: string } {
  const keeper = opts.control;
  const recorder = new StatusRecorder({
    ...(keeper
      ? { control: () => ({ enabled: config.controlToken !== undefined, zone: keeper.zone, configuredN: config.maxConcurrentJobs, state: keeper.current }) }
      : {}),
    clock,
    version: VERSION,
    immichUrl: config.immichUrl,
    maxConcurrent: config.maxConcurrentJobs,
    pollIntervalMs: config.pollIntervalMs,
    dryRun: config.dryRun,
    managed: config.managedQueues,
  });
  const mask = secretMasker([config.apiKey, config.notifyToken]);
  let server: StatusServer | undefined;
  if (config.statusAddr) {
    const read = createStatusHandler({ snapshot: maskedSnapshots(() => recorder.current, mask), now: () => clock.now(), page: STATUS_PAGE });
    const control = keeper
      ? createControlHandler({
          ...(config.controlToken ? { auth: new ControlAuth(config.controlToken, () => clock.now(), log) } : {}),
          keeper,
          serverQueues: () => recorder.current.lastObservation?.queues.map((q) => q.name),
          now: () => clock.now(),
        })
      : undefined;
    keeper?.onChange(() => recorder.controlChanged());
    const handler = (req: Request, addr?: string) => control?.(req, addr) ?? read(req);
    try {
      server = startStatusServer(config.statusAddr, handler);
    } catch (e) {
      const { hostname, port } = config.statusAddr;
      const where = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
      if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
        return { problem: `STATUS_ADDR: ${where} is already in use (another daemon, or another program, listens there); stop it or choose another port` };
      }
      return { problem: `STATUS_ADDR: cannot listen on ${where}: ${(e as Error).message.split("\n")[0]}` };
    }
    log.info(`status page and metrics at ${server.url}/ (/healthz, /readyz, /metrics, /api/status)`, { statusUrl: server.url });
    log.info(
      config.controlToken
        ? "the owner's controls are on (CONTROL_TOKEN): the page asks for the token; the API and the command line send it as Authorization: Bearer"
        : "the page is read-only: set CONTROL_TOKEN or CONTROL_TOKEN_FILE to turn on its controls (hold, release, N for a while, resume-all, run missing)",
    );
  }
  let notifier: Notifier | undefined;
  if (config.notifyTargets.length > 0 && fetchFn) {
    notifier = new Notifier({
      targets: config.notifyTargets,
      ...(config.notifyToken ? { token: config.notifyToken } : {}),
      fetch: fetchFn,
      clock,
      log,
      mask,
      source: { version: VERSION, immichUrl: config.immichUrl },
    });
    const detector = new EventDetector({ outageAfterMs: config.notifyOutageAfterMs });
    const n = notifier;
    recorder.subscribe((next, previous) => n.add(detector.next(previous, next)));
    log.info(`notifications to ${config.notifyTargets.map((t) => t.label).join(", ")}`);
  }
  // Nobody reads the snapshot without a server or notifications: then the loop is told nothing.
  const record = opts.record ?? (server !== undefined || notifier !== undefined);
  return {
    recorder,
    client: record ? observedClient(client, recorder) : client,
    beat: record ? (health, next) => recorder.beat(health, next) : () => {},
    onCycle: record ? (report) => recorder.cycle(report) : () => {},
    ...(server ? { server } : {}),
    stop: async () => {
      // The last word (the key refused, say) still goes out, within a bound.
      await notifier?.close(NOTIFY_EXIT_BUDGET_MS);
      await server?.stop();
    },
  };
}

/**
 * The snapshot with every secret masked, made once per publication (the
 * recorder publishes a new frozen object each time) when a reader asks.
 */
function maskedSnapshots(current: () => StatusSnapshot, mask: (text: string) => string): () => StatusSnapshot {
  let from: StatusSnapshot | undefined;
  let made: StatusSnapshot | undefined;
  return () => {
    const snap = current();
    if (snap !== from) {
      from = snap;
      made = JSON.parse(mask(JSON.stringify(snap))) as StatusSnapshot;
    }
    return made!;
  };
}
