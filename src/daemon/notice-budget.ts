// Inventory notices (a queue the server has that the daemon does not know, a
// configured queue the server lacks) repeat every cycle by nature: each is
// said once. And a server can invent names without end (issue 7: 10,000
// unknown queues logged as 10,000 lines at once, 3,000 lines a second when
// the names change each poll), so over the daemon's life at most
// NOTICE_LIMIT names of each kind are said, then one line saying the rest
// are not; memory stays bounded too.

export const NOTICE_LIMIT = 20;

export type Admission = "say" | "skip" | "say-limit";

export class NoticeBudget {
  private readonly said = new Map<string, Set<string>>();

  /** Whether to log this notice: once per (code, queue), NOTICE_LIMIT per code, then "say-limit" once. */
  admit(code: string, queue: string): Admission {
    let names = this.said.get(code);
    if (!names) this.said.set(code, (names = new Set()));
    if (names.has(queue)) return "skip";
    if (names.size > NOTICE_LIMIT) return "skip";
    names.add(queue);
    // The set ends at NOTICE_LIMIT + 1 entries: the +1 marks "limit said".
    return names.size > NOTICE_LIMIT ? "say-limit" : "say";
  }
}
