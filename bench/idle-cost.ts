// The compiled binary's cost when Immich is idle: `run` at POLL_INTERVAL=10
// against a simulator in this process (idle: no managed queue has work),
// beside four baselines compiled in the same run with the same build flags
// (bench/baselines/): a program that only wakes at that pace; a loop that
// only fetches and parses /api/queues at that pace; a daemon's skeleton, that
// loop plus the runtime facilities the daemon uses while idle (consola,
// node:fs's synchronous writes, a heartbeat touched, signals, a timeout, a
// regular expression) and none of its logic; and the same skeleton with
// Bun's own I/O instead of node:fs. All five run at once against the same
// simulator and are measured over the same window:
//   - CPU: the run time of every thread (/proc/PID/task/*/schedstat, in
//     nanoseconds; the 10 ms ticks of /proc/PID/stat are too coarse for
//     a few tens of milliseconds an hour), as CPU-seconds per hour;
//   - memory: resident (VmRSS), split into anonymous (RssAnon: the heap,
//     the process's own) and file-backed (RssFile: the pages of the binary
//     it has touched, shared with any other process running it and
//     reclaimable), and the peak (VmHWM).
// The only part of the benchmark that takes real time: a CPU figure needs
// wall-clock time to accumulate.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../src/simulator/server.ts";
import { buildArgs } from "../scripts/build-args.ts";

/** Real seconds the programs run before the window opens (started, connected, first looks done). */
export const IDLE_SETTLE_S = 15;

export interface IdleCostOptions {
  /** The compiled daemon. */
  binary: string;
  /** Real seconds the programs are watched for, after they settled. */
  windowS: number;
  pollS: number;
}

export interface ProgramCost {
  cpuSecondsPerHour: number;
  /** CPU milliseconds per look (per POLL_INTERVAL). */
  cpuMsPerLook: number;
  rssMB: number;
  anonMB: number;
  fileMB: number;
  peakRssMB: number;
  /** Its GETs of /api/queues in the window. */
  requests: number;
}

export interface IdleCost {
  pollS: number;
  windowS: number;
  /** One look per POLL_INTERVAL over the window. */
  expectedRequests: number;
  daemon: ProgramCost;
  /** A compiled loop that only fetches /api/queues at the same pace. */
  fetchLoop: ProgramCost;
  /** A compiled program that only wakes at the same pace. */
  timer: ProgramCost;
  /** The fetch loop plus the runtime facilities the daemon uses while idle, none of its logic (baselines/skeleton.ts). */
  skeleton: ProgramCost;
  /** The skeleton with Bun.write instead of node:fs, node:os and node:path (baselines/skeleton-bun-io.ts). */
  skeletonBunIo: ProgramCost;
}

/** Run time of every thread of `pid`, in seconds (threads that ended before are not counted: Bun's stay). */
export function cpuSeconds(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e9;
}

function memory(pid: number): Pick<ProgramCost, "rssMB" | "anonMB" | "fileMB" | "peakRssMB"> {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) / 1024;
  return { rssMB: mb("VmRSS"), anonMB: mb("RssAnon"), fileMB: mb("RssFile"), peakRssMB: mb("VmHWM") };
}

/** Compiles a baseline with the daemon's own flags (also idle-pages.ts). */
export async function compile(entry: string, outfile: string): Promise<void> {
  const proc = Bun.spawn([process.execPath, ...buildArgs(entry, outfile)], { stdout: "ignore", stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(`bench: cannot compile ${entry}: ${await new Response(proc.stderr).text()}`);
}

export async function measureIdleCost(o: IdleCostOptions): Promise<IdleCost> {
  const dir = mkdtempSync(join(tmpdir(), "ijd-idle-cost-"));
  const baseline = (name: string, file: string, key: string) => ({ name, binary: join(dir, file), entry: join(import.meta.dir, "baselines", `${file}.ts`), args: [], key });
  const programs = [
    { name: "daemon", binary: o.binary, entry: undefined, args: ["run"], key: "bench-idle-daemon-0001" },
    baseline("fetchLoop", "fetch-loop", "bench-idle-fetch-0001"),
    baseline("timer", "timer", "bench-idle-timer-0001"),
    baseline("skeleton", "skeleton", "bench-idle-skeleton-0001"),
    baseline("skeletonBunIo", "skeleton-bun-io", "bench-idle-skeleton-bun-0001"),
  ];
  for (const p of programs) if (p.entry) await compile(p.entry, p.binary);

  const sim = await startSimulator({
    profile: "v3.1",
    keys: programs.map((p) => ({ key: p.key, label: p.name, admin: true, scopes: ["all"] })),
    onError: () => {},
  });
  // In front of the simulator: counts each program's looks (by its key) while the window is open.
  const requests = new Map<string, number>();
  let counting = false;
  const front = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      if (counting && req.method === "GET" && /^\/api\/(queues|jobs)$/.test(new URL(req.url).pathname)) {
        const key = req.headers.get("x-api-key") ?? "";
        requests.set(key, (requests.get(key) ?? 0) + 1);
      }
      return sim.handler(req);
    },
  });
  const running = programs.map((p) =>
    Bun.spawn([p.binary, ...p.args], {
      stdout: "ignore",
      stderr: "ignore",
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        IMMICH_URL: `http://127.0.0.1:${front.port}`,
        API_KEY: p.key,
        POLL_INTERVAL: String(o.pollS),
        HEALTH_FILE: join(dir, "health.json"),
      },
    }),
  );
  try {
    await Bun.sleep(IDLE_SETTLE_S * 1000);
    counting = true;
    const cpu0 = running.map((r) => cpuSeconds(r.pid));
    const t0 = performance.now();
    await Bun.sleep(o.windowS * 1000);
    const cpu1 = running.map((r) => cpuSeconds(r.pid));
    const elapsedS = (performance.now() - t0) / 1000;
    counting = false;
    const cost = (i: number): ProgramCost => {
      const cpu = cpu1[i]! - cpu0[i]!;
      return {
        cpuSecondsPerHour: (cpu / elapsedS) * 3600,
        cpuMsPerLook: (cpu * 1000) / (elapsedS / o.pollS),
        ...memory(running[i]!.pid),
        requests: requests.get(programs[i]!.key) ?? 0,
      };
    };
    return {
      pollS: o.pollS,
      windowS: Math.round(elapsedS),
      expectedRequests: Math.round(elapsedS / o.pollS),
      daemon: cost(0),
      fetchLoop: cost(1),
      timer: cost(2),
      skeleton: cost(3),
      skeletonBunIo: cost(4),
    };
  } finally {
    for (const r of running) r.kill("SIGTERM");
    await Promise.all(running.map((r) => r.exited));
    front.stop(true);
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
