// The simulator's machine-learning service: what Immich's
// immich-machine-learning container answers on its own port. GET /ping says
// `pong` (text/plain), as the real one does; everything else is 404 (the
// engine models the work, not the models). Switched off, it stops listening
// (connections are refused, as with the container stopped or the GPU desktop
// asleep), and the engine fails the ML queues' jobs; switched on, it listens
// on the same port again. DESIGN.md §2 rule 13 is what it lets us test.

import type { Engine } from "./engine-types.ts";

export interface MlService {
  /** Base URL, e.g. http://127.0.0.1:3003 (the daemon's ML_URL). */
  url: string;
  port: number;
  readonly up: boolean;
  /** Switch it off (refuse connections, fail ML jobs) or on again. Idempotent. */
  setUp(up: boolean): void;
  stop(): void;
}

export function startMlService(opts: { hostname: string; port?: number; engine: Engine }): MlService {
  const listen = (port: number) =>
    Bun.serve({
      hostname: opts.hostname,
      port,
      fetch(req) {
        const { pathname } = new URL(req.url);
        if (req.method === "GET" && pathname === "/ping") return new Response("pong", { headers: { "content-type": "text/plain; charset=utf-8" } });
        return new Response(JSON.stringify({ detail: "Not Found" }), { status: 404, headers: { "content-type": "application/json" } });
      },
    });
  let server: ReturnType<typeof Bun.serve> | undefined = listen(opts.port ?? 0);
  const port = server.port ?? opts.port ?? 0;
  const host = opts.hostname.includes(":") && !opts.hostname.startsWith("[") ? `[${opts.hostname}]` : opts.hostname;
  let stopped = false;
  return {
    url: `http://${host}:${port}`,
    port,
    get up() {
      return server !== undefined;
    },
    setUp(up) {
      if (stopped || up === (server !== undefined)) return;
      opts.engine.setMachineLearning(up);
      if (up) {
        server = listen(port);
      } else {
        server!.stop(true);
        server = undefined;
      }
    },
    stop() {
      stopped = true;
      server?.stop(true);
      server = undefined;
    },
  };
}
