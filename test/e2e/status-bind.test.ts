// One STATUS_ADDR, one daemon (issue 16 item 8): a second daemon given the
// same address used to listen too (the status server bound with
// SO_REUSEPORT, Bun.serve's default outside development mode) and the
// kernel spread the connections over both, so answers alternated between
// two daemons. Now the second one fails to bind like any port in use: exit
// 2, one line naming the address, nothing sent to Immich; the first keeps
// answering alone.
import { expect, setDefaultTimeout, test } from "bun:test";
import { cleanEnv, lines, runBinary, spawnBinary } from "./helpers.ts";
import { closedPort, e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(15_000);
const startSim = e2eSimsPerTest();

test("two daemons given the same STATUS_ADDR: the second exits 2 naming the address; every answer comes from the first", async () => {
  const [simA, simB] = await Promise.all([startSim(), startSim()]);
  const port = closedPort();
  const addr = `127.0.0.1:${port}`;
  const first = spawnBinary(["run"], cleanEnv({ IMMICH_URL: simA.url, API_KEY: KEYS.daemon, STATUS_ADDR: addr, POLL_INTERVAL: "0.2" }));
  await first.waitForOutput(`status page and metrics at http://${addr}/`);

  const second = await runBinary(["run"], cleanEnv({ IMMICH_URL: simB.url, API_KEY: KEYS.daemon, STATUS_ADDR: addr, POLL_INTERVAL: "0.2" }));
  expect(second.code).toBe(2);
  expect(lines(second.stderr)).toEqual([expect.stringContaining(`STATUS_ADDR: ${addr} is already in use`)]);
  expect(simB.requests).toEqual([]);

  // Every answer is the first daemon's: its Immich URL is simA's.
  const urls = new Set<string>();
  for (let i = 0; i < 20; i++) urls.add(((await (await fetch(`http://${addr}/api/status`)).json()) as { config: { immichUrl: string } }).config.immichUrl);
  expect([...urls]).toEqual([simA.url]);
  first.signal("SIGTERM");
  expect((await first.exited).code).toBe(0);
});
