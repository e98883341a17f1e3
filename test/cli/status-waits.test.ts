// `status` says why each paused managed queue with work waits: held by
// someone else, kept back by a blocker, or waiting for its turn.
import { expect, test } from "bun:test";
import { statusJson, statusTable } from "../../src/cli/status-table.ts";
import { decide } from "../../src/core/decide.ts";
import { DEFAULT_PRIORITY } from "../../src/core/queues.ts";
import { emptyOwnership } from "../../src/core/types.ts";
import { obs } from "../helpers/observations.ts";

test("held, waiting for a slot, or not waiting at all", () => {
  const observation = obs({
    ...Object.fromEntries(DEFAULT_PRIORITY.map((q) => [q, { isPaused: true }])),
    metadataExtraction: { active: 5, pending: 100 },
    smartSearch: { isPaused: true, pending: 500 },
    faceDetection: { isPaused: true, pending: 200 },
  });
  const ownership = {
    ...emptyOwnership(),
    runningByUs: ["metadataExtraction"],
    held: ["smartSearch"],
    pausedByUs: DEFAULT_PRIORITY.filter((q) => q !== "metadataExtraction" && q !== "smartSearch"),
  };
  const decision = decide({ observation, policy: { maxConcurrent: 1, priority: DEFAULT_PRIORITY }, ownership });
  const input = { url: "http://nas:2283", version: { major: 3, minor: 1, patch: 0 }, api: "queues" as const, maxConcurrent: 1, observation, decision };
  const lines = statusTable(input).split("\n");
  expect(lines.filter((l) => l.includes(" waits: "))).toEqual([
    "  smartSearch waits: paused by someone else (a person, or a tool such as immich-go during an upload); the daemon will not resume it until someone else does",
    "  faceDetection waits: its turn: 1 of 1 slot in use (metadataExtraction), higher priority first",
  ]);
  const j = statusJson(input);
  expect(j.queues.find((q) => q.name === "metadataExtraction")!.waits).toBeNull();
  expect(j.queues.find((q) => q.name === "sidecar")!.waits).toBeNull(); // no work: not waiting
  expect(j.queues.find((q) => q.name === "smartSearch")!.waits).toStartWith("paused by someone else");
});
