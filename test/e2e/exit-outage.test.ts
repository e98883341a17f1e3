// Issue 16 item 3, end to end: the compiled binary gets SIGTERM while Immich
// is down for ~3 s (a restart answering 503, as behind a proxy), and still
// exits 0 with nothing paused: its exit clean-up keeps trying, with backoff,
// inside EXIT_TIMEOUT (8 s), instead of giving up within milliseconds.

import { expect, setDefaultTimeout, test } from "bun:test";
import { cleanEnv, lines, spawnBinary, waitUntil } from "./helpers.ts";
import { e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(20_000);

const startE2E = e2eSimsPerTest();

test("SIGTERM during a 3 s outage: exit 0 after the outage, every queue resumed", async () => {
  const sim = await startE2E({ speed: 1 });
  sim.sim.engine.enqueue("smartSearch", 5_000);
  const expected = sim.pausable().filter((q) => q !== "smartSearch");
  const d = spawnBinary(["run"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.2" }));
  await waitUntil(() => sim.managedPaused().length === expected.length, "the daemon to pause every idle managed queue");

  // Immich restarts (it resumes metadataExtraction on its way up) and answers 503 for 3 s.
  sim.sim.restart({ downMs: 3_000, mode: "503" });
  const downUntil = performance.now() + 3_000;
  d.signal("SIGTERM");
  const exit = await d.exited;

  expect(exit.code).toBe(0);
  expect(sim.managedPaused()).toEqual([]);
  // It waited for Immich, and not much longer: back within one backoff step (2 s at most).
  expect(performance.now()).toBeGreaterThanOrEqual(downUntil - 50);
  expect(exit.ms).toBeLessThan(3_000 + 2_500);
  expect(exit.stdout).toContain(`exiting; resumed ${expected.length} queues the daemon had paused`);
  expect(lines(exit.stderr).filter((l) => / ERROR /.test(l))).toEqual([]);
  console.log(`SIGTERM during a 3 s outage: exited ${exit.code} in ${exit.ms.toFixed(0)} ms, ${expected.length} queues resumed`);
});
