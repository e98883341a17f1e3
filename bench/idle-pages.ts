// Where an idle daemon's memory goes, feature by feature (docs/benchmark.md,
// "Why not 35 MB"). `bun bench/idle-pages.ts` (after `bun run build`)
// compiles, with the daemon's own flags, the idle fetch loop of
// bench/baselines/fetch-loop.ts once bare and once with each runtime facility
// the daemon uses added alone (node:fs, consola, a regular expression...),
// runs them all and dist/immich-job-daemon at once against one simulator,
// and compares which pages of the binary each has resident
// (/proc/PID/pagemap). Every compiled program carries the same runtime at
// the same offsets, so a page is the same code in all of them: the pages a
// feature's program has beyond the bare loop are what that feature touches.
// Writes bench/idle-pages.md. Real time: ~30 s, plus the compiles.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator } from "../src/simulator/server.ts";
import { compile } from "./idle-cost.ts";

const SETTLE_S = 20;
const POLL_S = 2;

/** Each feature: code run once before the loop, and code run after every look. */
const FEATURES: Record<string, { label: string; once?: string; each?: string }> = {
  fs: { label: "node:fs, one writeSync", once: `import { writeSync } from "node:fs"; writeSync(2, Buffer.from("x\\n"));` },
  fsTouch: { label: "node:fs, a file touched (utimesSync) each look", once: `import { utimesSync, writeFileSync } from "node:fs"; const f = (process.env.HEALTH_FILE ?? "/tmp/h") + ".touch-" + process.pid; writeFileSync(f, "x"); process.on("SIGTERM", () => process.exit(0));`, each: "utimesSync(f, Date.now() / 1000, Date.now() / 1000);" },
  path: { label: "node:path", once: `import { dirname } from "node:path"; (globalThis as any).v = dirname("/a/b/c");` },
  os: { label: "node:os", once: `import { hostname } from "node:os"; (globalThis as any).v = hostname();` },
  consola: { label: "consola/core, one line", once: `import { createConsola } from "consola/core"; createConsola({ reporters: [{ log: (o) => { (globalThis as any).v = o.args.join(" "); } }] }).info("hello");` },
  regex: { label: "a regular expression", once: `(globalThis as any).v = /^(\\d+)(ms|s|m|h)?$/i.exec("10m")?.[1];` },
  classes: { label: "a class with a private field, Map, Set, spread", once: `class A { #x = 1; get x() { return this.#x; } static y = new Map([[1, new Set([1])]]); } (globalThis as any).v = [new A().x, ...A.y.keys()].map((v) => ({ ...{ v } }));` },
  tryCatch: { label: "an Error thrown and caught", once: `try { throw new Error("x"); } catch (e) { (globalThis as any).v = (e as Error).message; }` },
  asyncGen: { label: "an async generator", once: `async function* g() { yield 1; } for await (const x of g()) (globalThis as any).v = x;` },
  promises: { label: "Promise.all and race", once: `(globalThis as any).v = await Promise.all([Promise.resolve(1), Promise.race([Promise.resolve(2)])]);` },
  abort: { label: "an AbortController and a cleared setTimeout each look", each: "const c = new AbortController(); clearTimeout(setTimeout(() => c.abort(), 10000));" },
  signals: { label: "signal handlers", once: `for (const s of ["SIGHUP", "SIGINT", "SIGTERM"] as const) process.on(s, () => process.exit(0));` },
  env: { label: "the environment listed", once: `(globalThis as any).v = Object.entries(process.env).length;` },
  buffer: { label: "a Buffer", once: `(globalThis as any).v = Buffer.from("hello");` },
  bunWrite: { label: "Bun.write to stderr", once: `await Bun.write(Bun.stderr, "x\\n");` },
};

function program(f: { once?: string; each?: string }): string {
  return `${f.once ?? ""}
const pollMs = Number(process.env.POLL_INTERVAL ?? 10) * 1000;
const url = \`\${process.env.IMMICH_URL}/api/queues\`;
const headers = { "x-api-key": process.env.API_KEY ?? "" };
for (;;) {
  try { JSON.parse(await (await fetch(url, { headers })).text()); ${f.each ?? ""} } catch {}
  await Bun.sleep(pollMs);
}
export {};
`;
}

/** The resident pages of the process's own executable, as "perms page-offset" strings. */
function residentPages(pid: number): Set<string> {
  const maps = readFileSync(`/proc/${pid}/maps`, "utf8").trim().split("\n").map((l) => l.split(/\s+/));
  const exe = maps[0]![5];
  const pages = new Set<string>();
  const fd = openSync(`/proc/${pid}/pagemap`, "r");
  try {
    for (const [range, perms, offset, , , path] of maps) {
      if (path !== exe) continue;
      const [lo, hi] = range!.split("-").map((x) => parseInt(x, 16)) as [number, number];
      const count = (hi - lo) / 4096;
      const buf = Buffer.alloc(count * 8);
      readSync(fd, buf, 0, buf.length, (lo / 4096) * 8);
      const first = parseInt(offset!, 16) / 4096;
      for (let i = 0; i < count; i++) if (buf.readBigUInt64LE(i * 8) >> 63n) pages.add(`${perms} ${first + i}`);
    }
  } finally {
    closeSync(fd);
  }
  return pages;
}

const mb = (pages: number) => `${((pages * 4) / 1024).toFixed(2)} MB`;
const daemonBinary = join(import.meta.dir, "..", "dist", "immich-job-daemon");
if (!existsSync(daemonBinary)) {
  console.error("no dist/immich-job-daemon: run `bun run build` first");
  process.exit(1);
}
// Inside the repository, so that `consola/core` resolves from node_modules.
const dir = join(import.meta.dir, ".idle-pages");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir);
const programs = [{ name: "base", label: "the bare fetch loop", binary: join(dir, "base") }];
try {
  writeFileSync(join(dir, "base.ts"), program({}));
  for (const [name, f] of Object.entries(FEATURES)) {
    writeFileSync(join(dir, `${name}.ts`), program(f));
    programs.push({ name, label: f.label, binary: join(dir, name) });
  }
  console.error(`compiling ${programs.length} programs…`);
  for (const p of programs) await compile(join(dir, `${p.name}.ts`), p.binary);
  programs.push({ name: "daemon", label: "dist/immich-job-daemon run", binary: daemonBinary });

  const key = "bench-idle-pages-0001";
  const sim = await startSimulator({ profile: "v3.1", keys: [{ key, label: "pages", admin: true, scopes: ["all"] }], onError: () => {} });
  const running = programs.map((p) =>
    Bun.spawn([p.binary, ...(p.name === "daemon" ? ["run"] : [])], {
      stdout: "ignore",
      stderr: "ignore",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", IMMICH_URL: `http://127.0.0.1:${sim.port}`, API_KEY: key, POLL_INTERVAL: String(POLL_S), HEALTH_FILE: join(dir, `health-${p.name}.json`) },
    }),
  );
  let sets: Set<string>[];
  try {
    console.error(`running them all for ${SETTLE_S} s…`);
    await Bun.sleep(SETTLE_S * 1000);
    sets = running.map((r) => residentPages(r.pid));
  } finally {
    for (const r of running) r.kill("SIGTERM");
    await Promise.all(running.map((r) => r.exited));
    await sim.stop();
  }
  const base = sets[0]!;
  const daemon = sets[sets.length - 1]!;
  const daemonExtra = new Set([...daemon].filter((p) => !base.has(p)));
  const explained = new Set<string>();
  const rows = programs.slice(1, -1).map((p, i) => {
    const extra = [...sets[i + 1]!].filter((x) => !base.has(x));
    const shared = extra.filter((x) => daemonExtra.has(x));
    for (const x of shared) explained.add(x);
    return { label: p.label, extra: extra.length, shared: shared.length };
  });
  rows.sort((a, b) => b.extra - a.extra);
  const md = [
    "# Idle pages by feature",
    "",
    `Written by \`bun bench/idle-pages.ts\` on ${new Date().toISOString()}; regenerate rather than edit. Each program is the idle fetch loop (bench/baselines/fetch-loop.ts) with one feature added, compiled with the daemon's flags; all of them and \`dist/immich-job-daemon run\` ran at once against one simulator at POLL_INTERVAL=${POLL_S} for ${SETTLE_S} s; then the resident pages of each one's executable were read from /proc/PID/pagemap. Pages are 4 KiB; the runtime is at the same offsets in every compiled program.`,
    "",
    `The bare loop has ${mb(base.size)} of its executable resident; the daemon ${mb(daemon.size)}, ${mb(daemonExtra.size)} beyond the loop's.`,
    "",
    "| feature added to the loop | its pages beyond the loop's | of which the daemon has too |",
    "|---|---:|---:|",
    ...rows.map((r) => `| ${r.label} | ${mb(r.extra)} | ${mb(r.shared)} |`),
    "",
    `The features overlap (the parser, bytecode generator and interpreter paths any JavaScript goes through): together they account for ${mb(explained.size)} of the daemon's ${mb(daemonExtra.size)} beyond the loop; the rest is the daemon's own code and runtime facilities not listed here.`,
    "",
  ].join("\n");
  console.log(md);
  await Bun.write(join(import.meta.dir, "idle-pages.md"), md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
