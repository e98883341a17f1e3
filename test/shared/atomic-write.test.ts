// Files written whole or not at all, without following anyone's symlink
// (issue 16 item 7): the temporary file beside the target is created
// exclusively under a random name, so a link planted at the name the daemon
// used to choose (`<file>.<pid>.tmp`), or at any name, is never written
// through; and a failed write leaves no temporary file behind.
import { afterAll, describe, expect, test } from "bun:test";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/shared/atomic-write.ts";

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), "ijd-atomic-"));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  test("a symlink planted at the old predictable temporary name is not followed: its target is untouched", () => {
    const d = dir();
    const victim = join(d, "victim");
    writeFileSync(victim, "precious\n");
    const path = join(d, "state.json");
    // The trap of the audit: `<file>.<pid>.tmp` pointing at a file the daemon must not write.
    symlinkSync(victim, `${path}.${process.pid}.tmp`);
    const before = statSync(victim);

    writeFileAtomic(path, "new content\n", { mode: 0o600 });

    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(statSync(victim).mtimeMs).toBe(before.mtimeMs);
    expect(readFileSync(path, "utf8")).toBe("new content\n");
    expect(lstatSync(path).isFile()).toBe(true);
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    // The planted link is someone else's: left where it was, not removed.
    expect(lstatSync(`${path}.${process.pid}.tmp`).isSymbolicLink()).toBe(true);
  });

  test("a target that is itself a symlink is replaced by a regular file; the link's target is untouched", () => {
    const d = dir();
    const victim = join(d, "victim");
    writeFileSync(victim, "precious\n");
    const path = join(d, "health.json");
    symlinkSync(victim, path);
    writeFileAtomic(path, "beat\n", { mtimeMs: Date.UTC(2026, 0, 1) });
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(path).isFile()).toBe(true);
    expect(statSync(path).mtimeMs).toBe(Date.UTC(2026, 0, 1));
  });

  test("two writes use different temporary names (random, not the pid)", () => {
    const d = dir();
    const path = join(d, "f");
    // A directory at the target makes the rename fail after the temporary file is written;
    // what is left behind tells the names: nothing, since a failure removes its own.
    mkdirSync(path);
    const names = new Set<string>();
    const realRename = (e: unknown) => String((e as Error).message);
    for (let i = 0; i < 5; i++) {
      try {
        writeFileAtomic(path, "x", {});
      } catch (e) {
        const m = /'([^']*\.tmp)'/.exec(realRename(e));
        if (m) names.add(m[1]!);
      }
    }
    expect(names.size).toBe(5);
    for (const n of names) expect(n).not.toContain(`.${process.pid}.tmp`);
    expect(readdirSync(d)).toEqual(["f"]);
  });

  test("a failed write leaves no temporary file behind and throws", () => {
    const d = dir();
    const path = join(d, "missing-dir", "f");
    expect(() => writeFileAtomic(path, "x", {})).toThrow();
    expect(readdirSync(d)).toEqual([]);
  });
});
