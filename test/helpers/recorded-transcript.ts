// Reads a recorded transcript (test/fixtures/immich/recorded-v2.7.5/transcript.md)
// into its requests and answers, so the contract test replays exactly what
// was sent to the real server and compares with exactly what came back,
// without copying either by hand. Only full exchanges are returned; the
// "non-idle queues only" snapshot summaries and drain polls are not answers.

import { readFileSync } from "node:fs";

export interface RecordedExchange {
  /** The case title ("jobs idle (queue key)"); titles repeat across sections. */
  title: string;
  /** When it was sent: ms since midnight (UTC), from the heading. */
  at: number;
  method: string;
  /** Path and query as sent, e.g. /api/queues/thumbnailGeneration/jobs?status=paused. */
  path: string;
  /** The recording's key name: all, job, queue, nojob, nonadmin, invalid, or "no key". */
  key: string;
  /** The request body as sent (raw text), if any. */
  body?: string;
  status: number;
  /** Response headers as recorded, names lower-cased, in order. */
  headers: [string, string][];
  /** The answer body verbatim ("" for none). */
  answer: string;
}

const REQUEST = /^(GET|PUT|POST|DELETE) (\S+) {2}\[([^\]]+)\](?: {2}body(?:\(raw\))?=(.*?))? {2}-> {2}HTTP (\d{3})$/;

export function readTranscript(file: string): RecordedExchange[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: RecordedExchange[] = [];
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#### (.+?) {2}\((\d\d:\d\d:\d\d\.\d{3})\)$/.exec(lines[i] ?? "");
    if (!heading || lines[i + 1] !== "```") continue;
    const request = REQUEST.exec(lines[i + 2] ?? "");
    if (!request) continue;
    const [, method = "", path = "", key = "", body, status = "0"] = request;
    const headers: [string, string][] = [];
    let j = i + 3;
    for (; (lines[j] ?? "").startsWith("< "); j++) {
      const line = (lines[j] ?? "").slice(2);
      const colon = line.indexOf(": ");
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 2)]);
    }
    const answer = lines[j] === "```" ? "" : (lines[j] ?? "");
    out.push({ title: heading[1] ?? "", at: clockTime(heading[2] ?? ""), method, path, key, body, status: Number(status), headers, answer });
    i = j;
  }
  return out;
}

/** "20:06:33.997" as ms since midnight. */
export function clockTime(hms: string): number {
  const [h = 0, m = 0, sec = 0] = hms.split(":").map(Number);
  return Math.round(((h * 60 + m) * 60 + sec) * 1000);
}
