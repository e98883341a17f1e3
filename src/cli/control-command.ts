// The owner's controls from the shell (DESIGN.md §2 rule 16): `hold`,
// `release`, `set-n`, `missing` talk to the running daemon through its status
// server's API, the same one the page uses: STATUS_ADDR says where (as for
// `run` and `healthcheck`), CONTROL_TOKEN or CONTROL_TOKEN_FILE how (sent as
// Authorization: Bearer). No API key is needed and nothing is sent to Immich
// from here. Each prints what will happen, as the daemon words it, and exits
// with a code that tells "not running" from "refused" from "bad argument".

import { untilFromWords } from "../core/control-syntax.ts";
import { localUrl, parseListenAddress } from "../shared/listen-address.ts";
import type { TextOut } from "../shared/text-out.ts";
import { EXIT } from "./exit-codes.ts";

export interface ControlIO {
  env: Record<string, string | undefined>;
  stdout: TextOut;
  stderr: TextOut;
  readFile: (path: string) => string;
  fetch: typeof fetch;
  signal: AbortSignal;
}

/** How long the daemon has to answer (it answers from memory at once). */
export const CONTROL_TIMEOUT_MS = 5_000;

export const CONTROL_COMMANDS = ["hold", "release", "set-n", "missing"] as const;
export type ControlCommandName = (typeof CONTROL_COMMANDS)[number] | "resume-all";

/** Where and how to reach the daemon, or the one problem. */
export function controlTarget(env: ControlIO["env"], readFile: ControlIO["readFile"]): { url: string; token: string } | { problem: string } {
  const raw = env.STATUS_ADDR?.trim();
  if (!raw) return { problem: "STATUS_ADDR is not set: set it as for the running daemon (its status server carries the controls)" };
  const addr = parseListenAddress(raw);
  if ("problem" in addr) return { problem: `STATUS_ADDR=${JSON.stringify(raw)} ${addr.problem}` };
  let token = env.CONTROL_TOKEN?.trim();
  const file = env.CONTROL_TOKEN_FILE?.trim();
  if (!token && file) {
    try {
      token = readFile(file).trim();
    } catch (e) {
      return { problem: `CONTROL_TOKEN_FILE ${file}: cannot read the file (${(e as { code?: string }).code ?? (e as Error).message})` };
    }
  }
  if (!token) return { problem: "CONTROL_TOKEN (or CONTROL_TOKEN_FILE) is not set: give the daemon's token" };
  return { url: localUrl(addr), token };
}

/** A command's arguments as the API path and body, or the one thing wrong with them. */
export function controlRequest(command: ControlCommandName, args: readonly string[]): { path: string; body: Record<string, unknown> } | { problem: string } {
  switch (command) {
    case "hold": {
      // hold [queue] [2h | until 07:00 | 07:00]; no duration: 1 hour.
      const queue = args[0] !== undefined && /^[A-Za-z][A-Za-z0-9]*$/.test(args[0]) && args[0] !== "until" ? args[0] : undefined;
      const rest = queue ? args.slice(1) : args;
      const when = rest.length === 0 ? { for: "1h" } : untilFromWords(rest);
      if (!when) return { problem: `cannot read ${JSON.stringify(rest.join(" "))} as how long: write a duration (2h, 90m, 1h30m) or until HH:MM` };
      return { path: "/api/hold", body: { ...when, ...(queue ? { queue } : {}) } };
    }
    case "release":
      if (args.length > 1) return { problem: "release takes at most one queue name" };
      return { path: "/api/release", body: args[0] ? { queue: args[0] } : {} };
    case "set-n": {
      // set-n N --for 4h | --until 07:00
      const [n, flag, value, ...extra] = args;
      if (n === undefined || !/^\d+$/.test(n)) return { problem: "set-n needs N, a whole number: set-n 3 --for 4h" };
      if (extra.length || (flag !== "--for" && flag !== "--until") || value === undefined) return { problem: "say how long: set-n 3 --for 4h, or set-n 3 --until 07:00" };
      return { path: "/api/n", body: { n: Number(n), [flag.slice(2)]: value } };
    }
    case "missing":
      if (args.length !== 1) return { problem: "missing takes one queue name: missing thumbnailGeneration" };
      return { path: "/api/missing", body: { queue: args[0] } };
    case "resume-all":
      if (args.length) return { problem: "resume-all takes no argument" };
      return { path: "/api/resume-all", body: {} };
  }
}

export type Sent = { kind: "answered"; status: number; body: { ok?: boolean; message?: string; error?: string } } | { kind: "not-running"; why: string };

/** POSTs to the daemon; "not running" when nothing answers at STATUS_ADDR. */
export async function sendControl(io: ControlIO, target: { url: string; token: string }, req: { path: string; body: unknown }): Promise<Sent> {
  let res: Response;
  try {
    res = await io.fetch(target.url + req.path, {
      method: "POST",
      headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json", "x-control-channel": "cli" },
      body: JSON.stringify(req.body),
      signal: AbortSignal.any([io.signal, AbortSignal.timeout(CONTROL_TIMEOUT_MS)]),
      redirect: "manual",
    });
  } catch (e) {
    return { kind: "not-running", why: (e as Error).name === "TimeoutError" ? "no answer within 5 s" : "nothing answers there" };
  }
  let body: Sent extends { body: infer B } ? B : never;
  try {
    body = (await res.json()) as typeof body;
  } catch {
    return { kind: "not-running", why: `it answered ${res.status} without the daemon's JSON (another program on that port?)` };
  }
  return { kind: "answered", status: res.status, body };
}

/** `hold`, `release`, `set-n`, `missing`: one instruction to the running daemon. */
export async function controlCommand(command: ControlCommandName, args: readonly string[], io: ControlIO): Promise<number> {
  const req = controlRequest(command, args);
  if ("problem" in req) {
    io.stderr.write(`immich-job-daemon ${command}: ${req.problem}; see --help\n`);
    return EXIT.usage;
  }
  const target = controlTarget(io.env, io.readFile);
  if ("problem" in target) {
    io.stderr.write(`immich-job-daemon ${command}: ${target.problem}\n`);
    return EXIT.usage;
  }
  const sent = await sendControl(io, target, req);
  return report(command, sent, target.url, io);
}

/** Prints the daemon's answer and picks the exit code. */
export function report(command: string, sent: Sent, url: string, io: Pick<ControlIO, "stdout" | "stderr">): number {
  if (sent.kind === "not-running") {
    io.stderr.write(`immich-job-daemon ${command}: the daemon is not running at ${url} (STATUS_ADDR): ${sent.why}\n`);
    return EXIT.notRunning;
  }
  const { status, body } = sent;
  if (status === 200 && body.ok) {
    io.stdout.write(`${command}: ${body.message ?? "done"}\n`);
    return EXIT.ok;
  }
  const why = body.error ?? `the daemon answered ${status}`;
  io.stderr.write(`immich-job-daemon ${command}: ${status === 400 ? "" : "refused: "}${why}\n`);
  return status === 400 ? EXIT.usage : EXIT.refused;
}
