// Issue 8's gates in the compiled binary, as a real process against the
// simulator and its machine-learning service: the ML gate holds the ML
// queues back while the service is off and lets them run once it answers;
// status says which.
import { expect, setDefaultTimeout, test } from "bun:test";
import { startMlService } from "../../src/simulator/ml-service.ts";
import { cleanEnv, runBinary } from "./helpers.ts";
import { e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(15_000);
const startSim = e2eSimsPerTest();

test("ML_URL: with the service off, once holds smartSearch back and says so; status says it; back on, smartSearch runs", async () => {
  const sim = await startSim({ speed: 1 });
  const ml = startMlService({ hostname: "127.0.0.1", engine: sim.sim.engine });
  try {
    // As a daemon before would have left it: paused with work (unpaused, the simulator would
    // run and, once the service is off, fail all 50 in seconds, as Immich does).
    for (const q of sim.managed()) sim.sim.engine.setPaused(q, true, "daemon");
    sim.sim.engine.enqueue("smartSearch", 50);
    const env = cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, ML_URL: ml.url });
    ml.setUp(false);
    const off = await runBinary(["once"], env);
    expect(off.code).toBe(0);
    expect(off.stderr).toContain(`the machine-learning service does not answer at ${ml.url}: holding back smartSearch`);
    expect(sim.sim.engine.get("smartSearch")!.isPaused).toBe(true);
    const status = await runBinary(["status"], env);
    expect(status.stdout.split("\n")[0]).toContain(`machine-learning service does not answer (ml queues held back) at ${ml.url}`);
    expect(status.stdout).not.toContain("would resume smartSearch");

    ml.setUp(true);
    const on = await runBinary(["once"], env);
    expect(on.code).toBe(0);
    expect(on.stdout).toContain(`the machine-learning service answers at ${ml.url}`);
    expect(on.stdout).toContain("resumed smartSearch");
    expect(sim.sim.engine.recording().failedJobs.smartSearch).toBe(0);
  } finally {
    ml.stop();
  }
});
