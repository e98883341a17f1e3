// Where the modelled host's pressure (host.ts) can be read from outside the
// simulator, in the two forms the daemon reads a real host's (issue 19,
// item 3): PSI-format files, `cpu`, `io` and `memory` in a directory, each
// exactly as /proc/pressure/<resource> reads (rewritten atomically, so a
// reader never sees half a file); and a node_exporter-format /metrics on its
// own port, as a NAS's node_exporter serves it on 9100.

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "./engine-types.ts";
import { RESOURCES, nodeExporterText, psiText } from "./host.ts";

/** Writes `cpu`, `io` and `memory` under `dir` from the engine's host now. No-op without a host. */
export function writePsiFiles(dir: string, engine: Engine): void {
  const host = engine.host();
  if (!host) return;
  mkdirSync(dir, { recursive: true });
  for (const r of RESOURCES) {
    const tmp = join(dir, `.${r}.tmp`);
    writeFileSync(tmp, psiText(host.pressure[r]));
    renameSync(tmp, join(dir, r));
  }
}

/** The /metrics answer for the engine's host now, with node_time_seconds on the simulated clock (404 without a host). */
export function metricsResponse(engine: Engine): Response {
  const host = engine.host();
  if (!host) return new Response("no host is modelled\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  return new Response(nodeExporterText(host.pressure, engine.now()), {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
  });
}

export interface HostExporter {
  /** e.g. http://127.0.0.1:9100/metrics (the daemon's PRESSURE_URL). */
  url: string;
  port: number;
  stop(): void;
}

/** A node_exporter stand-in: GET /metrics, everything else 404, as node_exporter answers. */
export function startHostExporter(opts: { hostname: string; port?: number; engine: Engine }): HostExporter {
  const server = Bun.serve({
    hostname: opts.hostname,
    port: opts.port ?? 0,
    fetch(req) {
      const { pathname } = new URL(req.url);
      if (req.method === "GET" && pathname === "/metrics") return metricsResponse(opts.engine);
      return new Response("404 page not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    },
  });
  const port = server.port ?? opts.port ?? 0;
  const host = opts.hostname.includes(":") && !opts.hostname.startsWith("[") ? `[${opts.hostname}]` : opts.hostname;
  return { url: `http://${host}:${port}/metrics`, port, stop: () => server.stop(true) };
}
