// `status` with WINDOWS: each queue's window, open or closed, and when that
// next changes, in the table and the JSON, from the same Gates the loop reads.
import { expect, test } from "bun:test";
import { statusJson, statusTable } from "../../src/cli/status-table.ts";
import { blockers } from "../../src/core/blockers.ts";
import { decide } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership } from "../../src/core/types.ts";
import { parseWindows } from "../../src/core/window-syntax.ts";
import { windowStates } from "../../src/core/windows.ts";
import { obs } from "../helpers/observations.ts";

test("the WINDOW column and the JSON's window say open or closed and until when", () => {
  const parsed = parseWindows("ml=22:00-06:00; library=Sat,Sun 01:00-05:00", DEFAULT_PRIORITY);
  if (!parsed.ok) throw new Error();
  const at = Date.UTC(2026, 0, 9, 14); // Fri 15:00 in Berlin
  const gates = { windows: windowStates({ zone: "Europe/Berlin", windows: parsed.windows }, at) };
  const observation = obs({ ...Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }])), smartSearch: { active: 2, pending: 90 } }, at);
  const decision = decide({
    observation,
    policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY },
    ownership: { ...emptyOwnership(), pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "smartSearch"), runningByUs: ["smartSearch"] },
    blockers: blockers(gates, DEFAULT_PRIORITY),
  });
  const input = { url: "http://nas:2283", version: { major: 3, minor: 1, patch: 0 }, api: "queues" as const, maxConcurrent: 1, observation, decision, gates };
  const lines = statusTable(input).split("\n");
  expect(lines[0]).toEndWith("; windows on Europe/Berlin's clock");
  expect(lines[2]).toMatch(/\s+WOULD\s+WINDOW$/);
  expect(lines.find((l) => l.startsWith("smartSearch"))).toMatch(/pause \(window-closed\)\s+closed until Fri 22:00 \(22:00-06:00\)$/);
  expect(lines.find((l) => l.startsWith("library"))).toMatch(/closed until Sat 01:00 \(Sat,Sun 01:00-05:00\)$/);
  expect(lines.find((l) => l.startsWith("thumbnailGeneration"))).toMatch(/\s-$/);
  expect(lines.some((l) => l.includes("would pause smartSearch: outside its window 22:00-06:00 (Europe/Berlin); it opens Fri 22:00; its 2 active jobs finish first"))).toBe(true);
  const j = statusJson(input).queues.find((q) => q.name === "smartSearch")!;
  expect(j.window).toEqual({ window: "22:00-06:00", zone: "Europe/Berlin", open: false, nextChangeAt: Date.UTC(2026, 0, 9, 21), nextChange: "Fri 22:00" });
  expect(j.blocks.map((b) => b.code)).toEqual(["window-closed"]);
});
