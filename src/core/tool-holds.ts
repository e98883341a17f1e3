// Tools that pause a set of queues together, said in one log line instead of
// one per queue (DESIGN.md §2 rule 8).
//
// immich-go, the most used bulk uploader, pauses thumbnailGeneration,
// metadataExtraction, videoConversion, faceDetection and smartSearch at the
// start of an upload (--pause-immich-jobs, on by default) and resumes the
// same five when it ends; if it crashes they stay paused. Pausing a queue
// that is already paused changes nothing on the server, so the daemon sees
// immich-go's pause only on the queues it had running: those become held
// (never resumed by the daemon). The ones it had paused itself look
// unchanged; it keeps scheduling them within the cap.
//
// Why not hold the whole set once two of them are seen held: the same
// picture comes from a second daemon's pauses (each daemon takes the other's
// pauses for a person's), and two daemons each holding the set the other
// paused never resume it again. Measured with the two-daemon test (N=2,
// seed 3): the import never finished. So the daemon holds what it saw paused
// and nothing more, and says so once.

import type { Notice, Observation } from "./types.ts";

export interface ToolSet {
  tool: string;
  /** When the tool pauses the set, for the log line. */
  when: string;
  queues: readonly string[];
}

export const TOOL_SETS: readonly ToolSet[] = [
  {
    tool: "immich-go",
    when: "during an upload (--pause-immich-jobs, on by default)",
    queues: ["thumbnailGeneration", "metadataExtraction", "videoConversion", "faceDetection", "smartSearch"],
  },
];

/**
 * One line instead of one per queue: when two or more of a set's queues were
 * found paused by someone else in one look with the whole set paused, and
 * when two or more of them were found resumed by someone else at once with
 * none of the set paused.
 */
export function groupToolNotices(notices: readonly Notice[], observation: Observation, sets: readonly ToolSet[] = TOOL_SETS): Notice[] {
  const paused = new Set(observation.queues.filter((q) => q.isPaused).map((q) => q.name));
  const present = new Set(observation.queues.map((q) => q.name));
  let out = [...notices];
  // Replaces the set's notices with these codes by one, when two or more came in this look.
  const merge = (set: ToolSet, codes: readonly Notice["code"][], whole: boolean, say: (names: string) => Omit<Notice, "queue">) => {
    const picked = out.filter((n) => codes.includes(n.code) && set.queues.includes(n.queue));
    if (picked.length < 2 || !whole) return;
    const names = set.queues.filter((q) => picked.some((n) => n.queue === q));
    out = [...out.filter((n) => !picked.includes(n)), { ...say(listed(names)), queue: names.join(",") }];
  };
  for (const set of sets) {
    const members = set.queues.filter((q) => present.has(q));
    merge(set, ["held"], members.every((q) => paused.has(q)), (names) => ({
      level: "warn",
      code: "tool-held",
      message:
        `${names} were paused by someone else, and ${listed(members)} are all paused, as ${set.tool} does ${set.when}; ` +
        `holding ${names}: the daemon will not resume them until someone else does; ` +
        `the other managed queues keep running within the cap`,
    }));
    merge(set, ["resumed-by-other", "unheld"], members.every((q) => !paused.has(q)), (names) => ({
      level: "info",
      code: "tool-released",
      message: `${names} were resumed by someone else at once, as ${set.tool} does at the end of an upload; the daemon manages them again within the cap`,
    }));
  }
  return out;
}

const listed = (names: readonly string[]) =>
  names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
