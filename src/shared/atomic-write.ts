// Writes a file whole or not at all: a temporary file beside it, then a
// rename over it. If either step fails, the temporary file is removed, so a
// failed rename (a read-only target, a full disk) leaves no temporary file
// behind (issue 7 item 8).
//
// The temporary file is created exclusively (O_CREAT|O_EXCL: `wx`) under a
// random name (issue 16 item 7). Its name used to be `<file>.<pid>.tmp`,
// predictable, and opened the ordinary way, which follows a symlink: with
// the heartbeat in /tmp, anyone could plant that link and have the daemon
// overwrite a file of theirs choosing (a root-owned one, where symlinks in
// sticky directories are not protected). O_EXCL fails on any existing name,
// a symlink included, dangling or not; a name taken is retried with another.
// The rename replaces whatever entry the target is (a symlink put there is
// replaced by the regular file, its target never written).

import { closeSync, futimesSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** Names tried before giving up (each a fresh 64-bit random suffix: a collision means someone is planting them). */
const ATTEMPTS = 5;

function randomSuffix(): string {
  // Web Crypto, built into the runtime: no node:crypto module to load in an idle daemon.
  const [a, b] = crypto.getRandomValues(new Uint32Array(2));
  return a!.toString(16).padStart(8, "0") + b!.toString(16).padStart(8, "0");
}

/**
 * `mtimeMs` sets the file's modification (and access) time before the
 * rename, so the file never shows up with another: the heartbeat's
 * freshness is its mtime, in the daemon's (injected) clock's time.
 */
export function writeFileAtomic(path: string, text: string, opts: { mode?: number; mtimeMs?: number } = {}): void {
  let fd: number | undefined;
  let tmp = "";
  for (let i = 0; fd === undefined; i++) {
    tmp = `${path}.${randomSuffix()}.tmp`;
    try {
      fd = openSync(tmp, "wx", opts.mode ?? 0o666);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || i + 1 >= ATTEMPTS) throw e;
    }
  }
  try {
    try {
      writeFileSync(fd, text); // on a descriptor: writes it all (writeSync may write part)
      if (opts.mtimeMs !== undefined) futimesSync(fd, opts.mtimeMs / 1000, opts.mtimeMs / 1000);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    // Ours: created by the exclusive open above.
    rmSync(tmp, { force: true });
    throw e;
  }
}
