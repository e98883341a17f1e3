// The compiled binary's cost when Immich is idle: `run` at POLL_INTERVAL=10
// against a simulator in another process (idle: no managed queue has work),
// measured from /proc after it has settled: CPU seconds per hour (user +
// system time over the window) and resident memory (VmRSS, and its peak
// VmHWM). The only part of the benchmark that takes real time: a CPU figure
// needs wall-clock time to accumulate.

import { readFileSync } from "node:fs";
import { startSimulator } from "../src/simulator/server.ts";

export interface IdleCostOptions {
  /** The compiled binary. */
  binary: string;
  /** Real seconds the idle daemon is watched for, after it settled. */
  windowS: number;
  /** Real seconds it runs before the window opens. */
  settleS: number;
  pollS: number;
  /** More environment for the daemon (e.g. BUN_OPTIONS). */
  env?: Record<string, string>;
}

export interface IdleCost {
  binary: string;
  pollS: number;
  windowS: number;
  cpuSecondsPerHour: number;
  rssMB: number;
  peakRssMB: number;
  /** GETs the daemon made in the window, and how many one per POLL_INTERVAL would be. */
  requests: number;
  expectedRequests: number;
}

const KEY = "bench-idle-key-0001";
const TICKS = 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function memoryMB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

export async function measureIdleCost(o: IdleCostOptions): Promise<IdleCost> {
  // The simulator in this process (idle, real time), behind a front that counts the daemon's looks.
  const sim = await startSimulator({ profile: "v3.1", keys: [{ key: KEY, label: "daemon", admin: true, scopes: ["all"] }], onError: () => {} });
  let requests = 0;
  let counting = false;
  const front = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      if (counting && req.method === "GET" && /^\/api\/(queues|jobs)$/.test(new URL(req.url).pathname)) requests++;
      return sim.handler(req);
    },
  });
  try {
    const daemon = Bun.spawn([o.binary, "run"], {
      stdout: "ignore",
      stderr: "ignore",
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        IMMICH_URL: `http://127.0.0.1:${front.port}`,
        API_KEY: KEY,
        POLL_INTERVAL: String(o.pollS),
        HEALTH_FILE: `/tmp/ijd-idle-cost-${process.pid}-${front.port}.json`,
        ...o.env,
      },
    });
    try {
      await Bun.sleep(o.settleS * 1000);
      counting = true;
      const cpu0 = cpuSeconds(daemon.pid);
      const t0 = performance.now();
      await Bun.sleep(o.windowS * 1000);
      const cpu1 = cpuSeconds(daemon.pid);
      const elapsedS = (performance.now() - t0) / 1000;
      counting = false;
      const mem = memoryMB(daemon.pid);
      return {
        binary: o.binary,
        pollS: o.pollS,
        windowS: Math.round(elapsedS),
        cpuSecondsPerHour: ((cpu1 - cpu0) / elapsedS) * 3600,
        rssMB: mem.rss,
        peakRssMB: mem.peak,
        requests,
        expectedRequests: Math.round(elapsedS / o.pollS),
      };
    } finally {
      daemon.kill("SIGTERM");
      await daemon.exited;
    }
  } finally {
    front.stop(true);
    await sim.stop();
  }
}
