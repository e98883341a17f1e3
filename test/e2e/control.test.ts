// The owner's controls from the shell, compiled binary against compiled
// binary (issue 18 item 3): `run` with STATUS_ADDR and CONTROL_TOKEN on the
// simulator, and `hold`, `release`, `set-n`, `missing`, `resume-all` as real
// processes talking to it; each prints what will happen and exits with the
// documented code: 0 done, 2 bad argument, 8 not running, 9 refused.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { cleanEnv, runBinary, spawnBinary, waitUntil } from "./helpers.ts";
import { e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(30_000);

const TOKEN = "e2e-control-token-0123456789";
const startSim = e2eSimsPerTest();

function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

describe("control commands", () => {
  test("hold, set-n, missing, release and resume-all through a running daemon; refused, bad argument and not running", async () => {
    const sim = await startSim({ speed: 10 });
    sim.sim.engine.enqueue("thumbnailGeneration", 5_000);
    sim.sim.engine.enqueue("smartSearch", 5_000);
    const port = freePort();
    const addr = `127.0.0.1:${port}`;
    const d = spawnBinary(["run"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.5", STATUS_ADDR: addr, CONTROL_TOKEN: TOKEN, TZ: "UTC" }));
    try {
      await d.waitForOutput("the owner's controls are on");
      await waitUntil(() => !sim.sim.engine.get("thumbnailGeneration")!.isPaused, "thumbnailGeneration running");
      const cli = (args: string[], extra: Record<string, string> = {}) => runBinary(args, cleanEnv({ STATUS_ADDR: addr, CONTROL_TOKEN: TOKEN, ...extra }));

      const hold = await cli(["hold", "2h"]);
      expect(hold.code).toBe(EXIT.ok);
      expect(hold.stdout).toMatch(/^hold: every managed queue will be paused gracefully \(running jobs finish first\) and nothing started until \w{3} \d\d:\d\d \(UTC\); release ends it sooner\.\n$/);
      await waitUntil(() => sim.sim.engine.get("thumbnailGeneration")!.isPaused, "thumbnailGeneration paused by the hold");
      await d.waitForOutput("127.0.0.1 through the command line asked to hold:");
      expect(sim.sim.engine.get("backgroundTask")!.isPaused).toBe(false);

      const one = await cli(["hold", "smartSearch", "until", "23:59"]);
      expect(one.code).toBe(EXIT.ok);
      expect(one.stdout).toContain("smartSearch will be paused gracefully");

      const n = await cli(["set-n", "3", "--for", "4h"]);
      expect(n.code).toBe(EXIT.ok);
      expect(n.stdout).toBe("set-n: at most 3 managed queues will run at once until " + /until (\w{3} \d\d:\d\d \(UTC\))/.exec(n.stdout)![1] + ", then 1 again (MAX_CONCURRENT_JOBS)\n");

      const missing = await cli(["missing", "thumbnailGeneration"]);
      expect(missing.code).toBe(EXIT.ok);
      expect(missing.stdout).toContain("Immich will be asked to queue thumbnailGeneration's missing jobs");

      // Bad arguments: read here, or refused by the daemon as such.
      expect((await cli(["hold", "soon", "ish", "x"])).code).toBe(EXIT.usage);
      expect((await cli(["set-n", "three"])).code).toBe(EXIT.usage);
      const unmanaged = await cli(["hold", "backgroundTask", "1h"]);
      expect(unmanaged.code).toBe(EXIT.usage);
      expect(unmanaged.stderr).toContain("is not a managed queue");
      // Refused: a wrong token. Not running: nothing at that address.
      const wrong = await cli(["release"], { CONTROL_TOKEN: "not-the-token-0123456789" });
      expect(wrong.code).toBe(EXIT.refused);
      expect(wrong.stderr).toBe("immich-job-daemon release: refused: wrong token\n");
      const nobody = await cli(["release"], { STATUS_ADDR: `127.0.0.1:${freePort()}` });
      expect(nobody.code).toBe(EXIT.notRunning);
      expect(nobody.stderr).toContain("the daemon is not running at http://127.0.0.1:");
      // No token at all: a usage error, nothing sent.
      expect((await runBinary(["release"], cleanEnv({ STATUS_ADDR: addr }))).code).toBe(EXIT.usage);

      const release = await cli(["release"]);
      expect(release.code).toBe(EXIT.ok);
      expect(release.stdout).toContain("back to the configured schedule");
      await waitUntil(() => !sim.sim.engine.get("thumbnailGeneration")!.isPaused, "thumbnailGeneration running again");

      // resume-all through the running daemon: it steps aside (no API key needed here).
      const all = await cli(["resume-all"]);
      expect(all.code).toBe(EXIT.ok);
      expect(all.stdout).toContain("resume-all: every queue the daemon paused or holds will be resumed now");
      await waitUntil(() => sim.managed().every((q) => !sim.sim.engine.get(q)?.isPaused), "every managed queue running");
      // The token never reached the daemon's log.
      d.signal("SIGTERM");
      const exit = await d.exited;
      expect(exit.code).toBe(0);
      expect(exit.stdout + exit.stderr).not.toContain(TOKEN);
    } finally {
      d.signal("SIGKILL");
    }
  });
});
