// Hostile answers (issue 7 item 7), over real HTTP: a queue listed twice,
// a huge body, deep nesting, absurd sizes. Each is an invalid-answer (rule
// 10: no action), never a crash, a stack overflow or a body read whole.
import { afterEach, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { MAX_BODY_BYTES, MAX_DEPTH, parseGuarded, readLimited, repeatedKey, BodyTooLarge } from "../../src/immich/json-guard.ts";
import { createImmichClient } from "../../src/immich/index.ts";
import { VirtualClock } from "../../src/shared/clock.ts";
import { failure } from "./expect-failure.ts";
import { counts, type FakeServer, fakeServer, json } from "./servers.ts";

const KEY = "secret-key-0123456789";
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const queue = (name: string, isPaused: boolean, c = counts()) => ({ name, isPaused, statistics: c });
const jobsEntry = (isPaused: boolean, c = counts()) => ({ jobCounts: c, queueStatus: { isActive: false, isPaused } });

/** A v3 server that connects normally, then answers GET /api/queues (or /api/jobs on v2.3) with `hostile`. */
async function connectedTo(hostile: () => Response, legacy = false) {
  let looks = 0;
  const fine = () => (legacy ? json({ thumbnailGeneration: jobsEntry(false) }) : json([queue("thumbnailGeneration", false)]));
  const s: FakeServer = fakeServer({
    "GET /api/server/version": () => json(legacy ? { major: 2, minor: 3, patch: 1 } : { major: 3, minor: 1, patch: 0, prerelease: null }),
    "GET /api/server/ping": () => json({ res: "pong" }),
    [legacy ? "GET /api/jobs" : "GET /api/queues"]: () => (looks++ === 0 ? fine() : hostile()),
    "PUT /api/queues/thumbnailGeneration": () => json(queue("thumbnailGeneration", false)),
    "PUT /api/jobs/thumbnailGeneration": () => json(jobsEntry(false)),
  });
  stops.push(s.stop);
  const c = createImmichClient({ baseUrl: s.url, apiKey: KEY, fetch, clock: new VirtualClock(), timeoutMs: 10_000 });
  await c.connect();
  return c;
}

describe("a queue listed twice is an answer the daemon cannot trust", () => {
  test("/api/queues: the same name twice (running, then paused)", async () => {
    const c = await connectedTo(() => json([queue("smartSearch", false, counts({ active: 2 })), queue("smartSearch", true)]));
    const e = await failure(c.observe(), "invalid-answer");
    expect(e.message).toContain('"smartSearch" twice');
  });

  test("/api/jobs: the same key twice in the object (JSON.parse would keep the last)", async () => {
    const entry = (p: boolean) => JSON.stringify(jobsEntry(p, counts({ active: p ? 0 : 2 })));
    const body = `{"smartSearch":${entry(false)},"smartSearch":${entry(true)}}`;
    const c = await connectedTo(() => new Response(body, { headers: { "content-type": "application/json" } }), true);
    const e = await failure(c.observe(), "invalid-answer");
    expect(e.message).toContain("appears twice");
  });
});

describe("absurd answers", () => {
  test("deeply nested JSON is refused before any schema walks it: no stack overflow", async () => {
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const c = await connectedTo(() => new Response(deep, { headers: { "content-type": "application/json" } }));
    const e = await failure(c.observe(), "invalid-answer");
    expect(e.message).toContain(`deeper than ${MAX_DEPTH}`);
  });

  test("a 50 MB body is cut off at the limit, not read whole", async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode(`${JSON.stringify(queue("x", false))},`.repeat(1_000));
    const huge = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            if (sent === 0) controller.enqueue(new TextEncoder().encode("["));
            if (sent > 50 * 1024 * 1024) return controller.close();
            sent += chunk.byteLength;
            controller.enqueue(chunk);
          },
        }),
        { headers: { "content-type": "application/json" } },
      );
    const c = await connectedTo(huge);
    const e = await failure(c.observe(), "invalid-answer");
    expect(e.message).toContain("more than 1024 KB");
    // The server stops being read soon after the limit (socket buffers aside).
    expect(sent).toBeLessThan(10 * MAX_BODY_BYTES);
  });

  test("a server sending more than its Content-Length says is read only as far as it says", async () => {
    // A raw socket: an HTTP server would refuse to send more than it declared.
    let written = 0;
    const body = JSON.stringify([queue("ocr", false)]);
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(socket) {
          socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
          // Then far more than any answer, in the same connection.
          const junk = "x".repeat(64 * 1024);
          for (let i = 0; i < 64; i++) written += socket.write(junk);
        },
      },
    });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/`);
      expect(await readLimited(res)).toBe(body);
      expect(written).toBeGreaterThan(0);
    } finally {
      server.stop(true);
    }
  });

  test("a body announcing more than the limit is not read at all", async () => {
    const res = new Response("x".repeat(10), { headers: { "content-length": String(MAX_BODY_BYTES + 1) } });
    await expect(readLimited(res)).rejects.toBeInstanceOf(BodyTooLarge);
  });

  test("more queues than any Immich has, or absurd counts", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => queue(`q${i}`, false));
    await failure((await connectedTo(() => json(many))).observe(), "invalid-answer");
    await failure((await connectedTo(() => json([queue("ocr", false, counts({ waiting: 1e300 }))]))).observe(), "invalid-answer");
  });
});

describe("parseGuarded", () => {
  const hazard = (text: string) => {
    const g = parseGuarded(text);
    return g && "hazard" in g ? g.hazard : undefined;
  };
  test.each([
    ['{"a":1,"b":{"a":2}}', undefined],
    ['[{"a":1},{"a":2}]', undefined],
    ['{"a":"{\\"a\\":1,","b":"[[[["}', undefined],
    ['{"k:":1,"k":2, "x" : {"y":":"}}', undefined],
    ['{"a":1,"a":2}', "the key \"a\" appears twice"],
    ['{"x":{"k":1,"k":1}}', "the key \"k\" appears twice"],
    ['{"\\u0061":1,"a":2}', "twice"],
    ['[{"a":1},{"b":{"c":[1,{"d":1, "d" :2}]}}]', "the key \"d\" appears twice"],
    ['{"__proto__":1,"__proto__":2}', "twice"],
  ])("%p", (text, problem) => {
    const got = hazard(text);
    if (problem === undefined) {
      expect(got).toBeUndefined();
      expect(parseGuarded(text)).toEqual({ json: JSON.parse(text) });
    } else expect(got).toContain(problem);
  });

  test("text that is not JSON is neither trusted nor a hazard: the caller says what it is", () => {
    for (const text of ["not json {{{", "", '{"a":1', "[".repeat(40)]) expect(parseGuarded(text)).toBeUndefined();
  });

  test("depth: at the limit passes, one more fails, whatever the containers and their contents", () => {
    expect(hazard("[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH))).toBeUndefined();
    expect(hazard("[".repeat(MAX_DEPTH + 1) + "]".repeat(MAX_DEPTH + 1))).toContain("deeper");
    const nested = (n: number) => '{"a":'.repeat(n - 1) + '["x]}",1]' + "}".repeat(n - 1);
    expect(hazard(nested(MAX_DEPTH))).toBeUndefined();
    expect(hazard(nested(MAX_DEPTH + 1))).toContain("deeper");
    // Wide and shallow is not deep.
    expect(hazard(`[${Array.from({ length: 1000 }, () => "[[1]]").join(",")}]`)).toBeUndefined();
  });

  test("100,000 nested brackets are refused quickly, without a stack overflow", () => {
    const t0 = performance.now();
    expect(hazard("[".repeat(100_000) + "]".repeat(100_000))).toContain("deeper");
    expect(hazard('{"a":'.repeat(100_000) + "1" + "}".repeat(100_000))).toContain("deeper");
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  test("agrees with a plain scan of the text on random JSON with repeated keys", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, repeat) => {
        let text = JSON.stringify(value, null, repeat ? 0 : 1);
        // Repeat the first key of the first object, if there is one.
        if (repeat) text = text.replace(/\{("(?:[^"\\]|\\.)*"):/, (m, k) => `{${k}:0,${k}:`);
        const scanned = repeatedKey(text);
        const got = hazard(text);
        if (scanned === undefined) expect(got === undefined || got.includes("deeper")).toBe(true);
        else expect(got).toBe(scanned);
      }),
      { numRuns: 300 },
    );
  });
});

test("a redirect's Location is shown without credentials, query or fragment (a login page's token)", async () => {
  const s = fakeServer({
    "GET /api/server/version": () => new Response(null, { status: 302, headers: { location: "https://sso:pw@login.example/cb?token=hunter2#x" } }),
  });
  stops.push(s.stop);
  const c = createImmichClient({ baseUrl: s.url, apiKey: KEY, fetch, clock: new VirtualClock(), timeoutMs: 5_000 });
  const e = await failure(c.connect(), "redirected");
  expect(e.message).toContain("to https://***@login.example/cb?***#***");
  expect(e.message).not.toContain("hunter2");
  expect(e.message).not.toContain("pw@");
});
