// stdout and stderr as the commands write them (src/shared/text-out.ts):
// straight to the descriptor; a full non-blocking pipe hands the rest to the
// stream, in order; a pipe nobody reads any more swallows the text.
import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fdOutput } from "../../src/shared/text-out.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A named pipe, both ends open without blocking: [read fd, write fd]. */
function pipe(): [number, number] {
  const dir = mkdtempSync(join(tmpdir(), "ijd-text-out-"));
  dirs.push(dir);
  const path = join(dir, "fifo");
  if (Bun.spawnSync(["mkfifo", path]).exitCode !== 0) throw new Error("mkfifo failed");
  const r = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const w = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return [r, w];
}

function drain(fd: number): string {
  const buf = Buffer.alloc(1 << 20);
  let out = "";
  for (;;) {
    try {
      const n = readSync(fd, buf);
      if (n <= 0) return out;
      out += buf.subarray(0, n).toString();
    } catch {
      return out; // EAGAIN: nothing more for now
    }
  }
}

/** What the real stream would be: records what it is handed. */
function recorder() {
  const got: string[] = [];
  const stream = { write: (t: string | Uint8Array) => (got.push(typeof t === "string" ? t : Buffer.from(t).toString()), true), on: () => stream, isTTY: false, columns: 123, rows: 45 };
  return { got, stream: () => stream as unknown as NodeJS.WriteStream };
}

describe("fdOutput", () => {
  test("writes each text whole to the descriptor, making no stream", () => {
    const [r, w] = pipe();
    let made = 0;
    const out = fdOutput(w, () => {
      made++;
      return recorder().stream();
    });
    out.write("one line\n");
    out.write("two ünïcödé lines\nand more\n");
    expect(drain(r)).toBe("one line\ntwo ünïcödé lines\nand more\n");
    expect(made).toBe(0);
    closeSync(r);
    closeSync(w);
  });

  test("a full pipe hands the rest, and everything after it, to the stream, in order", () => {
    const [r, w] = pipe();
    const rec = recorder();
    const out = fdOutput(w, rec.stream);
    const line = `${"x".repeat(1023)}\n`;
    // More than a pipe holds (64 KB on Linux): the descriptor takes what fits.
    for (let i = 0; i < 100; i++) out.write(line);
    out.write("last\n");
    const direct = drain(r);
    expect(rec.got.length).toBeGreaterThan(0);
    expect(direct + rec.got.join("")).toBe(line.repeat(100) + "last\n");
    closeSync(r);
    closeSync(w);
  });

  test("a pipe nobody reads any more swallows the text: no throw", () => {
    const [r, w] = pipe();
    closeSync(r);
    const out = fdOutput(w, recorder().stream);
    expect(() => out.write("nobody reads this\n")).not.toThrow();
    closeSync(w);
  });

  test("the terminal's questions go to the stream", () => {
    const rec = recorder();
    const out = fdOutput(1, rec.stream);
    expect(out.isTTY).toBe(false);
    expect(out.columns).toBe(123);
    expect(out.rows).toBe(45);
  });
});
