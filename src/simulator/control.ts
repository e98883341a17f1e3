// The simulator's own endpoint, beside Immich's API on the same server under
// /__simulator/ (a prefix no Immich route can have). Tests, benchmarks and
// the demo use it to drive the run and read what happened: inject uploads
// or jobs, set and clear faults, restart Immich, lose Redis, read the state
// and the recording. No key is needed (the server listens on loopback
// only); faults never touch it. Answers are plain JSON; bad input is a 400
// `{"message"}` naming the field.

import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { Clock } from "../shared/clock.ts";
import type { ApiKey } from "./auth.ts";
import type { Engine } from "./engine-types.ts";
import { FaultPatchSchema, type Faults } from "./faults.ts";
import { metricsResponse } from "./host-exporter.ts";
import { modernQueue } from "./http-answers.ts";
import type { FetchHandler } from "./http.ts";
import type { MlService } from "./ml-service.ts";
import type { Profile } from "./profiles.ts";

export const CONTROL_PREFIX = "/__simulator";

const UploadSchema = Type.Object(
  {
    photos: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    videos: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    source: Type.Optional(Type.Union([Type.Literal("upload"), Type.Literal("library")])),
  },
  { additionalProperties: false },
);

const EnqueueSchema = Type.Object(
  {
    queue: Type.String(),
    count: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    delayMs: Type.Optional(Type.Number({ minimum: 0 })),
    durationMs: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const RestartSchema = Type.Object(
  {
    /** Simulated ms during which the server is down after the restart (default 0). */
    downMs: Type.Optional(Type.Number({ minimum: 0, maximum: 3_600_000 })),
    /** How it is down: "503" answers, or "refuse" (nothing listens on the port). */
    mode: Type.Optional(Type.Union([Type.Literal("503"), Type.Literal("refuse")])),
  },
  { additionalProperties: false },
);
export type RestartOptions = Static<typeof RestartSchema>;

const MlSchema = Type.Object({ up: Type.Boolean() }, { additionalProperties: false });

/** An outside load on the modelled host: `cores` busy for `forSeconds` (simulated) from now. */
const HostLoadSchema = Type.Object(
  {
    cores: Type.Number({ minimum: 0, maximum: 1024 }),
    forSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 31_536_000 }),
    io: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    memory: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);

export interface ControlOptions {
  profile: Profile;
  engine: Engine;
  clock: Clock;
  keys: readonly ApiKey[];
  faults: Faults;
  /** Restarts Immich (engine.restart() plus the outage); server.ts owns the socket for "refuse". */
  restart: (opts: RestartOptions) => void;
  /** The machine-learning service, if the simulator runs one (--ml-port). */
  ml?: () => MlService | undefined;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

const badRequest = (message: string) => json({ message }, 400);

/** Checks a body against a schema; a one-line message naming the first bad field otherwise. */
function parse<T extends TSchema>(schema: T, body: unknown): Static<T> | string {
  if (Value.Check(schema, body)) return body;
  const first = Value.Errors(schema, body).First();
  const where = first?.path ? `field ${first.path.replace(/^\//, "").replaceAll("/", ".")}` : "body";
  return `${where}: ${first?.message ?? "invalid"}`;
}

async function readBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Symbol.for("bad-json");
  }
}

/** Documented in the `simulator --help` text (src/cli/simulator-options.ts). */
export function createControlHandler(opts: ControlOptions): FetchHandler {
  const { engine, faults, profile, clock } = opts;
  /** End of the outage after a restart, while it lasts. */
  const downUntil = () => (faults.unavailableUntil > clock.now() ? faults.unavailableUntil : null);

  return async (req) => {
    const url = new URL(req.url);
    const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "") || "/";
    const route = `${req.method.toUpperCase()} ${path}`;
    const body = req.method === "GET" || req.method === "DELETE" ? {} : await readBody(req);
    if (typeof body === "symbol") return badRequest("body: not valid JSON");

    switch (route) {
      case "GET /state":
        return json({
          profile: profile.name,
          version: profile.version,
          now: engine.now(),
          idle: engine.isIdle(),
          assets: engine.assetCount(),
          queues: engine.list().map(modernQueue),
          faults: faults.config,
          unavailableUntil: downUntil(),
          keys: opts.keys.map((k) => ({ label: k.label, admin: k.admin, scopes: k.scopes })),
          ml: opts.ml?.() ? { url: opts.ml()!.url, up: opts.ml()!.up } : null,
        });
      case "GET /recording":
        return json(engine.recording());
      case "POST /uploads": {
        const dto = parse(UploadSchema, body);
        if (typeof dto === "string") return badRequest(dto);
        if ((dto.photos ?? 0) + (dto.videos ?? 0) === 0) return badRequest("body: give photos and/or videos > 0");
        const ids = engine.upload({ photos: dto.photos ?? 0, videos: dto.videos ?? 0, source: dto.source ?? "upload" });
        return json({ ids });
      }
      case "POST /enqueue": {
        const dto = parse(EnqueueSchema, body);
        if (typeof dto === "string") return badRequest(dto);
        if (!profile.queues.includes(dto.queue)) {
          return badRequest(`field queue: ${JSON.stringify(dto.queue)} is not a queue of ${profile.name}; one of ${profile.queues.join(", ")}`);
        }
        const { queue, count, ...rest } = dto;
        engine.enqueue(queue, count, rest);
        const q = engine.get(queue);
        return json(q ? modernQueue(q) : {});
      }
      case "GET /faults":
        return json(faults.config);
      case "PUT /faults": {
        const dto = parse(FaultPatchSchema, body);
        if (typeof dto === "string") return badRequest(dto);
        return json(faults.set(dto));
      }
      case "DELETE /faults":
        return json(faults.clear());
      case "POST /restart": {
        const dto = parse(RestartSchema, body);
        if (typeof dto === "string") return badRequest(dto);
        opts.restart(dto);
        return json({ restartedAt: engine.now(), downUntil: downUntil() });
      }
      case "GET /ml":
      case "PUT /ml": {
        const ml = opts.ml?.();
        if (!ml) return json({ message: "this simulator runs no machine-learning service; start it with --ml-port" }, 404);
        if (route === "PUT /ml") {
          const dto = parse(MlSchema, body);
          if (typeof dto === "string") return badRequest(dto);
          ml.setUp(dto.up);
        }
        return json({ url: ml.url, up: ml.up, failedJobs: engine.recording().failedJobs });
      }
      case "GET /host":
      case "POST /host": {
        if (!engine.host()) {
          return json({ message: "this simulator models no host; start it with --host real-2core or --host nas-4core" }, 404);
        }
        if (route === "POST /host") {
          const dto = parse(HostLoadSchema, body);
          if (typeof dto === "string") return badRequest(dto);
          engine.addHostLoad({ cores: dto.cores, forMs: dto.forSeconds * 1000, io: dto.io ?? 0, memory: dto.memory ?? 0 });
        }
        return json(engine.host());
      }
      case "GET /metrics":
        return metricsResponse(engine);
      case "POST /redis-loss":
        engine.redisLoss();
        return json({ lostAt: engine.now() });
      default:
        return json({ message: `Unknown control route ${route}; see \`simulator --help\`` }, 404);
    }
  };
}
