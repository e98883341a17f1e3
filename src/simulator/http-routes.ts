// Immich's job endpoints as a table: method, path, who may call it, which
// profiles have it, and what it does to the engine. Validation happens after
// authentication (Nest runs guards before pipes) and path parameters before
// the body (the order of the controller's arguments).

import { dict } from "../shared/dict.ts";
import type { ApiKey, Requirement } from "./auth.ts";
import type { Engine } from "./engine-types.ts";
import { HttpError } from "./errors.ts";
import {
  JOB_STATES,
  QUEUE_COMMANDS,
  STARTABLE_QUEUES,
  aboutAnswer,
  isV24OrNewer,
  legacyQueue,
  manualJobs,
  modernQueue,
  versionAnswer,
} from "./http-answers.ts";
import { type QueryValue, enumParam, statusQuery, validateBody } from "./http-request.ts";
import type { Profile } from "./profiles.ts";
import type { SystemConfigStore } from "./system-config.ts";

export interface RouteContext {
  profile: Profile;
  engine: Engine;
  /** The system config (GET/PUT /api/system-config). */
  config: SystemConfigStore;
  /** The authenticated caller; undefined on public routes. */
  caller: ApiKey | undefined;
  params: Record<string, string>;
  query: Record<string, QueryValue>;
  /** The JSON body as Express leaves it (rejects with a 400 HttpError). */
  body: () => Promise<unknown>;
}

export interface Answer {
  status: number;
  /** JSON body; absent for 204. */
  json?: unknown;
}

export interface Route {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** Under /api, with `:param` segments. */
  path: string;
  /** null: public (no authentication at all). */
  requirement: Requirement | null;
  exists: (profile: Profile) => boolean;
  handle: (ctx: RouteContext) => Answer | Promise<Answer>;
}

const always = () => true;
const admin = (permission: string): Requirement => ({ adminOnly: true, permission });

/** The queue named in the path, or the profile's 400. v1.137 calls the parameter `id`. */
function queueParam(ctx: RouteContext): string {
  const param = ctx.profile.version.major < 2 ? "id" : "name";
  return enumParam(ctx.profile, param, ctx.params.name ?? "", ctx.profile.queues);
}

function queueOf(ctx: RouteContext, name: string) {
  const q = ctx.engine.get(name);
  // The engine is built from the profile's queue list; a miss is a bug here.
  if (!q) throw new HttpError(500, "Internal server error", undefined, true);
  return q;
}

/**
 * Job names differ between versions for the same queue; the engine uses
 * v3's. v2.7's document knows the workflow job as WorkflowRun.
 */
function jobNameFor(profile: Profile, name: string): string {
  if (name === "WorkflowAssetTrigger" && profile.version.major < 3) return "WorkflowRun";
  return name;
}

async function runLegacyCommand(ctx: RouteContext): Promise<Answer> {
  const name = queueParam(ctx);
  const dto = validateBody(ctx.profile, await ctx.body(), [
    { name: "command", kind: "enum", values: QUEUE_COMMANDS, required: true, notEmpty: true },
    { name: "force", kind: "boolean", required: false },
  ]);
  const actor = ctx.caller?.label ?? "api";
  switch (dto.command) {
    case "pause":
      // The legacy endpoint pauses any queue, backgroundTask included (recorded).
      ctx.engine.setPaused(name, true, actor);
      break;
    case "resume":
      ctx.engine.setPaused(name, false, actor);
      break;
    case "start":
      if (queueOf(ctx, name).counts.active > 0) throw new HttpError(400, "Job is already running");
      if (!STARTABLE_QUEUES.has(name)) throw new HttpError(400, `Invalid job name: ${name}`);
      ctx.engine.queueAll(name, { force: dto.force === true });
      break;
    case "empty":
      ctx.engine.empty(name);
      break;
    case "clear-failed":
      // Clears failed jobs. The engine never keeps failed jobs (Immich
      // catches handler errors, so `failed` stays 0): nothing to remove.
      break;
  }
  return { status: 200, json: legacyQueue(ctx.profile, queueOf(ctx, name)) };
}

async function createManualJob(ctx: RouteContext): Promise<Answer> {
  const jobs = manualJobs(ctx.profile);
  const dto = validateBody(ctx.profile, await ctx.body(), [
    { name: "name", kind: "enum", values: Object.keys(jobs), required: true },
  ]);
  const queue = jobs[dto.name as string];
  if (queue && ctx.profile.queues.includes(queue)) ctx.engine.enqueue(queue, 1);
  return { status: 204 };
}

async function updateQueue(ctx: RouteContext): Promise<Answer> {
  const name = queueParam(ctx);
  const dto = validateBody(ctx.profile, await ctx.body(), [{ name: "isPaused", kind: "boolean", required: false }]);
  const actor = ctx.caller?.label ?? "api";
  if (dto.isPaused === true) {
    if (name === "backgroundTask") throw new HttpError(400, "The BackgroundTask queue cannot be paused");
    ctx.engine.setPaused(name, true, actor);
  } else if (dto.isPaused === false) {
    ctx.engine.setPaused(name, false, actor);
  }
  return { status: 200, json: modernQueue(queueOf(ctx, name)) };
}

function listQueueJobs(ctx: RouteContext): Answer {
  const name = queueParam(ctx);
  const statuses = statusQuery(ctx.profile, ctx.query.status, JOB_STATES) ?? [...JOB_STATES];
  const jobs = ctx.engine.jobs(name, statuses).map((job) => ({
    id: job.id,
    name: jobNameFor(ctx.profile, job.name),
    timestamp: job.timestamp,
    data: job.data,
  }));
  return { status: 200, json: jobs };
}

async function emptyQueue(ctx: RouteContext): Promise<Answer> {
  const name = queueParam(ctx);
  validateBody(ctx.profile, await ctx.body(), [{ name: "failed", kind: "boolean", required: false }]);
  ctx.engine.empty(name);
  // `failed: true` also clears failed jobs; the engine keeps none (see clear-failed).
  return { status: 204 };
}

export const ROUTES: readonly Route[] = [
  {
    method: "GET",
    path: "/server/ping",
    requirement: null,
    exists: always,
    handle: () => ({ status: 200, json: { res: "pong" } }),
  },
  {
    method: "GET",
    path: "/server/version",
    requirement: null,
    exists: always,
    handle: (ctx) => ({ status: 200, json: versionAnswer(ctx.profile) }),
  },
  {
    method: "GET",
    path: "/server/about",
    requirement: { adminOnly: false, permission: "server.about" },
    exists: always,
    handle: (ctx) => ({ status: 200, json: aboutAnswer(ctx.profile) }),
  },
  {
    method: "GET",
    path: "/jobs",
    requirement: admin("job.read"),
    exists: always,
    handle: (ctx) => {
      const all = dict<unknown>(); // a queue named __proto__ is a key like any other
      for (const name of ctx.profile.legacyJobsOrder) all[name] = legacyQueue(ctx.profile, queueOf(ctx, name));
      return { status: 200, json: all };
    },
  },
  {
    method: "POST",
    path: "/jobs",
    requirement: admin("job.create"),
    exists: always,
    handle: createManualJob,
  },
  {
    method: "PUT",
    path: "/jobs/:name",
    requirement: admin("job.create"),
    exists: always,
    handle: runLegacyCommand,
  },
  {
    method: "GET",
    path: "/queues",
    requirement: admin("queue.read"),
    exists: isV24OrNewer,
    handle: (ctx) => ({ status: 200, json: ctx.engine.list().map(modernQueue) }),
  },
  {
    method: "GET",
    path: "/queues/:name",
    requirement: admin("queue.read"),
    exists: isV24OrNewer,
    handle: (ctx) => ({ status: 200, json: modernQueue(queueOf(ctx, queueParam(ctx))) }),
  },
  {
    method: "PUT",
    path: "/queues/:name",
    requirement: admin("queue.update"),
    exists: isV24OrNewer,
    handle: updateQueue,
  },
  {
    method: "GET",
    path: "/queues/:name/jobs",
    requirement: admin("queueJob.read"),
    exists: isV24OrNewer,
    handle: listQueueJobs,
  },
  {
    method: "GET",
    path: "/system-config",
    requirement: admin("systemConfig.read"),
    exists: always,
    handle: (ctx) => ({ status: 200, json: ctx.config.get() }),
  },
  {
    method: "PUT",
    path: "/system-config",
    requirement: admin("systemConfig.update"),
    exists: always,
    handle: async (ctx) => ({ status: 200, json: ctx.config.update(await ctx.body()) }),
  },
  {
    method: "DELETE",
    path: "/queues/:name/jobs",
    requirement: admin("queueJob.delete"),
    exists: isV24OrNewer,
    handle: emptyQueue,
  },
];

/**
 * The route for a method and a path under /api (no trailing slash), with
 * its parameters. Express matches paths case-insensitively; parameters keep
 * their case.
 */
export function matchRoute(
  profile: Profile,
  method: string,
  apiPath: string,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = apiPath.split("/").slice(1);
  for (const route of ROUTES) {
    if (route.method !== method || !route.exists(profile)) continue;
    const pattern = route.path.split("/").slice(1);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const s = segments[i] ?? "";
      if (p.startsWith(":")) {
        if (s === "") return false;
        params[p.slice(1)] = safeDecode(s);
        return true;
      }
      return p.toLowerCase() === s.toLowerCase();
    });
    if (ok) return { route, params };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
