// WINDOWS and TZ through loadConfig: a schedule, or one line per variable
// naming it, the part that is wrong and an example.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";

const KEY = "k3yABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn";
const noFile = () => {
  throw new Error("no file");
};
const load = (env: Record<string, string>) => loadConfig({ API_KEY: KEY, ...env }, noFile);
const problems = (env: Record<string, string>) => {
  const r = load(env);
  return r.ok ? [] : r.errors.map((e) => e.message);
};

describe("WINDOWS and TZ", () => {
  test("the issue's example, in Berlin", () => {
    const r = load({ WINDOWS: "ml,videoConversion=22:00-06:00; library=Sat,Sun 01:00-05:00", TZ: "Europe/Berlin" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.schedule!.zone).toBe("Europe/Berlin");
    expect(Object.keys(r.config.schedule!.windows)).toEqual([
      "smartSearch", "duplicateDetection", "faceDetection", "facialRecognition", "ocr", "videoConversion", "library",
    ]);
    expect(r.config.schedule!.windows.library!.text).toBe("Sat,Sun 01:00-05:00");
  });

  test("glibc's ':Zone' form is accepted", () => {
    const r = load({ WINDOWS: "ml=22:00-06:00", TZ: ":Asia/Kolkata" });
    expect(r.ok && r.config.schedule!.zone).toBe("Asia/Kolkata");
  });

  test("no WINDOWS: no schedule, and TZ is not checked (a container may carry one the daemon has no use for)", () => {
    const r = load({ TZ: "CET-1CEST" });
    expect(r.ok && r.config.schedule).toBeUndefined();
  });

  test("an unknown zone names TZ and what it accepts", () => {
    expect(problems({ WINDOWS: "ml=22:00-06:00", TZ: "Europe/Berln" })).toEqual([
      'TZ="Europe/Berln": is not a time zone this daemon knows (POSIX rules like CET-1CEST are not accepted either). Accepts an IANA time-zone name, e.g. Europe/Berlin (the binary carries the zone data).',
    ]);
  });

  test("a bad WINDOWS names the variable, the wrong part and an example", () => {
    const [line, ...rest] = problems({ WINDOWS: "ml=22:00-06:00; thumbs=Sat 01:00-05:00" });
    expect(rest).toEqual([]);
    expect(line).toStartWith('WINDOWS="ml=22:00-06:00; thumbs=Sat 01:00-05:00": "thumbs" is not a managed queue or a group');
    expect(line).toContain("e.g. ml,videoConversion=22:00-06:00; library=Sat,Sun 01:00-05:00.");
  });

  test("a window on a queue MANAGED_QUEUES leaves out is refused", () => {
    expect(problems({ MANAGED_QUEUES: "thumbnailGeneration", WINDOWS: "library=01:00-05:00" })[0]).toContain('"library" is not a managed queue');
  });

  test("WINDOWS and TZ problems come with every other problem at once", () => {
    expect(problems({ MAX_CONCURRENT_JOBS: "0", WINDOWS: "ml=Mon-Fry 22:00-06:00", TZ: "Mars/Olympus" })).toHaveLength(3);
  });
});
