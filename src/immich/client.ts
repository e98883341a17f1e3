// The Immich client the daemon talks through: ping, connect (choose the API
// family and check the key can use it), observe (one validated Observation)
// and setPaused. Effects come in through the options (fetch, clock), so tests
// run it against the simulator over real HTTP with a VirtualClock.

import type { SystemConfig } from "../core/concurrency-config.ts";
import type { Observation, QueueCounts, QueueSnapshot } from "../core/types.ts";
import { PROTECTED_QUEUES } from "../core/queues.ts";
import type { Clock } from "../shared/clock.ts";
import { ImmichError } from "./errors.ts";
import {
  type ApiFamily,
  formatVersion,
  hasQueuesApi,
  scopesToGrant,
  type Version,
  versionWarnings,
} from "./family.ts";
import { type ApiRequest, describeRequest, type Fetch, send, type Transport } from "./http.ts";
import { type Answer, type AnswerName, invalidAnswer, isAnswer } from "./answers.ts";

export interface ServerInfo {
  version: Version;
  api: ApiFamily;
  /** For the start-up log, e.g. the key lacks queue.* so the legacy API is used, and which scopes to add. */
  warnings: string[];
  /** The queues the server listed when the key's read permission was checked, in its order. */
  queues: string[];
}

export interface ImmichClient {
  /** GET /api/server/ping (no key needed): is something Immich-shaped answering? */
  ping(signal?: AbortSignal): Promise<void>;
  /**
   * Reads the version, chooses the API family and checks that the key can
   * read (and, with /api/queues, write) in it. Call again to choose afresh
   * (e.g. after the server was upgraded). `checkWrite: false` skips the write
   * check, for callers that promise to send no PUT at all (dry run, status).
   */
  connect(signal?: AbortSignal, opts?: { checkWrite?: boolean }): Promise<ServerInfo>;
  /** Every queue the server reports, validated, in the family connect() chose. */
  observe(signal?: AbortSignal): Promise<Observation>;
  /** Pause or resume one queue; idempotent on the server. */
  setPaused(queue: string, paused: boolean, signal?: AbortSignal): Promise<void>;
  /** GET /system-config (systemConfig.read): the whole settings object, its job section checked (TUNE_CONCURRENCY). */
  getSystemConfig(signal?: AbortSignal): Promise<SystemConfig>;
  /** PUT /system-config (systemConfig.update): the whole object; answers the settings now in force, checked. */
  putSystemConfig(config: SystemConfig, signal?: AbortSignal): Promise<SystemConfig>;
  /**
   * Ask Immich to queue a queue's missing jobs: the legacy start command with
   * force:false, as the admin page's "Missing" button sends it (every
   * version, both API families: PUT /api/jobs/{queue} needs job.create).
   * Immich answers 400 on an active queue or one it cannot start.
   */
  startMissing(queue: string, signal?: AbortSignal): Promise<void>;
}

export interface ImmichClientOptions {
  /** The server's origin, e.g. "http://127.0.0.1:2283" (Config.immichUrl); a trailing / or /api is dropped. */
  baseUrl: string;
  apiKey: string;
  fetch: Fetch;
  /** Stamps observations (Observation.at). */
  clock: Clock;
  /** Real milliseconds a request may take (REQUEST_TIMEOUT); real time whatever the clock, see http.ts. */
  timeoutMs: number;
}

export function createImmichClient(options: ImmichClientOptions): ImmichClient {
  const t: Transport = {
    baseUrl: options.baseUrl.replace(/\/+$/, "").replace(/\/api$/, ""),
    apiKey: options.apiKey,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
  };
  let server: { version: Version; api: ApiFamily } | undefined;
  /**
   * Per GET path, the last answer that passed its check, with its text. An
   * idle server answers every poll with the same bytes: then the answer is
   * the one already checked (same object), not parsed or checked again
   * (issue 6, idle cost; http.ts `known`).
   */
  const lastGood = new Map<string, { text: string; value: unknown }>();

  /** One request, its answer checked as the answer `name` (answers.ts); a body makes it a PUT. */
  const call = async <N extends AnswerName>(
    name: N,
    path: string,
    auth: boolean,
    signal: AbortSignal | undefined,
    body?: unknown,
  ): Promise<Answer<N>> => {
    const method = body === undefined ? "GET" : "PUT";
    const known = method === "GET" ? lastGood.get(path) : undefined;
    const r: ApiRequest = { method, path, auth, signal, body, ...(known ? { known: known.text } : {}) };
    const answer = await send(t, r);
    if (answer.repeat) return known!.value as Answer<N>;
    // Checked synchronously: a good answer takes no extra turn, as before (test/chaos's timings notice one).
    if (isAnswer(name, answer.json)) {
      if (method === "GET") lastGood.set(path, { text: answer.text, value: answer.json });
      return answer.json;
    }
    lastGood.delete(path);
    throw await invalidAnswer(name, answer.json, `${describeRequest(r)} at ${t.baseUrl}`);
  };
  /** The last observation's queues and the answer they were read from: the same answer, the same queues. */
  let lastRead: { answer: unknown; queues: QueueSnapshot[] } | undefined;

  const connected = () => {
    if (!server) throw new Error("ImmichClient: connect() must succeed before observe() or setPaused()");
    return server;
  };

  return {
    async ping(signal) {
      await call("ping", "/server/ping", false, signal);
    },

    async connect(signal, opts = {}) {
      // Until a new choice succeeds the previous one stands: a failed
      // re-connect (maintenance, a restart) must not break observe().
      const answer = await call("version", "/server/version", false, signal);
      const version: Version = { major: answer.major, minor: answer.minor, patch: answer.patch };
      const warnings = versionWarnings(version);

      if (!hasQueuesApi(version)) {
        const queues = await readJobs(version, signal);
        server = { version, api: "jobs" };
        return { version, api: "jobs", warnings, queues };
      }

      // 2.4+: /api/queues if the key may read and update there.
      let lacking: string;
      try {
        const queues = (await call("queues", "/queues", true, signal)).map((q) => q.name);
        // `{}` changes nothing (API.md §1): the one write that proves queue.update
        // without side effects. A protected queue is not used, out of caution.
        const probe = queues.find((q) => !Object.hasOwn(PROTECTED_QUEUES, q)) ?? queues[0];
        if (opts.checkWrite === false) {
          // Not checked: a missing queue.update shows at the first pause instead.
        } else if (probe !== undefined) {
          await call("queue", `/queues/${encodeURIComponent(probe)}`, true, signal, {});
        } else {
          warnings.push("the server lists no queues, so the key's queue.update permission could not be checked");
        }
        server = { version, api: "queues" };
        return { version, api: "queues", warnings, queues };
      } catch (e) {
        if (!(e instanceof ImmichError && e.kind === "missing-scope" && e.scope)) throw e;
        lacking = e.scope;
      }
      // A key made before 2.4 with job.* only: the legacy API still works.
      const queues = await readJobs(version, signal, lacking);
      warnings.push(
        `the API key lacks ${lacking}, so the deprecated /api/jobs is used; grant the key queue.read and queue.update (Account Settings → API Keys) to use /api/queues`,
      );
      server = { version, api: "jobs" };
      return { version, api: "jobs", warnings, queues };
    },

    async observe(signal) {
      const { api } = connected();
      if (api === "queues") {
        const answer = await call("queues", "/queues", true, signal);
        if (answer === lastRead?.answer) return { at: options.clock.now(), api, queues: lastRead.queues };
        // Rule 10: a queue listed twice is two contradicting answers, not one to pick from.
        const names = answer.map((q) => q.name);
        const twice = names.find((n, i) => names.indexOf(n) !== i);
        if (twice !== undefined) {
          throw new ImmichError("invalid-answer", `GET /api/queues at ${t.baseUrl} lists the queue ${JSON.stringify(twice)} twice: an answer the daemon cannot trust; taking no action on it`);
        }
        const queues = answer.map((q) => snapshot(q.name, q.isPaused, q.statistics));
        lastRead = { answer, queues };
        return { at: options.clock.now(), api, queues };
      }
      const answer = await call("jobs", "/jobs", true, signal);
      if (answer === lastRead?.answer) return { at: options.clock.now(), api, queues: lastRead.queues };
      const queues = Object.entries(answer).map(([name, s]) => snapshot(name, s.queueStatus.isPaused, s.jobCounts));
      lastRead = { answer, queues };
      return { at: options.clock.now(), api, queues };
    },

    startMissing,

    async setPaused(queue, paused, signal) {
      const { api, version } = connected();
      const path = `/${api}/${encodeURIComponent(queue)}`;
      let isPaused: boolean;
      try {
        if (api === "queues") {
          isPaused = (await call("queue", path, true, signal, { isPaused: paused })).isPaused;
        } else {
          // Only pause and resume: `start` queues a full scan, `empty` drops work (API.md §1).
          const body = { command: paused ? "pause" : "resume", force: false };
          isPaused = (await call("jobStatus", path, true, signal, body)).queueStatus.isPaused;
        }
      } catch (e) {
        // job.create cannot be probed without side effects: its absence shows here.
        if (e instanceof ImmichError && e.kind === "missing-scope") throw missingScope(e, version, [e.scope ?? "?"]);
        throw e;
      }
      if (isPaused !== paused) {
        throw new ImmichError(
          "server-error",
          `Immich at ${t.baseUrl} accepted ${paused ? "pausing" : "resuming"} ${queue} but reports it ${isPaused ? "paused" : "running"}; deciding again next cycle`,
        );
      }
    },

    async getSystemConfig(signal) {
      // A fresh object each time: the caller changes a copy, never the cached answer.
      return structuredClone(await call("systemConfig", "/system-config", true, signal)) as SystemConfig;
    },

    async putSystemConfig(config, signal) {
      return (await call("systemConfig", "/system-config", true, signal, config)) as SystemConfig;
    },
  };

  async function startMissing(queue: string, signal?: AbortSignal): Promise<void> {
    const { version } = connected();
    try {
      // The one start the daemon ever sends, and only when its owner asks: force:false queues what is missing, never everything again.
      await call("jobStatus", `/jobs/${encodeURIComponent(queue)}`, true, signal, { command: "start", force: false });
    } catch (e) {
      if (e instanceof ImmichError && e.kind === "missing-scope") throw missingScope(e, version, [e.scope ?? "job.create"]);
      throw e;
    }
  }

  /** GET /jobs: the legacy family's read check. `alsoLacking` is a queue.* scope found missing before. */
  async function readJobs(version: Version, signal: AbortSignal | undefined, alsoLacking?: string): Promise<string[]> {
    try {
      return Object.keys(await call("jobs", "/jobs", true, signal));
    } catch (e) {
      if (e instanceof ImmichError && e.kind === "missing-scope") {
        throw missingScope(e, version, alsoLacking ? [alsoLacking, e.scope ?? "?"] : [e.scope ?? "?"]);
      }
      throw e;
    }
  }
}

/** The server's missing-scope error, reworded with every scope found missing and what to grant on this version. */
function missingScope(e: ImmichError, version: Version, lacking: string[]): ImmichError {
  // The first lacking scope is the preferred family's: the one worth granting.
  const scope = lacking[0] ?? e.scope ?? "?";
  return new ImmichError(
    "missing-scope",
    `the API key lacks the permission${lacking.length > 1 ? "s" : ""} ${lacking.join(" and ")}: on Immich ${formatVersion(version)} grant it ${scopesToGrant(version)} (Account Settings → API Keys → edit the key)`,
    e.correlationId !== undefined ? { status: 403, scope, correlationId: e.correlationId } : { status: 403, scope },
  );
}

function snapshot(name: string, isPaused: boolean, c: QueueCounts): QueueSnapshot {
  // Only the six counts: a newer server's extra fields stay out of the core.
  return {
    name,
    isPaused,
    active: c.active,
    completed: c.completed,
    failed: c.failed,
    delayed: c.delayed,
    waiting: c.waiting,
    paused: c.paused,
  };
}
