// The simulator for end-to-end runs: started in the test process on the real
// clock (sped up), with the keys the tests need, behind a loopback front that
// notes every request (method, path, body) before handing it to the
// simulator's own handler. The front is what the binary is pointed at, so a
// test can say "no request reached the server" or "no PUT was sent".

import { afterEach } from "bun:test";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { systemClock } from "../../src/shared/clock.ts";
import type { ApiKey } from "../../src/simulator/auth.ts";
import type { PauseChange } from "../../src/simulator/engine-types.ts";
import type { ProfileName } from "../../src/simulator/profiles.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";
import { pauseChangesBy } from "../../src/simulator/sim-summary.ts";
import { killLeftovers } from "./helpers.ts";

/** Keys every e2e simulator accepts; the label is the actor in the recording. */
export const KEYS = {
  daemon: "e2e-daemon-key",
  person: "e2e-person-key",
  /** An admin's key with only server.about: lacks every job/queue scope. */
  weak: "e2e-weak-key",
  /** A non-admin user's key with every scope. */
  user: "e2e-user-key",
  /** An admin's key with the queue scopes only: no systemConfig.read. */
  queues: "e2e-queues-key",
} as const;

const SIM_KEYS: ApiKey[] = [
  { key: KEYS.daemon, label: "daemon", admin: true, scopes: ["all"] },
  { key: KEYS.person, label: "person", admin: true, scopes: ["all"] },
  { key: KEYS.weak, label: "weak", admin: true, scopes: ["server.about"] },
  { key: KEYS.user, label: "user", admin: false, scopes: ["all"] },
  { key: KEYS.queues, label: "daemon", admin: true, scopes: ["queue.read", "queue.update"] },
];

export interface SeenRequest {
  method: string;
  path: string;
  body: string;
}

export interface E2ESim {
  sim: Simulator;
  /** The front's URL: what IMMICH_URL is set to. */
  url: string;
  requests: SeenRequest[];
  /** Managed queues (default list) of this profile that are paused now. */
  managedPaused(): string[];
  /** Managed queues (default list) this profile has. */
  managed(): string[];
  /**
   * The managed queues the daemon pauses when they are idle: all but
   * storageTemplateMigration, which passes through unpaused while the storage
   * template is off (Immich's default and the simulator's; core/pass-through.ts).
   */
  pausable(): string[];
  /** Pause changes made with the given key label. */
  changesBy(actor: string): PauseChange[];
  /** Holds the requests `match` picks for `ms` real milliseconds at the front (a slow command, say). */
  delay(match: (r: SeenRequest) => boolean, ms: number): void;
  /** Pause or resume through the API with the person's key, as the admin page would. */
  person(queue: string, paused: boolean): Promise<number>;
  stop(): Promise<void>;
}

export interface E2ESimOptions {
  profile?: ProfileName;
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  seed?: number;
  /** Queues the server reports beyond its profile's (names such as `constructor`). */
  extraQueues?: readonly string[];
}

export async function startE2ESim(opts: E2ESimOptions = {}): Promise<E2ESim> {
  // Latency faults sleep in real time; end those sleeps when the test is done.
  const stopping = new AbortController();
  const sim = await startSimulator({
    profile: opts.profile ?? "v3.1",
    speed: opts.speed ?? 1,
    seed: opts.seed ?? 11,
    ...(opts.extraQueues ? { extraQueues: opts.extraQueues } : {}),
    keys: SIM_KEYS,
    realSleep: (ms) => systemClock.sleep(ms, stopping.signal),
    onError: () => {},
  });
  const requests: SeenRequest[] = [];
  const delays: { match: (r: SeenRequest) => boolean; ms: number }[] = [];
  const front = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = req.method === "GET" ? "" : await req.clone().text();
      const seen = { method: req.method, path: new URL(req.url).pathname, body };
      requests.push(seen);
      const hold = delays.find((d) => d.match(seen));
      if (hold) await systemClock.sleep(hold.ms, stopping.signal);
      return sim.handler(req);
    },
  });
  const managedNames = sim.profile.queues.filter((q) => (DEFAULT_PRIORITY as readonly string[]).includes(q));
  const managed = () => [...managedNames];
  return {
    sim,
    pausable: () => managedNames.filter((q) => q !== "storageTemplateMigration" || sim.engine.storageTemplateEnabled()),
    url: `http://127.0.0.1:${front.port}`,
    requests,
    managed,
    managedPaused: () =>
      sim.engine
        .list()
        .filter((q) => q.isPaused && managedNames.includes(q.name))
        .map((q) => q.name),
    delay: (match, ms) => void delays.push({ match, ms }),
    changesBy: (actor) => pauseChangesBy(sim.engine.recording(), actor),
    async person(queue, paused) {
      const modern = sim.profile.hasQueuesApi;
      const res = await fetch(`${sim.url}/api/${modern ? "queues" : "jobs"}/${queue}`, {
        method: "PUT",
        headers: { "x-api-key": KEYS.person, "content-type": "application/json" },
        body: JSON.stringify(modern ? { isPaused: paused } : { command: paused ? "pause" : "resume", force: false }),
      });
      return res.status;
    },
    async stop() {
      stopping.abort();
      front.stop(true);
      await sim.stop();
    },
  };
}

/** A loopback server that answers every request with a web page (a wrong URL, a proxy's page). */
/**
 * Call once at a test file's top level: after each test, every child process
 * the test spawned is killed and every simulator it started is stopped,
 * whatever the test did. Returns the function that starts a simulator.
 */
export function e2eSimsPerTest(): (opts?: E2ESimOptions) => Promise<E2ESim> {
  const sims: E2ESim[] = [];
  afterEach(async () => {
    killLeftovers();
    for (const sim of sims.splice(0)) await sim.stop();
  });
  return async (opts = {}) => {
    const sim = await startE2ESim(opts);
    sims.push(sim);
    return sim;
  };
}

export function startHtmlServer(): { url: string; requests: () => number; stop(): void } {
  let n = 0;
  const s = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch() {
      n++;
      return new Response("<!doctype html><html><head><title>Immich</title></head><body>Welcome</body></html>", {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    },
  });
  return { url: `http://127.0.0.1:${s.port}`, requests: () => n, stop: () => s.stop(true) };
}

/** A loopback TCP port that accepts connections and drops them at once; counts them. */
export async function startDroppingListener(): Promise<{ url: string; connections: () => number; stop(): void }> {
  let n = 0;
  const l = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        n++;
        socket.end();
      },
      data() {},
    },
  });
  return { url: `http://127.0.0.1:${l.port}`, connections: () => n, stop: () => l.stop(true) };
}

/** A loopback port nothing listens on (bound, then released). */
export function closedPort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}
