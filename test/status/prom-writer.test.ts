// The exposition-format writer: what it writes is read back by an independent
// parser, escaping included; names it cannot write are refused.
import { describe, expect, test } from "bun:test";
import parse from "parse-prometheus-text-format";
import { formatValue, writeFamilies } from "../../src/status/prom-writer.ts";

describe("the Prometheus text writer", () => {
  test("HELP, TYPE and samples read back by a parser, label values escaped", () => {
    const text = writeFamilies([
      { name: "x_total", help: "a help with a \\ and\na newline", type: "counter", samples: [{ labels: { queue: 'odd "name"\\ \n2' }, value: 3 }] },
      { name: "g", help: "gauge", type: "gauge", samples: [{ value: 1.5 }, { labels: { a: "b" }, value: NaN }] },
    ]);
    expect(text).toContain('x_total{queue="odd \\"name\\"\\\\ \\n2"} 3\n');
    expect(text).toContain("# HELP x_total a help with a \\\\ and\\na newline\n");
    expect(text.endsWith("\n")).toBe(true);
    const fs = parse(text);
    expect(fs.map((f) => [f.name, f.type])).toEqual([["x_total", "COUNTER"], ["g", "GAUGE"]]);
    expect(fs[0]!.metrics[0]!.labels).toEqual({ queue: 'odd "name"\\ \n2' });
    expect(fs[1]!.metrics.map((m) => m.value)).toEqual(["1.5", "NaN"]);
  });

  test("special values as Prometheus spells them", () => {
    expect([NaN, Infinity, -Infinity, 0.25, 1e21].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf", "0.25", "1e+21"]);
  });

  test("a bad metric or label name is a bug, refused rather than written", () => {
    expect(() => writeFamilies([{ name: "1bad", help: "", type: "gauge", samples: [] }])).toThrow("bad metric name");
    expect(() => writeFamilies([{ name: "ok", help: "", type: "gauge", samples: [{ labels: { "a-b": "x" }, value: 1 }] }])).toThrow("bad label name");
    expect(() => writeFamilies([{ name: "ok", help: "", type: "gauge", samples: [{ labels: { __x: "x" }, value: 1 }] }])).toThrow("bad label name");
  });
});
