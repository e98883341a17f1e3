// The two pressure sources of rule 15: the local PSI files' `some total=`
// counter (PRESSURE_DIR) and a node_exporter's counters (PRESSURE_URL), read
// as the share of the time between two looks; bounded reads; a source that
// vanishes or answers garbage is a problem, never a throw.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeExporterMeter, parseNodePressure, shareBetween } from "../../src/daemon/node-exporter.ts";
import { localMeter, someTotal } from "../../src/daemon/pressure.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const psi = (totalUs: number, avg10 = 1) => `some avg10=${avg10.toFixed(2)} avg60=0.00 avg300=0.00 total=${totalUs}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n`;

describe("the local PSI files", () => {
  test("some total= is read; the share between two looks is the counter's increase over the time", async () => {
    expect(someTotal(psi(123456))).toBe(123456);
    expect(someTotal("full avg10=0 avg60=0 avg300=0 total=5")).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), "ijd-psi-"));
    dirs.push(dir);
    let now = 1_000_000;
    writeFileSync(join(dir, "cpu"), psi(10_000_000));
    const m = localMeter(dir, ["cpu"], (p) => readFileSync(p, "utf8"), () => now);
    expect(await m.read()).toEqual({ warming: true });
    now += 10_000;
    writeFileSync(join(dir, "cpu"), psi(14_000_000)); // 4 s of the 10 waited
    expect(await m.read()).toEqual({ figures: { cpu: 40 } });
    now += 5_000;
    writeFileSync(join(dir, "cpu"), psi(1_000)); // went back (a new boot): start afresh
    expect(await m.read()).toEqual({ warming: true });
    rmSync(join(dir, "cpu"));
    expect(await m.read()).toEqual({ problem: `${join(dir, "cpu")} cannot be read (ENOENT)` });
    writeFileSync(join(dir, "cpu"), "garbage\n");
    expect(await m.read()).toEqual({ problem: `${join(dir, "cpu")} has no "some … total=" line` });
  });
});

const page = (cpu: number, io = 1, memory = 0, extra = "") =>
  [
    "# HELP node_pressure_cpu_waiting_seconds_total Total time in seconds that processes have waited for CPU time",
    "# TYPE node_pressure_cpu_waiting_seconds_total counter",
    `node_pressure_cpu_waiting_seconds_total ${cpu}`,
    `node_pressure_io_waiting_seconds_total ${io}`,
    `node_pressure_io_stalled_seconds_total ${io / 2}`,
    `node_pressure_memory_waiting_seconds_total ${memory}`,
    'node_cpu_seconds_total{cpu="0",mode="idle"} 1.2345e+06',
    extra,
  ].join("\n");

describe("node_exporter's page", () => {
  test("the three counters, and node_time_seconds when the exporter has it", () => {
    expect(parseNodePressure(page(12.5, 3, 0.25), ["cpu", "io", "memory"])).toEqual({ waited: { cpu: 12.5, io: 3, memory: 0.25 } });
    expect(parseNodePressure(page(1, 1, 0, "node_time_seconds 1.7e+09"), ["cpu"])).toEqual({ waited: { cpu: 1 }, time: 1.7e9 });
  });

  test.each([
    ["<html>not metrics</html>", /^line 1 is not a Prometheus sample/],
    [page(1).replace("node_pressure_cpu_waiting_seconds_total 1", "node_pressure_io_read 1"), /^it has no node_pressure_cpu_waiting_seconds_total \(node_exporter's pressure collector/],
    [page(-1), /is -1, not a count of seconds/],
    [page(1) + "\nnode_pressure_cpu_waiting_seconds_total 2", /appears twice/],
  ])("garbage is a problem, not a figure (%#)", (text, want) => {
    const r = parseNodePressure(text, ["cpu"]);
    expect("problem" in r && r.problem).toMatch(want);
  });

  test("the share uses the exporter's clock when it has one, else the daemon's", () => {
    expect(shareBetween({ waited: { cpu: 10 }, at: 0 }, { waited: { cpu: 13 }, at: 10_000 }, ["cpu"])).toEqual({ cpu: 30 });
    expect(shareBetween({ waited: { cpu: 10 }, time: 100, at: 0 }, { waited: { cpu: 13 }, time: 106, at: 60_000 }, ["cpu"])).toEqual({ cpu: 50 });
    expect(shareBetween({ waited: { cpu: 10 }, at: 0 }, { waited: { cpu: 9 }, at: 10_000 }, ["cpu"])).toBeUndefined();
  });
});

describe("PRESSURE_URL over HTTP", () => {
  let server: ReturnType<typeof Bun.serve> | undefined;
  afterEach(() => server?.stop(true));
  const serve = (answer: () => Response | Promise<Response>) => {
    server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: answer });
    return `http://127.0.0.1:${server.port}/metrics`;
  };

  test("two looks give a figure; a 500, a page over 1 MB and a timeout are problems; back again after", async () => {
    let cpu = 100;
    let mode: "ok" | "500" | "huge" | "slow" = "ok";
    const url = serve(async () => {
      if (mode === "500") return new Response("oops", { status: 500 });
      if (mode === "huge") return new Response("# x\n".repeat(300_000));
      if (mode === "slow") await Bun.sleep(400);
      return new Response(page(cpu), { headers: { "content-type": "text/plain; version=0.0.4" } });
    });
    let now = 0;
    const m = nodeExporterMeter(url, ["cpu"], fetch, () => now, 200);
    expect(await m.read()).toEqual({ warming: true });
    now += 5_000;
    cpu += 2.5;
    expect(await m.read()).toEqual({ figures: { cpu: 50 } });
    mode = "500";
    expect(await m.read()).toEqual({ problem: `${url} answered HTTP 500` });
    mode = "huge";
    expect(await m.read()).toEqual({ problem: `${url} answered more than 1 MB: not a node_exporter page` });
    mode = "slow";
    expect(await m.read()).toEqual({ problem: `${url} did not answer within 0.2 s` });
    mode = "ok";
    expect(await m.read()).toEqual({ warming: true }); // after a loss, two looks again
    now += 1_000;
    expect(await m.read()).toEqual({ figures: { cpu: 0 } });
  });

  test("nothing listening: a problem naming the URL", async () => {
    const url = serve(() => new Response(""));
    server!.stop(true);
    const r = await nodeExporterMeter(url, ["cpu"], fetch, () => 0, 500).read();
    expect("problem" in r && r.problem).toStartWith(`${url} cannot be read (`);
  });
});
