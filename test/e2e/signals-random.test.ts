// Every catchable terminating signal (src/shared/signals.ts: the six stop
// requests and, since issue 16, SIGALRM, SIGXCPU, SIGABRT and the others) at a
// random point of the compiled binary's life against a slow server (issue 7
// items 3 and 10): before it connects, mid-poll, mid-command, between cycles.
// Whatever the point: a graceful exit (0 for a stop request, 128 + n for the
// others), the signal named, and nothing the daemon paused left paused. One window cannot be closed: while the runtime itself starts
// (about 0.1 s, before any of the program runs) a signal ends the process
// the default way; the test accepts that only if the daemon had sent
// nothing and said nothing. Each request is held 150 ms at the front, so most points land
// mid-request. They run seven at a time, each against its own simulator.
import { expect, setDefaultTimeout, test } from "bun:test";
import { HANDLED_SIGNALS } from "../../src/shared/signals.ts";
import { createRng } from "../../src/simulator/rng.ts";
import { cleanEnv, spawnBinary } from "./helpers.ts";
import { e2eSimsPerTest, KEYS } from "./helpers-sim.ts";

setDefaultTimeout(60_000);
const startE2E = e2eSimsPerTest();
const SEED = Number(process.env.SIGNAL_SEED ?? Date.now() % 100_000);

test(`each terminating signal at a random point against a slow server (seed ${SEED}): a clean exit, nothing left paused`, async () => {
  const rng = createRng(SEED);
  // SIGTRAP and SIGABRT in the runtime's own start-up window meet Bun's crash
  // handler, which prints a crash report: their points start after it.
  const earliest = (name: string) => (name === "SIGTRAP" || name === "SIGABRT" ? 250 : 0);
  const atMsOf = new Map(HANDLED_SIGNALS.map((s) => [s.name, earliest(s.name) + Math.floor(rng.next() * (2_500 - earliest(s.name)))]));
  const runs = [];
  for (let i = 0; i < HANDLED_SIGNALS.length; i += 7) runs.push(...(await Promise.all(
    HANDLED_SIGNALS.slice(i, i + 7).map(async ({ name: sig, number, handling }) => {
      const sim = await startE2E({ speed: 10, seed: 3 });
      sim.sim.engine.enqueue("smartSearch", 5_000);
      sim.delay(() => true, 150);
      const atMs = atMsOf.get(sig)!;
      const d = spawnBinary(["run"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: KEYS.daemon, POLL_INTERVAL: "0.3", REQUEST_TIMEOUT: "5" }));
      await new Promise((r) => setTimeout(r, atMs));
      const requestsBefore = sim.requests.length;
      d.mark();
      d.proc.kill(number);
      const exit = await d.exited;
      return { sig, code: handling === "stop" ? 0 : 128 + number, atMs, requestsBefore, exit, sim };
    }),
  )));
  for (const { sig, code, atMs, requestsBefore, exit, sim } of runs) {
    const where = `${sig} at ${atMs} ms (after ${requestsBefore} requests)`;
    const lastActor = new Map<string, string>();
    for (const c of sim.sim.engine.recording().pauseChanges) lastActor.set(c.queue, c.actor);
    const leftByDaemon = sim.managedPaused().filter((q) => lastActor.get(q) === "daemon");
    if (exit.code !== 0 && sim.requests.length === 0 && exit.stdout + exit.stderr === "") continue; // before the program ran
    expect({ where, code: exit.code, leftByDaemon }).toEqual({ where, code, leftByDaemon: [] });
    expect(exit.stdout).toContain(`${sig} received: stopping`);
    expect(exit.stderr).not.toContain(" ERROR ");
  }
});
