// Small real servers on 127.0.0.1 for the client's protocol tests: a
// Bun.serve whose routes a test writes (answering what a proxy, a wrong URL
// or a broken server would), and a raw TCP server for what HTTP servers
// will not do on purpose (reset a connection mid-answer).

import { createServer, type Socket } from "node:net";

export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A route gets the request and its body (already read, for the record). */
export type Route = (req: Request, body: string) => Response | Promise<Response>;

export interface FakeServer {
  url: string;
  /** Every request, in arrival order. */
  seen: Seen[];
  /** Resolves when the n-th request (1-based) has arrived. */
  arrived(n: number): Promise<void>;
  stop(): Promise<void>;
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });

export const html = (status = 200) =>
  new Response("<!doctype html><html><head><title>Immich</title></head><body><div id=app></div></body></html>", {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });

export const V3_VERSION = { major: 3, minor: 1, patch: 0, prerelease: null };

const COUNTS = { active: 0, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 0 };
export const counts = (c: Partial<typeof COUNTS> = {}) => ({ ...COUNTS, ...c });

/**
 * A server answering `routes` ("GET /api/server/version" → handler); any
 * other request is a 404 in v3's shape. The version route defaults to v3.1.0.
 */
export function fakeServer(routes: Record<string, Route>): FakeServer {
  const seen: Seen[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const all: Record<string, Route> = { "GET /api/server/version": () => json(V3_VERSION), ...routes };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.text();
      seen.push({ method: req.method, path: url.pathname + url.search, headers: Object.fromEntries(req.headers.entries()), body });
      for (const w of waiters.filter((w) => w.n <= seen.length)) w.resolve();
      const route = all[`${req.method} ${url.pathname}`];
      return route ? route(req, body) : json({ message: `Cannot ${req.method} ${url.pathname}` }, 404);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    seen,
    arrived: (n) =>
      new Promise<void>((resolve) => {
        if (seen.length >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    async stop() {
      await server.stop(true);
    },
  };
}

/** A TCP server that hands every connection to `onRequest` once the request's first bytes arrive. */
export async function rawServer(onRequest: (socket: Socket) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", () => onRequest(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<string> {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const url = `http://127.0.0.1:${s.port}`;
  await s.stop(true);
  return url;
}
