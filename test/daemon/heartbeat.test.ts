// The heartbeat file behind `healthcheck` and the container's HEALTHCHECK.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { healthcheckCommand } from "../../src/cli/daemon-commands.ts";
import { checkHeartbeat, HEARTBEAT_GRACE_MS, writeHeartbeat } from "../../src/daemon/heartbeat.ts";
import { VirtualClock } from "../../src/shared/clock.ts";

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), "ijd-hb-"));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const T0 = Date.UTC(2026, 10, 28);

describe("heartbeat", () => {
  test("fresh while the announced sleep and the grace have not passed, stale after", () => {
    const path = join(dir(), "h.json");
    writeHeartbeat(path, process.pid, T0, { state: "ok", since: T0, failures: 0 }, 10_000);
    expect(checkHeartbeat(path, T0 + 10_000 + HEARTBEAT_GRACE_MS)).toMatchObject({ ok: true });
    const late = checkHeartbeat(path, T0 + 10_001 + HEARTBEAT_GRACE_MS);
    expect(late.ok).toBe(false);
    expect(late.line).toContain("stuck or stopped");
  });

  test("a daemon waiting for a down Immich is healthy and says so", () => {
    const path = join(dir(), "h.json");
    writeHeartbeat(path, process.pid, T0, { state: "degraded", since: T0, failures: 3, lastError: "unreachable" }, 8_000);
    const r = checkHeartbeat(path, T0 + 1_000);
    expect(r.ok).toBe(true);
    expect(r.line).toContain("unreachable");
  });

  test("a missing or foreign file is unhealthy with a line saying why", () => {
    const d = dir();
    expect(checkHeartbeat(join(d, "none.json"), T0).line).toContain("no heartbeat");
    writeFileSync(join(d, "x.json"), '{"hello":1}');
    expect(checkHeartbeat(join(d, "x.json"), T0)).toMatchObject({ ok: false });
  });

  test("`healthcheck` finds the file through HEALTH_FILE and exits 0 or 1", async () => {
    const path = join(dir(), "h.json");
    const out: string[] = [];
    const stream = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
    const clock = new VirtualClock(T0);
    const io = { env: { HEALTH_FILE: path }, stdout: stream, stderr: stream, clock, fetch };
    expect(await healthcheckCommand(io)).toBe(1);
    writeHeartbeat(path, 1, T0, { state: "ok", since: T0, failures: 0 }, 10_000);
    expect(await healthcheckCommand(io)).toBe(0);
    expect(out.at(-1)).toContain("healthy");
  });
});
