// `status`: the table and JSON built from the same Decision the loop acts on.
import { describe, expect, test } from "bun:test";
import { statusJson, statusTable } from "../../src/cli/status-table.ts";
import { decide } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership } from "../../src/core/types.ts";
import { etaFromRates } from "../../src/core/eta.ts";
import { heartbeatRates, heartbeatWriter } from "../../src/daemon/heartbeat.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { obs } from "../helpers/observations.ts";

const observation = obs({
  ...Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }])),
  metadataExtraction: { active: 5, pending: 1_200 },
  thumbnailGeneration: { active: 3, pending: 40 },
  smartSearch: { isPaused: true, pending: 500 },
  backgroundTask: { active: 2 },
});
// thumbnailGeneration's 43 jobs at its prior of 0.115 s a job.
const TG_SECONDS = 5;
const ownership = { ...emptyOwnership(), pausedByUs: DEFAULT_PRIORITY.filter((q) => !["metadataExtraction", "thumbnailGeneration"].includes(q)) };
const decision = decide({ observation, policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY }, ownership });
const input = { url: "http://nas:2283", version: { major: 3, minor: 1, patch: 0 }, api: "queues" as const, maxConcurrent: 1, observation, decision };

describe("status", () => {
  test("the owner's instructions in force (rule 16): decided with, and listed with who asked and until when", () => {
    const at = observation.at;
    const control = {
      zone: "UTC",
      state: {
        all: { at, by: "192.168.1.5", channel: "page" as const, until: at + 2 * 3_600_000 },
        n: { at, by: "127.0.0.1", channel: "cli" as const, n: 3, until: at + 4 * 3_600_000 },
      },
    };
    const held = decide({ observation, policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY }, ownership, control });
    const withControl = { ...input, decision: held, maxConcurrent: held.n!, control };
    const lines = statusTable(withControl).split("\n");
    expect(lines).toContain("  the owner's instructions (release, or the page, ends them):");
    expect(lines.find((l) => l.startsWith("  every managed queue is held until "))).toMatch(/\(UTC\), asked by 192\.168\.1\.5 through the page$/);
    expect(lines.find((l) => l.startsWith("  N is 3 until "))).toMatch(/asked by 127\.0\.0\.1 through the command line, then MAX_CONCURRENT_JOBS again$/);
    // The hold pauses the running queues gracefully: that is what the daemon would do now.
    expect(lines).toContain("  would pause metadataExtraction: " + held.actions.find((a) => a.queue === "metadataExtraction")!.detail);
    expect(statusJson(withControl).control).toEqual(control.state);
    expect(statusTable(input)).not.toContain("the owner's instructions");
  });

  test("the table: title with slots, managed queues by priority first, owner and the planned action with its reason", () => {
    const lines = statusTable(input).split("\n");
    expect(lines[0]).toBe("Immich v3.1.0 at http://nas:2283 (/api/queues): 2 of 1 slot in use");
    expect(lines[2]).toMatch(/^QUEUE\s+PRI\s+STATE\s+ACTIVE\s+WAITING\s+PAUSED\s+DELAYED\s+SLOT\s+OWNER\s+WOULD$/);
    const rows = lines.slice(3, 3 + observation.queues.length);
    expect(rows[0]).toMatch(/^sidecar\s+1\s+paused\s+0\s+0\s+0\s+0\s+-\s+daemon\s+-$/);
    expect(rows[1]).toMatch(/^metadataExtraction\s+2\s+running\s+5\s+1200\s+0\s+0\s+yes\s+daemon\s+-$/);
    expect(rows[3]).toMatch(/^thumbnailGeneration\s+4\s+running\s+3\s+40\s+0\s+0\s+yes\s+other\s+pause \(over-cap\)$/);
    expect(rows.find((r) => r.startsWith("backgroundTask"))).toMatch(/^backgroundTask\s+-\s+running\s+2\s+0\s+0\s+0\s+-\s+unmanaged\s+-$/);
    // unmanaged rows come after every managed one
    expect(rows.findIndex((r) => r.startsWith("backgroundTask"))).toBeGreaterThan(rows.findIndex((r) => r.startsWith("integrityCheck")));
    expect(lines.at(-1)).toContain("would pause thumbnailGeneration: over the cap of 1");
  });

  test("JSON: every queue with counts, 1-based priority, slot, owner and the planned action", () => {
    const j = statusJson(input);
    expect(j).toMatchObject({ url: "http://nas:2283", version: "3.1.0", api: "queues", maxConcurrent: 1, slotsInUse: 2 });
    expect(j.queues).toHaveLength(observation.queues.length);
    expect(j.queues.find((q) => q.name === "sidecar")).toMatchObject({ managed: true, priority: 1, occupiesSlot: false, wouldDo: null });
    expect(j.queues.find((q) => q.name === "thumbnailGeneration")!.wouldDo).toMatchObject({ action: "pause", reason: "over-cap" });
    expect(j.queues.find((q) => q.name === "backgroundTask")).toMatchObject({ managed: false, priority: null, occupiesSlot: false, owner: "none" });
  });

  test("nothing to do is said", () => {
    const calm = decide({ observation: obs(Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]))), policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY }, ownership: { ...emptyOwnership(), pausedByUs: [...DEFAULT_PRIORITY] } });
    expect(statusTable({ ...input, decision: calm, observation: obs(Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }]))) })).toContain("nothing to do now");
  });

  test("ETAs: from the drain rates a running daemon measured, per queue and overall; without one, says what it needs", () => {
    const dir = mkdtempSync(join(tmpdir(), "ijd-eta-"));
    try {
      const file = join(dir, "health.json");
      expect(statusTable(input)).toContain("ETA: needs a running daemon");
      expect(statusJson(input).eta).toBeNull();
      heartbeatWriter(file, 4242).beat(1_000, { state: "ok", since: 0, failures: 0 }, 10_000, { metadataExtraction: 10, smartSearch: 0.5 });
      const measured = heartbeatRates(file, 2_000)!;
      expect(measured).toEqual({ pid: 4242, rates: { metadataExtraction: 10, smartSearch: 0.5 } });
      expect(heartbeatRates(file, 1_000 + 10_000 + 60_001)).toBeUndefined(); // stale: no daemon runs
      const eta = { ...etaFromRates(measured.rates, observation, { priority: DEFAULT_PRIORITY, maxConcurrent: 1 }), fromPid: 4242 };
      const withEta = { ...input, eta };
      const j = statusJson(withEta);
      expect(j.queues.find((q) => q.name === "metadataExtraction")).toMatchObject({ etaSeconds: 121, ratePerSecond: 10 });
      expect(j.queues.find((q) => q.name === "smartSearch")).toMatchObject({ etaSeconds: 1_000 });
      // Never measured by the daemon: the usual cost of a thumbnail (0.115 s) stands in, marked as an estimate.
      expect(j.queues.find((q) => q.name === "thumbnailGeneration")).toMatchObject({ etaSeconds: TG_SECONDS, etaEstimated: true });
      expect(j.eta).toEqual({ seconds: 1_125 /* 1,120.9 + 4.9, rounded once */, unmeasured: [], estimated: ["thumbnailGeneration"], waiting: [], ratesFromPid: 4242 });
      const lines = statusTable(withEta).split("\n");
      expect(lines[2]).toMatch(/\s+WOULD\s+ETA$/);
      expect(lines.find((l) => l.startsWith("smartSearch"))).toMatch(/~16 min 40 s$/);
      expect(lines).toContain(
        "  all pending work: ~18 min 45 s (estimate) (thumbnailGeneration from the usual cost of its jobs until measured); drain rates measured by the running daemon (pid 4242)",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
