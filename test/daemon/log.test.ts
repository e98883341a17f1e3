// The logger: text and JSON lines, levels, streams, and never crashing on a
// closed pipe.
import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/daemon/log.ts";

const sink = () => {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream };
};
const T = Date.UTC(2026, 10, 28, 12, 0, 0);

describe("log lines", () => {
  test("text: time, level, sentence; warnings to stderr", () => {
    const out = sink();
    const err = sink();
    const log = createLog({ level: "info", format: "text", stdout: out.stream, stderr: err.stream, now: () => T });
    log.info("paused sidecar: no work left", { queue: "sidecar" });
    log.warn("cannot observe Immich");
    log.debug("not shown at info");
    expect(out.lines).toEqual(["2026-11-28T12:00:00.000Z INFO  paused sidecar: no work left\n"]);
    expect(err.lines).toEqual(["2026-11-28T12:00:00.000Z WARN  cannot observe Immich\n"]);
  });

  test("json: one object per line with the fields", () => {
    const out = sink();
    const log = createLog({ level: "debug", format: "json", stdout: out.stream, stderr: out.stream, now: () => T });
    log.info("resumed ocr", { action: "resume", queue: "ocr", reason: "fill-slot", dryRun: undefined });
    log.debug("detail");
    const parsed = out.lines.map((l) => JSON.parse(l));
    expect(parsed[0]).toEqual({ time: "2026-11-28T12:00:00.000Z", level: "info", msg: "resumed ocr", action: "resume", queue: "ocr", reason: "fill-slot" });
    expect(parsed[1]).toMatchObject({ level: "debug", msg: "detail" });
  });

  test("a closed pipe (EPIPE) does not throw", () => {
    const broken = {
      write: () => {
        throw Object.assign(new Error("EPIPE: broken pipe, write"), { code: "EPIPE" });
      },
    } as unknown as NodeJS.WritableStream;
    const log = createLog({ level: "info", format: "text", stdout: broken, stderr: broken, now: () => T });
    expect(() => log.info("still running")).not.toThrow();
    expect(() => log.error("still running")).not.toThrow();
  });
});
