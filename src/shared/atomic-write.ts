// Writes a file whole or not at all: a temporary file beside it, then a
// rename over it. If either step fails, the temporary file is removed, so a
// failed rename (a read-only target, a full disk) leaves no
// `<path>.<pid>.tmp` behind (issue 7 item 8).

import { renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";

/**
 * `mtimeMs` sets the file's modification (and access) time before the
 * rename, so the file never shows up with another: the heartbeat's
 * freshness is its mtime, in the daemon's (injected) clock's time.
 */
export function writeFileAtomic(path: string, text: string, opts: { pid: number; mode?: number; mtimeMs?: number }): void {
  const tmp = `${path}.${opts.pid}.tmp`;
  try {
    writeFileSync(tmp, text, opts.mode === undefined ? {} : { mode: opts.mode });
    if (opts.mtimeMs !== undefined) utimesSync(tmp, opts.mtimeMs / 1000, opts.mtimeMs / 1000);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
