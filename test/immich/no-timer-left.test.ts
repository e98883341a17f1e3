// A finished request leaves nothing behind that wakes the process later
// (http.ts clears its timeout timer when the exchange ends; issue 6: an idle
// daemon's every poll passes there). Seen from outside: a process that makes
// its requests and has nothing else to do exits at once, not when the 60 s
// REQUEST_TIMEOUT of its last request would have passed.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../src/simulator/server.ts";

const KEY = "no-timer-key-0001";
let sim: Simulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("after connect, observe and a pause, the process exits at once: no timeout timer is left running", async () => {
  sim = await startSimulator({ profile: "v3.1", keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }] });
  dir = mkdtempSync(join(tmpdir(), "ijd-no-timer-"));
  const script = join(dir, "requests.ts");
  const src = (p: string) => JSON.stringify(join(import.meta.dir, "..", "..", "src", p));
  writeFileSync(
    script,
    `import { createImmichClient } from ${src("immich/index.ts")};
import { systemClock } from ${src("shared/clock.ts")};
const c = createImmichClient({ baseUrl: ${JSON.stringify(sim.url)}, apiKey: ${JSON.stringify(KEY)}, fetch, clock: systemClock, timeoutMs: 60_000 });
await c.connect();
await c.observe();
await c.setPaused("thumbnailGeneration", true);
console.log("done");
`,
  );
  const started = performance.now();
  const proc = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "pipe" });
  // Bounded well under the 60 s a left-over timer would hold the process.
  const killer = setTimeout(() => proc.kill(), 15_000);
  const code = await proc.exited;
  clearTimeout(killer);
  expect(await new Response(proc.stdout).text()).toBe("done\n");
  expect(code).toBe(0);
  expect(performance.now() - started).toBeLessThan(15_000);
});
