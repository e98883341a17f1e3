// The client against servers that misbehave, over real HTTP on 127.0.0.1:
// proxies' pages, cut-off and wrong-shaped JSON, resets, hangs, redirects,
// a closed port, and every error answer Immich gives. Each failure must be
// an ImmichError of the right kind with a one-line message.

import { afterEach, describe, expect, test } from "bun:test";
import { createImmichClient, type ErrorKind } from "../../src/immich/index.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { failure } from "./expect-failure.ts";
import { closedPort, counts, type FakeServer, fakeServer, html, json, rawServer, type Route } from "./servers.ts";

const KEY = "secret-key-0123456789";
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

function serve(routes: Record<string, Route>): FakeServer {
  const s = fakeServer(routes);
  stops.push(s.stop);
  return s;
}

const client = (url: string, clock = new VirtualClock(), timeoutMs = 5_000) =>
  createImmichClient({ baseUrl: url, apiKey: KEY, fetch, clock, timeoutMs });

const v3Jobs = { thumbnailGeneration: { jobCounts: counts({ waiting: 3 }), queueStatus: { isActive: false, isPaused: false } } };
const v3Queues = [{ name: "thumbnailGeneration", isPaused: false, statistics: counts({ waiting: 3 }) }];

describe("what the client sends", () => {
  test("only x-api-key (on authenticated routes), accept and content-type; no cookie, no Authorization", async () => {
    const s = serve({
      "GET /api/server/ping": () => json({ res: "pong" }),
      "GET /api/queues": () => json(v3Queues),
      "PUT /api/queues/thumbnailGeneration": (_, body) => {
        const { isPaused } = JSON.parse(body) as { isPaused?: boolean };
        return json({ ...v3Queues[0], isPaused: isPaused ?? false });
      },
    });
    const c = client(`${s.url}/api/`);
    await c.ping();
    await c.connect();
    await c.observe();
    await c.setPaused("thumbnailGeneration", true);

    expect(s.seen.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      "GET /api/server/ping ",
      "GET /api/server/version ",
      "GET /api/queues ",
      "PUT /api/queues/thumbnailGeneration {}",
      "GET /api/queues ",
      'PUT /api/queues/thumbnailGeneration {"isPaused":true}',
    ]);
    for (const r of s.seen) {
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers.cookie).toBeUndefined();
      expect(r.headers.accept).toBe("application/json");
      // Public routes do not need the key, so it does not travel there.
      expect(r.headers["x-api-key"]).toBe(r.path.startsWith("/api/server/") ? undefined : KEY);
      expect(r.headers["content-type"]).toBe(r.method === "PUT" ? "application/json" : undefined);
    }
  });

  test("the legacy family pauses and resumes with pause/resume commands only", async () => {
    const s = serve({
      "GET /api/server/version": () => json({ major: 2, minor: 3, patch: 1 }),
      "GET /api/jobs": () => json(v3Jobs),
      "PUT /api/jobs/thumbnailGeneration": (_, body) => {
        const { command } = JSON.parse(body) as { command: string };
        return json({ jobCounts: counts(), queueStatus: { isActive: false, isPaused: command === "pause" } });
      },
    });
    const c = client(s.url);
    expect((await c.connect()).api).toBe("jobs");
    await c.setPaused("thumbnailGeneration", true);
    await c.setPaused("thumbnailGeneration", false);
    expect(s.seen.filter((r) => r.method === "PUT").map((r) => r.body)).toEqual([
      '{"command":"pause","force":false}',
      '{"command":"resume","force":false}',
    ]);
  });

  test("observe and setPaused before connect are a programming error", async () => {
    const c = client(await closedPort());
    await expect(c.observe()).rejects.toThrow("connect() must succeed");
    await expect(c.setPaused("ocr", true)).rejects.toThrow("connect() must succeed");
  });
});

describe("not JSON", () => {
  test.each([200, 406])("an HTML page with %d: not-json, with the hint about IMMICH_URL", async (status) => {
    const s = serve({ "GET /api/server/version": () => html(status) });
    const e = await failure(client(s.url).connect(), "not-json");
    expect(e.status).toBe(status);
    expect(e.message).toContain(`GET /api/server/version at ${s.url} answered ${status} with an HTML page`);
    expect(e.message).toContain("IMMICH_URL must be the Immich server's origin (e.g. http://host:2283)");
    expect(e.transient).toBe(true);
  });

  test("truncated JSON: not-json, said to be cut short", async () => {
    const s = serve({
      "GET /api/server/ping": () => new Response('{"res":"po', { headers: { "content-type": "application/json" } }),
    });
    const e = await failure(client(s.url).ping(), "not-json");
    expect(e.message).toContain("incomplete JSON");
    expect(e.transient).toBe(true);
  });

  test("an empty 200: not-json", async () => {
    const s = serve({ "GET /api/server/ping": () => new Response("", { status: 200 }) });
    expect((await failure(client(s.url).ping(), "not-json")).message).toContain("empty body");
  });

  test("plain text: not-json naming the content type", async () => {
    const s = serve({ "GET /api/server/ping": () => new Response("pong", { headers: { "content-type": "text/plain" } }) });
    expect((await failure(client(s.url).ping(), "not-json")).message).toContain("(text/plain)");
  });
});

describe("JSON of the wrong shape: invalid-answer naming the first failing field", () => {
  test.each<[string, string, unknown, string]>([
    ["ping", "GET /api/server/ping", { res: "ok" }, "/res"],
    ["version as a string", "GET /api/server/version", { major: "3", minor: 1, patch: 0 }, "/major"],
    ["version missing", "GET /api/server/version", {}, "/major"],
    ["negative count", "GET /api/queues", [{ name: "ocr", isPaused: false, statistics: counts({ active: -1 }) }], "/0/statistics/active"],
    ["queues as an object", "GET /api/queues", { ocr: {} }, "at the top level"],
    ["no statistics", "GET /api/queues", [{ name: "ocr", isPaused: false }], "/0/statistics"],
  ])("%s", async (_, route, body, where) => {
    const s = serve({
      "GET /api/server/ping": () => json({ res: "pong" }),
      [route]: () => json(body),
    });
    const c = client(s.url);
    const e = await failure(route.includes("ping") ? c.ping() : c.connect(), "invalid-answer");
    expect(e.message).toContain(route);
    expect(e.message).toContain(where);
    expect(e.transient).toBe(true);
  });

  test("a legacy answer with a count as a string names the queue and the field", async () => {
    const s = serve({
      "GET /api/server/version": () => json({ major: 1, minor: 137, patch: 3 }),
      "GET /api/jobs": () =>
        json({ ...v3Jobs, ocr: { jobCounts: { ...counts(), waiting: "7" }, queueStatus: { isActive: false, isPaused: false } } }),
    });
    const e = await failure(client(s.url).connect(), "invalid-answer");
    expect(e.message).toContain("at /ocr/jobCounts/waiting: Expected integer; got \"7\"");
  });

  test("extra fields from a newer server are fine and stay out of the observation", async () => {
    const s = serve({
      "GET /api/queues": () => json([{ ...v3Queues[0], statistics: { ...counts({ waiting: 3 }), prioritized: 2 }, extra: true }]),
      "PUT /api/queues/thumbnailGeneration": () => json(v3Queues[0]),
    });
    const c = client(s.url);
    await c.connect();
    const o = await c.observe();
    expect(o.queues).toEqual([{ name: "thumbnailGeneration", isPaused: false, ...counts({ waiting: 3 }) }]);
  });
});

describe("the connection", () => {
  test("a closed port: unreachable, naming the URL", async () => {
    const url = await closedPort();
    const e = await failure(client(url).ping(), "unreachable");
    expect(e.message).toBe(`cannot reach Immich at ${url} (connection refused): check IMMICH_URL and that the server is running`);
    expect(e.transient).toBe(true);
  });

  test("a connection reset before any answer: unreachable", async () => {
    const s = await rawServer((socket) => socket.resetAndDestroy());
    stops.push(s.stop);
    const e = await failure(client(s.url).ping(), "unreachable");
    expect(e.message).toContain("connection closed by the other side");
  });

  test("a connection reset in the middle of the body: unreachable, while reading", async () => {
    const s = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"res":');
      // Once the head is out, drop the connection (not a sleep: the test waits for the rejection).
      socket.end(() => socket.resetAndDestroy());
    });
    stops.push(s.stop);
    const e = await failure(client(s.url).ping(), "unreachable");
    expect(e.message).toContain("broke while reading the answer to GET /api/server/ping");
  });

  // Timeouts run in real time (http.ts says why), so these wait for a short one.
  test("a server that never answers: timeout after REQUEST_TIMEOUT", async () => {
    const s = serve({ "GET /api/server/ping": () => new Promise<Response>(() => {}) });
    const started = performance.now();
    const e = await failure(client(s.url, new VirtualClock(), 150).ping(), "timeout");
    const elapsed = performance.now() - started;
    expect(s.seen).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(3_000);
    expect(e.message).toBe(
      `Immich at ${s.url} did not answer GET /api/server/ping within 0.15 s: it may be starting or overloaded; raise REQUEST_TIMEOUT if it is only slow`,
    );
    expect(e.transient).toBe(true);
  });

  test("a body that stops half-way also times out", async () => {
    const s = serve({
      "GET /api/server/ping": () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"res":'));
            },
          }),
          { headers: { "content-type": "application/json" } },
        ),
    });
    await failure(client(s.url, new VirtualClock(), 150).ping(), "timeout");
  });

  test("a request never sleeps on the injected clock, so advancing a VirtualClock cannot time it out", async () => {
    const s = serve({ "GET /api/server/ping": () => new Promise<Response>(() => {}) });
    const clock = new VirtualClock();
    const stop = new AbortController();
    const p = client(s.url, clock, 60_000).ping(stop.signal);
    await s.arrived(1);
    expect(clock.pending).toBe(0);
    await clock.advance(3_600_000, 20);
    stop.abort(new Error("done"));
    await expect(p).rejects.toThrow("done");
  });

  test("the caller's abort rejects with the caller's reason, not an ImmichError", async () => {
    const s = serve({ "GET /api/server/ping": () => new Promise<Response>(() => {}) });
    const stop = new AbortController();
    const p = client(s.url).ping(stop.signal);
    await s.arrived(1);
    const reason = new Error("shutting down");
    stop.abort(reason);
    await expect(p).rejects.toBe(reason);
  });

  test("an already aborted signal sends nothing", async () => {
    const s = serve({});
    const stop = new AbortController();
    stop.abort(new Error("no"));
    await expect(client(s.url).ping(stop.signal)).rejects.toThrow("no");
    expect(s.seen).toHaveLength(0);
  });
});

describe("redirects are never followed", () => {
  test("302 to another origin: redirected, naming the Location and suggesting it", async () => {
    const s = serve({
      "GET /api/server/version": () => new Response(null, { status: 302, headers: { location: "https://photos.example.org/api/server/version" } }),
    });
    const e = await failure(client(s.url).connect(), "redirected");
    expect(e.status).toBe(302);
    expect(e.message).toContain("redirected (302) to https://photos.example.org/api/server/version");
    expect(e.message).toContain("(perhaps https://photos.example.org)");
    expect(e.transient).toBe(false);
    expect(s.seen).toHaveLength(1);
  });

  test("a PUT answered 301 is not repeated as a GET", async () => {
    const s = serve({
      "GET /api/queues": () => json(v3Queues),
      "PUT /api/queues/thumbnailGeneration": () => new Response(null, { status: 301, headers: { location: "/login" } }),
    });
    const e = await failure(client(s.url).connect(), "redirected");
    expect(e.message).toContain("PUT /api/queues/thumbnailGeneration");
    expect(e.message).toContain("to /login");
    expect(s.seen.map((r) => r.method)).toEqual(["GET", "GET", "PUT"]);
  });
});

describe("error answers", () => {
  const v1Error = (status: number, message: string | string[], error: string) =>
    json({ message, error, statusCode: status, correlationId: "c0ffee01" }, status);
  const v3Error = (status: number, body: Record<string, unknown>) => json(body, status, { "x-correlation-id": "deadbeef" });

  test.each<[string, Response, ErrorKind, RegExp, boolean]>([
    ["v3 invalid key", v3Error(401, { message: "Invalid API key" }), "unauthorized", /refused the API key \(401 Invalid API key on GET \/api\/queues\): check API_KEY; create a key under Account Settings → API Keys/, false],
    ["v1 invalid key", v1Error(401, "Invalid API key", "Unauthorized"), "unauthorized", /401 Invalid API key.*check API_KEY/, false],
    ["no key reached it", v3Error(401, { message: "Authentication required" }), "unauthorized", /no key reached the server.*x-api-key/, false],
    ["a stray token", v3Error(401, { message: "Invalid user token" }), "unauthorized", /cookie or Authorization header/, false],
    ["non-admin", v3Error(403, { message: "Forbidden" }), "forbidden", /403 Forbidden.*not an admin/, false],
    ["maintenance", v3Error(404, { message: "Cannot GET /api/queues" }), "maintenance", /answers, but not GET \/api\/queues \(404\): it is probably in maintenance mode/, true],
    ["v1 500", v1Error(500, "Internal server error", "Internal Server Error"), "server-error", /failed GET \/api\/queues \(500 Internal server error, correlation id c0ffee01\)/, true],
    ["v3 500", v3Error(500, { message: "Internal server error" }), "server-error", /correlation id deadbeef/, true],
    ["a proxy's 502 page", new Response("<html>Bad Gateway</html>", { status: 502, headers: { "content-type": "text/html" } }), "server-error", /\(502\) \(the answer was not Immich's JSON: a proxy in front of it\?\)/, true],
    ["503", v3Error(503, { message: "Service Unavailable" }), "server-error", /503 Service Unavailable/, true],
    ["a proxy's 406 page", html(406), "not-json", /answered 406 with an HTML page/, true],
    ["v3 validation", v3Error(400, { message: "Validation failed", errors: [{ path: ["name"], message: "Invalid option" }] }), "bad-request", /400 Validation failed: name: Invalid option, correlation id deadbeef/, false],
    ["v1 validation", v1Error(400, ["name must be one of the following values: a, b"], "Bad Request"), "bad-request", /400 name must be one of the following values: a, b/, false],
  ])("%s", async (_, response, kind, pattern, transient) => {
    // One Response object per test case; a clone per request.
    const s = serve({ "GET /api/queues": () => response.clone() as Response });
    const e = await failure(client(s.url).connect(), kind);
    expect(e.message).toMatch(pattern);
    expect(e.transient).toBe(transient);
    expect(e.status).toBe(response.status);
  });

  test("missing permission: the scope, and what to grant on this version", async () => {
    const s = serve({
      "GET /api/queues": () => json({ message: "Missing required permission: queue.read" }, 403),
      "GET /api/jobs": () => json({ message: "Missing required permission: job.read" }, 403),
    });
    const e = await failure(client(s.url).connect(), "missing-scope");
    expect(e.scope).toBe("queue.read");
    expect(e.message).toBe(
      "the API key lacks the permissions queue.read and job.read: on Immich 3.1.0 grant it queue.read and queue.update (or job.read and job.create) (Account Settings → API Keys → edit the key)",
    );
    expect(e.transient).toBe(false);
  });

  test("404 on the version: not an Immich API", async () => {
    const s = serve({ "GET /api/server/version": () => html(404) });
    const e = await failure(client(s.url).connect(), "not-json");
    expect(e.message).toContain("does not exist (404): this is not an Immich server's API");
  });

  test("a pause the server reports as not done: server-error, decided again next cycle", async () => {
    const s = serve({
      "GET /api/queues": () => json(v3Queues),
      "PUT /api/queues/thumbnailGeneration": () => json(v3Queues[0]),
    });
    const c = client(s.url);
    await c.connect();
    const e = await failure(c.setPaused("thumbnailGeneration", true), "server-error");
    expect(e.message).toContain("accepted pausing thumbnailGeneration but reports it running");
  });

  test("a long server message is cut, and stays on one line", async () => {
    const s = serve({ "GET /api/queues": () => json({ message: `line one\n${"x".repeat(1000)}` }, 500) });
    const e = await failure(client(s.url).connect(), "server-error");
    expect(e.message.length).toBeLessThan(600);
  });
});

describe("versions", () => {
  test.each<[{ major: number; minor: number; patch: number }, "jobs" | "queues", RegExp | undefined]>([
    [{ major: 1, minor: 120, patch: 0 }, "jobs", /older than 1\.137\.0/],
    [{ major: 2, minor: 3, patch: 9 }, "jobs", undefined],
    [{ major: 2, minor: 4, patch: 0 }, "queues", undefined],
    [{ major: 4, minor: 0, patch: 0 }, "queues", /newer than the versions this daemon is tested with/],
  ])("%o speaks /%s", async (version, api, warning) => {
    const s = serve({
      "GET /api/server/version": () => json(version),
      "GET /api/jobs": () => json(v3Jobs),
      "GET /api/queues": () => json(v3Queues),
      "PUT /api/queues/thumbnailGeneration": () => json(v3Queues[0]),
    });
    const info = await client(s.url).connect();
    expect(info.api).toBe(api);
    expect(info.version).toEqual(version);
    expect(info.queues).toEqual(["thumbnailGeneration"]);
    if (warning) expect(info.warnings).toEqual([expect.stringMatching(warning)]);
    else expect(info.warnings).toEqual([]);
  });

  test("the queue.update probe avoids protected queues", async () => {
    const list = [{ ...v3Queues[0], name: "backgroundTask" }, v3Queues[0]];
    const s = serve({
      "GET /api/queues": () => json(list),
      "PUT /api/queues/thumbnailGeneration": () => json(v3Queues[0]),
    });
    await client(s.url).connect();
    expect(s.seen.at(-1)?.path).toBe("/api/queues/thumbnailGeneration");
  });
});
