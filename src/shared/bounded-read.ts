// Everything read from outside is bounded (issue 16 item 5): an answer of
// Immich, of its machine-learning service, of the daemon's own /healthz, a
// notification target's, and every file the daemon reads (state, heartbeat,
// API_KEY_FILE, NOTIFY_TOKEN_FILE, PSI). Past its cap a read stops at once
// and throws TooLarge, which each caller turns into one line saying what it
// does instead (not trusted, ignored, unhealthy). Time is bounded by the
// caller's abort signal for HTTP (it covers the body too) and, for files, by
// opening without blocking (a FIFO with no writer is an error, not a hang).

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

export class TooLarge extends Error {
  constructor(readonly limit: number) {
    super(`it is larger than ${formatBytes(limit)}`);
  }
}

/** "1 MB", "64 KB", "512 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

/**
 * A response's body as text; throws TooLarge past `limit` bytes (and stops
 * reading). A body whose Content-Length is within the limit is read whole
 * by the runtime, which holds the server to that length; one without is
 * read chunk by chunk, counting.
 */
export async function readLimited(res: Response, limit: number): Promise<string> {
  const length = res.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => {});
    throw new TooLarge(limit);
  }
  if (!res.body) return "";
  if (Number.isInteger(declared) && declared >= 0) return res.text();
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new TooLarge(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** Files the daemon reads are small: a key, a token, its own state and heartbeat, a PSI figure. */
export const MAX_FILE_BYTES = 64 * 1024;

/**
 * A file's text, read through one descriptor, at most `limit` bytes; throws
 * TooLarge past them (a file that says it is larger is not read at all; one
 * that grows or has no size, such as /dev/zero, is read up to the cap) and
 * whatever fs throws otherwise (ENOENT, EACCES, EISDIR, EAGAIN for a FIFO
 * nothing writes to).
 */
export function readFileLimited(path: string, limit = MAX_FILE_BYTES): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return readFdLimited(fd, limit).text;
  } finally {
    closeSync(fd);
  }
}

/** The same through an open descriptor, with its mtime (so both are of the same file). */
export function readFdLimited(fd: number, limit = MAX_FILE_BYTES): { text: string; mtimeMs: number } {
  const stat = fstatSync(fd);
  if (stat.isDirectory()) throw Object.assign(new Error("it is a directory"), { code: "EISDIR" });
  if (stat.size > limit) throw new TooLarge(limit);
  const buf = Buffer.allocUnsafe(limit + 1);
  let size = 0;
  while (size <= limit) {
    const n = readSync(fd, buf, size, limit + 1 - size, null);
    if (n === 0) break;
    size += n;
  }
  if (size > limit) throw new TooLarge(limit);
  return { text: buf.toString("utf8", 0, size), mtimeMs: stat.mtimeMs };
}
