// The gates benchmark (bench/gates.ts) at a small scale: the same code as
// `bun run bench`, checked for what its figures must show.
import { expect, test } from "bun:test";
import { renderGates, runGatesBench } from "../../bench/gates.ts";

test("windows keep ML work to the night; the gate turns dropped ML jobs into waiting ones", async () => {
  const r = await runGatesBench({ seeds: [7], n: 2, pollMs: 30_000, photosPerBurst: 2, videosPerBurst: 0, outageBacklog: 5_000, nightBacklog: 20_000 });
  const [night] = r.nightly;
  expect(night!.keeping.startedOutsideMs).toBe(0);
  expect(night!.keeping.overruns).toBeGreaterThan(0); // the backlog outlasts the night: the close meets running jobs
  expect(night!.keeping.maxOverrunMs).toBeLessThanOrEqual(4_200); // one job (3 s ± 40 %) at most: the daemon looks at the close
  expect(night!.makespanMs.windowed!).toBeGreaterThan(night!.makespanMs.free!);
  const waiting = r.outage.find((x) => x.case === "while waiting")!;
  expect(waiting.failed.gate).toBe(0);
  expect(waiting.failed.none).toBeGreaterThan(0);
  expect(waiting.unfinished.gate).toBe(0);
  const mid = r.outage.find((x) => x.case === "mid-run")!;
  expect(mid.failed.gate).toBeLessThan(mid.failed.none / 10);
  expect([...r.nightly, ...r.outage].flatMap((x) => x.problems)).toEqual([]);
  expect(renderGates(r)).toContain("| 07:00, before the day's uploads reach the ML queues | 0 |");
}, 120_000);
