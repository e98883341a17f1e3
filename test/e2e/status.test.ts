// The status server of the compiled binary, as a real process against the
// simulator: its endpoints, `healthcheck` through /healthz, and the one-line
// refusals of a bad or busy STATUS_ADDR.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import parse from "parse-prometheus-text-format";
import { cleanEnv, expectNoStackTrace, lines, runBinary, spawnBinary } from "./helpers.ts";
import { closedPort, e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(15_000);
const startSim = e2eSimsPerTest();
const env = (url: string, extra: Record<string, string> = {}) =>
  cleanEnv({ IMMICH_URL: url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2", ...extra });

describe("STATUS_ADDR", () => {
  test("serves the endpoints on loopback; healthcheck asks /healthz: 0 while running, 1 once stopped", async () => {
    const sim = await startSim({ speed: 10 });
    sim.sim.engine.upload({ photos: 20 });
    const port = closedPort();
    const d = spawnBinary(["run"], env(sim.url, { STATUS_ADDR: String(port) }));
    await d.waitForOutput(`status page and metrics at http://127.0.0.1:${port}/`);
    await d.waitForOutput("connected to Immich");
    const base = `http://127.0.0.1:${port}`;
    let ready = 0;
    for (let i = 0; i < 200 && ready !== 200; i++) ready = (await fetch(`${base}/readyz`)).status || (await Bun.sleep(10), 0);
    expect(ready).toBe(200);

    const fs = parse(await (await fetch(`${base}/metrics`)).text());
    expect(fs.find((f) => f.name === "immich_job_daemon_slots_max")!.metrics[0]!.value).toBe("1");
    const status = await (await fetch(`${base}/api/status`)).text();
    expect(status).not.toContain(KEYS.daemon);
    expect(JSON.parse(status).queues.length).toBeGreaterThan(0);
    expect(await (await fetch(`${base}/`)).text()).toStartWith("<!doctype html>");

    // No key needed: only STATUS_ADDR has to match the daemon's.
    const during = await runBinary(["healthcheck"], cleanEnv({ STATUS_ADDR: String(port) }));
    expect(during.code).toBe(0);
    expect(lines(during.stdout)).toEqual([expect.stringMatching(/^healthy: loop reported \d+ s ago, state ok$/)]);

    d.signal("SIGTERM");
    expect((await d.exited).code).toBe(0);
    const after = await runBinary(["healthcheck"], cleanEnv({ STATUS_ADDR: `0.0.0.0:${port}` }));
    expect(after.code).toBe(1);
    expect(lines(after.stderr)).toEqual([`unhealthy: cannot reach http://127.0.0.1:${port}/healthz (connection refused); is \`immich-job-daemon run\` running with the same STATUS_ADDR?`]);
  });

  test("a bad STATUS_ADDR stops `run` before anything is sent, said like any bad setting; `healthcheck` says unhealthy", async () => {
    const sim = await startSim();
    const bad = await runBinary(["run"], env(sim.url, { STATUS_ADDR: ":8080" }));
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual([
      "The configuration has a problem:",
      expect.stringMatching(/^  - STATUS_ADDR=":8080": names no host; write 127\.0\.0\.1:8080 \(this machine only\) or 0\.0\.0\.0:8080 \(every interface\)\. Accepts /),
    ]);
    expect(sim.requests).toEqual([]);
    const check = await runBinary(["healthcheck"], cleanEnv({ STATUS_ADDR: ":8080" }));
    expect(check.code).toBe(1);
    expect(lines(check.stderr)).toEqual(['unhealthy: STATUS_ADDR=":8080" names no host; write 127.0.0.1:8080 (this machine only) or 0.0.0.0:8080 (every interface)']);
  });

  test("a port already in use is one line and exit 2, before anything is sent", async () => {
    const sim = await startSim();
    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("other") });
    try {
      const exit = await runBinary(["run"], env(sim.url, { STATUS_ADDR: `127.0.0.1:${taken.port}` }));
      expect(exit.code).toBe(2);
      expect(lines(exit.stderr)).toEqual([expect.stringMatching(new RegExp(`ERROR STATUS_ADDR: 127\\.0\\.0\\.1:${taken.port} is already in use `))]);
      expectNoStackTrace(exit);
      expect(sim.requests).toEqual([]);
    } finally {
      taken.stop(true);
    }
  });
});
