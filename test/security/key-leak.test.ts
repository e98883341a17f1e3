// The API key never reaches any output (issue 7 items 5 and 10): every
// command, under every kind of failure, with text and JSON logs, captured
// whole and searched for the key in every form it could take (as is,
// URL-encoded, cut to its first half). The hostile parts come from a proxy
// in front of the simulator that echoes the key back in error messages,
// correlation ids, HTML pages, redirects and broken JSON; and a server
// that names queues after the key, which the status server (/metrics,
// /api/status, /healthz) and the notifications must not repeat either
// (issue 16 item 6).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApp } from "../../src/cli/app.ts";
import { memoryLog } from "../../src/daemon/log.ts";
import { Notifier } from "../../src/notify/notifier.ts";
import { systemClock, VirtualClock } from "../../src/shared/clock.ts";
import { secretMasker } from "../../src/shared/mask.ts";
import { type Simulator, startSimulator } from "../../src/simulator/server.ts";

// Shaped like an Immich key (43 characters); the test looks for it and for its halves.
const KEY = "q7Vb2LkR9xWmT4nZp8HsYc3JdFgA6uEoN1iKvBtQ5wM";
const FILE_KEY = "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNnMmLlKkJ";

/** Queue names the server reports that carry the keys. */
const KEY_QUEUES = [KEY, `odd-${KEY}-queue`, FILE_KEY];

/** The key the request carried (a proxy echoing what it was sent), or the configured one for public endpoints. */
type Mode = { name: string; when: (req: Request) => boolean; answer: (k: string) => Response };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const queuesPath = (req: Request) => /^\/api\/(jobs|queues)/.test(new URL(req.url).pathname);
const anyApi = (req: Request) => new URL(req.url).pathname.startsWith("/api/");
const puts = (req: Request) => req.method === "PUT";

const ECHOES: [string, (k: string) => Response][] = [
  ["401 echoing the key", (k) => json(401, { message: `Invalid API key ${k}`, statusCode: 401, correlationId: k })],
  ["403 naming the key as a permission", (k) => json(403, { message: `Missing required permission: ${k}`, statusCode: 403 })],
  ["500 with the key as correlation id", (k) => json(500, { message: `upstream failed for ${k}`, correlationId: k }, { "x-correlation-id": k })],
  ["400 echoing the key", (k) => json(400, { message: [`key ${encodeURIComponent(k)} is not allowed`], statusCode: 400 })],
  ["an HTML page with the key", (k) => new Response(`<html><body>key=${k}</body></html>`, { status: 200, headers: { "content-type": "text/html" } })],
  ["a redirect to a URL with the key", (k) => new Response(null, { status: 302, headers: { location: `http://login.example/?apiKey=${k}` } })],
  ["broken JSON with the key", (k) => new Response(`{"message":"${k}`, { status: 200, headers: { "content-type": "application/json" } })],
  ["schema-invalid JSON with the key as a queue name", (k) => json(200, { [k]: { jobCounts: { active: "x" } } })],
];
const MODES: Mode[] = [
  { name: "no fault", when: () => false, answer: () => new Response() },
  ...ECHOES.flatMap(([name, answer]) => [
    { name: `every request: ${name}`, when: anyApi, answer },
    { name: `queue requests: ${name}`, when: queuesPath, answer },
    { name: `commands: ${name}`, when: puts, answer },
  ]),
];

let sim: Simulator;
let proxy: ReturnType<typeof Bun.serve>;
let mode: Mode = MODES[0]!;
let sentKey = KEY;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ijd-leak-"));
  writeFileSync(join(dir, "key"), `${FILE_KEY}\n`);
  // The key in CONFIG_FILE, as Home Assistant writes an add-on's options.
  writeFileSync(join(dir, "options.json"), JSON.stringify({ api_key: KEY }));
  sim = await startSimulator({
    profile: "v3.1",
    clock: new VirtualClock(),
    // A hostile server naming queues after the key: every command's output, the status server and the notifications must mask them.
    extraQueues: KEY_QUEUES,
    keys: [
      { key: KEY, label: "daemon", admin: true, scopes: ["all"] },
      { key: FILE_KEY, label: "file", admin: true, scopes: ["all"] },
    ],
  });
  // Work in a few queues, so that `run`, `once` and `resume-all` send commands.
  sim.engine.enqueue("smartSearch", 50);
  sim.engine.setPaused("faceDetection", true, "person");
  proxy = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req) => {
      sentKey = req.headers.get("x-api-key") ?? sentKey;
      if (mode.when(req)) return mode.answer(sentKey);
      const url = new URL(req.url);
      return fetch(`${sim.url}${url.pathname}${url.search}`, { method: req.method, headers: req.headers, body: req.method === "GET" ? undefined : await req.text(), redirect: "manual" });
    },
  });
});
afterAll(async () => {
  proxy.stop(true);
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function capture(argv: string[], env: Record<string, string>): Promise<string> {
  const out: string[] = [];
  const stream = { write: (s: string | Uint8Array) => out.push(typeof s === "string" ? s : new TextDecoder().decode(s)) } as unknown as NodeJS.WritableStream;
  const controller = new AbortController();
  // `run` until its first sleep (or 300 ms), then a graceful stop.
  const stopRun = setTimeout(() => controller.abort("SIGTERM"), argv[0] === "run" ? 300 : 5_000);
  try {
    await runApp({
      argv,
      env: { HEALTH_FILE: join(dir, "health.json"), STATE_FILE: join(dir, "state.json"), POLL_INTERVAL: "0.1", EXIT_TIMEOUT: "1", ...env },
      stdout: stream,
      stderr: stream,
      clock: new VirtualClock(),
      signal: controller.signal,
      readFile: (path) => readFileSync(path, "utf8"),
      random: () => 0.5,
      fetch,
      pid: process.pid,
    });
  } finally {
    clearTimeout(stopRun);
  }
  return out.join("");
}

let files = 0;
/** A CONFIG_FILE holding `options`. */
function optionsFile(options: Record<string, unknown>): string {
  const path = join(dir, `options-${files++}.json`);
  writeFileSync(path, JSON.stringify(options));
  return path;
}

/** Every form of a secret worth not printing: whole, URL-encoded, either half. */
function leaks(output: string, secret: string): string[] {
  const half = Math.floor(secret.length / 2);
  return [secret, encodeURIComponent(secret), secret.slice(0, half), secret.slice(half)].filter((f) => output.includes(f));
}

const COMMANDS = [["run"], ["once"], ["status"], ["status", "--json"], ["resume-all"], ["healthcheck"]];

describe("no output of any command under any failure shows the key", () => {
  let runs = 0;
  for (const format of ["text", "json"]) {
    test(`LOG_FORMAT=${format}, API_KEY, API_KEY_FILE and CONFIG_FILE, every hostile answer`, async () => {
      for (const m of MODES) {
        mode = m;
        for (const argv of COMMANDS) {
          for (const [key, keyEnv] of [[KEY, { API_KEY: KEY }], [FILE_KEY, { API_KEY_FILE: join(dir, "key") }], [KEY, { CONFIG_FILE: join(dir, "options.json") }]] as const) {
            sentKey = key;
            const output = await capture(argv, { IMMICH_URL: proxy.url.origin, LOG_FORMAT: format, LOG_LEVEL: "debug", ...keyEnv });
            runs++;
            expect({ mode: m.name, argv, found: leaks(output, key) }).toEqual({ mode: m.name, argv, found: [] });
          }
        }
      }
      mode = MODES[0]!;
    }, 120_000);
  }

  test("configuration errors that would echo the key: in IMMICH_URL's query, as a bad API_KEY, beside API_KEY_FILE", async () => {
    const envs: Record<string, string>[] = [
      { API_KEY: KEY, IMMICH_URL: `http://nas:2283/?apiKey=${KEY}` },
      { API_KEY: KEY, IMMICH_URL: `http://${KEY}:${KEY}@nas:2283` },
      { API_KEY: KEY, IMMICH_URL: `nas:2283/#${KEY}` },
      { API_KEY: `${KEY} ${KEY}` },
      { API_KEY: KEY, API_KEY_FILE: join(dir, "key") },
      { API_KEY: KEY, MAX_CONCURRENT_JOBS: KEY, POLL_INTERVAL: KEY, MANAGED_QUEUES: KEY },
      // The same from CONFIG_FILE, whose errors name the key and the file.
      { CONFIG_FILE: optionsFile({ api_key: KEY, max_concurrent_jobs: KEY, poll_interval: KEY, managed_queues: [KEY] }) },
      { CONFIG_FILE: optionsFile({ api_key: `${KEY} ${KEY}`, immich_url: `http://nas:2283/?apiKey=${KEY}` }) },
      { CONFIG_FILE: optionsFile({ api_key: KEY, [KEY]: KEY }) },
    ];
    for (const env of envs) {
      for (const argv of [...COMMANDS, ["bogus"]]) {
        const output = await capture(argv, env);
        expect({ env: Object.keys(env), argv, found: [...leaks(output, KEY), ...leaks(output, FILE_KEY)] }).toEqual({ env: Object.keys(env), argv, found: [] });
        runs++;
      }
    }
    console.log(`key search: ${runs} command runs captured, key found in none`);
  }, 60_000);
});

describe("the status server and the notifications", () => {
  test("queues named after the key and a server echoing it in errors: /, /healthz, /readyz, /metrics, /api/status and the messages sent never show it", async () => {
    const received: string[] = [];
    const receiver = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async (req) => {
        received.push(JSON.stringify(Object.fromEntries(req.headers)) + (await req.text()));
        return new Response("ok");
      },
    });
    const out: string[] = [];
    const stream = { write: (s: string | Uint8Array) => out.push(typeof s === "string" ? s : new TextDecoder().decode(s)) } as unknown as NodeJS.WritableStream;
    const controller = new AbortController();
    mode = MODES[0]!;
    sentKey = KEY;
    sim.engine.enqueue(KEY, 20);
    const running = runApp({
      argv: ["run"],
      env: {
        IMMICH_URL: proxy.url.origin,
        API_KEY: KEY,
        STATUS_ADDR: "127.0.0.1:0",
        NOTIFY_URL: `json+http://127.0.0.1:${receiver.port}/hook http://127.0.0.1:${receiver.port}/topic`,
        NOTIFY_OUTAGE_AFTER: "1",
        POLL_INTERVAL: "0.2",
        HEALTH_FILE: join(dir, "health-status.json"),
        STATE_FILE: join(dir, "state-status.json"),
        EXIT_TIMEOUT: "1",
      },
      stdout: stream,
      stderr: stream,
      clock: systemClock,
      signal: controller.signal,
      readFile: (path) => readFileSync(path, "utf8"),
      random: () => 0.5,
      fetch,
      pid: process.pid,
    });
    const until = async (what: () => boolean | Promise<boolean>, label: string) => {
      for (let i = 0; i < 200; i++) {
        if (await what()) return;
        await Bun.sleep(50);
      }
      throw new Error(`waited in vain for ${label}`);
    };
    const served: string[] = [];
    try {
      await until(() => /status page and metrics at (http:\/\/\S+)\//.test(out.join("")), "the status server");
      const base = /status page and metrics at (http:\/\/\S+)\//.exec(out.join(""))![1]!;
      const all = async () => {
        for (const path of ["/", "/healthz", "/readyz", "/metrics", "/api/status"]) served.push(await (await fetch(base + path)).text());
        return served.at(-1)!;
      };
      await until(async () => (await all()).includes("lastSuccessAt"), "a first look");
      expect(served.at(-1)).toContain(`odd-${"***"}-queue`);
      // Immich now fails, echoing the key in its message: /healthz says why, and the outage goes out as a message.
      mode = { name: "500 echoing the key", when: queuesPath, answer: ECHOES[2]![1] };
      await until(async () => (await all()).includes("degraded"), "the outage on /api/status");
      await until(() => received.some((r) => r.includes("immich-down")), "the outage message");
    } finally {
      mode = MODES[0]!;
      controller.abort("SIGTERM");
      await running;
      receiver.stop(true);
    }
    expect(received.length).toBeGreaterThan(0);
    for (const [what, text] of [["served", served.join("\n")], ["sent", received.join("\n")], ["logged", out.join("")]] as const) {
      expect({ what, found: leaks(text, KEY) }).toEqual({ what, found: [] });
    }
  }, 30_000);
});

test("the notifier masks what it sends: an event whose words carry the key or the token goes out with *** instead", async () => {
  const received: string[] = [];
  const receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req) => {
      received.push(JSON.stringify(Object.fromEntries(req.headers)) + (await req.text()));
      return new Response("ok");
    },
  });
  const TOKEN = "tk_notifytoken0123456789";
  try {
    const n = new Notifier({
      targets: [
        { kind: "ntfy", url: `http://127.0.0.1:${receiver.port}/topic`, label: "ntfy" },
        { kind: "json", url: `http://127.0.0.1:${receiver.port}/hook`, label: "webhook" },
      ],
      fetch,
      clock: systemClock,
      log: memoryLog(),
      source: { version: "1", immichUrl: "http://immich" },
      mask: secretMasker([KEY, TOKEN]),
    });
    n.add([{ kind: "held", at: 0, severity: "warning", title: `${KEY} held`, text: `queue ${KEY} and ${TOKEN} were paused`, queues: [KEY] }]);
    await n.close(5_000);
  } finally {
    receiver.stop(true);
  }
  expect(received).toHaveLength(2);
  expect(received.join("\n")).toContain("*** held");
  expect([...leaks(received.join("\n"), KEY), ...leaks(received.join("\n"), TOKEN)]).toEqual([]);
});
