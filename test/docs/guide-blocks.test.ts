// The reader of the documentation's command blocks (guide-blocks.ts), on
// small pages: marks of both spellings, fences with and without a language
// (indented ones too), transcripts and their `...` wildcards.

import { describe, expect, test } from "bun:test";
import { fences, guideBlocks, lineMatches, transcript } from "./guide-blocks.ts";

const PAGE = [
  "# A page",
  "<!-- run by test/docs/blocks.test.ts -->",
  "```sh",
  "immich-job-daemon status",
  "```",
  "*Not run here: needs a running systemd.*",
  "```sh",
  "sudo systemctl restart immich-job-daemon",
  "```",
  "```console",
  "$ immich-job-daemon healthcheck",
  "unhealthy: ...",
  "```",
  "```yaml",
  "a: 1",
  "```",
  "1. In a list:",
  "   ```",
  "   bare",
  "   ```",
].join("\n");

describe("guideBlocks", () => {
  test("reads the marks of both spellings and leaves an unmarked block unmarked", () => {
    expect(guideBlocks(PAGE)).toEqual([
      { runBy: "test/docs/blocks.test.ts", notRun: "", lang: "sh", text: "immich-job-daemon status", line: 3 },
      { runBy: "", notRun: "needs a running systemd.", lang: "sh", text: "sudo systemctl restart immich-job-daemon", line: 7 },
      { runBy: "", notRun: "", lang: "console", text: "$ immich-job-daemon healthcheck\nunhealthy: ...", line: 10 },
    ]);
  });

  test("fences finds every block, an indented one without a language too", () => {
    expect(fences(PAGE).map((f) => [f.lang, f.text])).toEqual([
      ["sh", "immich-job-daemon status"],
      ["sh", "sudo systemctl restart immich-job-daemon"],
      ["console", "$ immich-job-daemon healthcheck\nunhealthy: ..."],
      ["yaml", "a: 1"],
      ["", "bare"],
    ]);
  });

  test("an unclosed block is an error, not a silent end of the page", () => {
    expect(() => fences("```sh\nls")).toThrow("unclosed block at line 1");
  });
});

describe("transcripts", () => {
  test("each $ command with what it prints", () => {
    expect(transcript("$ a\nout 1\nout 2\n$ b")).toEqual([
      { command: "a", output: ["out 1", "out 2"] },
      { command: "b", output: [] },
    ]);
    expect(() => transcript("output first")).toThrow('a transcript starts with "$ "');
  });

  test.each([
    ["unhealthy: ...", "unhealthy: no heartbeat at /tmp/x", true],
    ["... ERROR cannot reach …", "2026-12-06T06:25:02.203Z ERROR cannot reach Immich", true],
    ["a (b) [c] $d", "a (b) [c] $d", true],
    ["a (b)", "a (b) and more", false],
    ["a.b", "axb", false],
    ["exact", "not exact", false],
  ])("%p matches %p: %p", (expected, actual, matches) => {
    expect(lineMatches(expected, actual)).toBe(matches);
  });
});
