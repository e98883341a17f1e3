// The compiled binary against what comes from outside (issue 16 items 4-6):
// a server reporting queues named `constructor`, `__proto__`, `toString`...
// while STATUS_ADDR and NOTIFY_URL are set (the daemon exited 1, "The object
// can not be cloned"); `healthcheck` asking a port where something else
// answers 200 with an endless body; API_KEY_FILE pointing at /dev/zero.
// Each ends with its documented exit code and one line, never a crash.
import { expect, setDefaultTimeout, test } from "bun:test";
import { cleanEnv, expectNoStackTrace, lines, runBinary, spawnBinary } from "./helpers.ts";
import { closedPort, e2eSimsPerTest, KEYS } from "./helpers-sim.ts";
import { PROTOTYPE_NAMES } from "../helpers/queue-arbitrary.ts";

setDefaultTimeout(20_000);
const startSim = e2eSimsPerTest();

test("queues named constructor, __proto__, toString... with STATUS_ADDR and NOTIFY_URL: the daemon runs, shows them, and stops cleanly with exit 0", async () => {
  const sim = await startSim({ speed: 10, extraQueues: PROTOTYPE_NAMES });
  for (const q of PROTOTYPE_NAMES) sim.sim.engine.enqueue(q, 50, { durationMs: 5_000 });
  const received: string[] = [];
  const receiver = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (req) => (received.push(await req.text()), new Response("ok")) });
  const port = closedPort();
  try {
    const d = spawnBinary(
      ["run"],
      cleanEnv({
        IMMICH_URL: sim.url,
        API_KEY: KEYS.daemon,
        POLL_INTERVAL: "0.2",
        STATUS_ADDR: String(port),
        NOTIFY_URL: `json+http://127.0.0.1:${receiver.port}/hook`,
        MANAGED_QUEUES: "sidecar,constructor,toString,valueOf",
        WINDOWS: "valueOf=Mon 03:00-03:01",
      }),
    );
    await d.waitForOutput("connected to Immich");
    const base = `http://127.0.0.1:${port}`;
    let status: { lastSuccessAt?: number; queues: { name: string }[] } = { queues: [] };
    for (let i = 0; i < 200 && status.lastSuccessAt === undefined; i++) {
      status = (await (await fetch(`${base}/api/status`)).json()) as typeof status;
      if (status.lastSuccessAt === undefined) await Bun.sleep(20);
    }
    expect(status.queues.map((q) => q.name)).toEqual(["sidecar", "constructor", "toString", "valueOf"]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('queue="constructor"');
    // Several more looks, the queues changing under it.
    let cycles = 0;
    for (let i = 0; i < 500 && cycles < 8; i++) {
      cycles = ((await (await fetch(`${base}/api/status`)).json()) as { counters: { cycles: number } }).counters.cycles;
      if (cycles < 8) await Bun.sleep(20);
    }
    expect(cycles).toBeGreaterThanOrEqual(8);
    d.signal("SIGTERM");
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    expectNoStackTrace(exit);
    expect(exit.stderr).not.toContain("internal error");
    expect(exit.stdout + exit.stderr).toContain("does not know, __proto__");
  } finally {
    receiver.stop(true);
  }
});

test("healthcheck against a port where another server answers 200 forever: exit 1, one short line", async () => {
  const endless = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(new ReadableStream({ pull: (c) => c.enqueue(new TextEncoder().encode("ok: ".repeat(16_384))) })),
  });
  try {
    const r = await runBinary(["healthcheck"], cleanEnv({ STATUS_ADDR: `127.0.0.1:${endless.port}` }));
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`unhealthy: http://127.0.0.1:${endless.port}/healthz answered more than 16 KB, which the daemon's /healthz never does; not read further`]);
    expectNoStackTrace(r);
  } finally {
    endless.stop(true);
  }
});

test("API_KEY_FILE=/dev/zero: exit 2 with one line naming it, nothing read beyond 64 KB", async () => {
  const sim = await startSim();
  const r = await runBinary(["once"], cleanEnv({ IMMICH_URL: sim.url, API_KEY_FILE: "/dev/zero" }));
  expect(r.code).toBe(2);
  expect(lines(r.stderr)).toEqual([
    "The configuration has a problem:",
    '  - API_KEY_FILE="/dev/zero": cannot read the file (larger than 64 KB: is this the right file?). Accepts the path of a readable file holding only the key (surrounding whitespace is ignored).',
  ]);
  expect(sim.requests).toEqual([]);
});
