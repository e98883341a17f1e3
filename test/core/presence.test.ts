// The check of which managed queues an answer lists (core/presence.ts, issue
// 16 item 1): an answer that lacks queues the trusted ones had is suspect;
// the server is believed only once the same queues have been missing for a
// minute and three looks in a row.
import { describe, expect, test } from "bun:test";
import { checkPresence, type Presence, SUSPECT_AFTER_LOOKS, SUSPECT_AFTER_MS } from "../../src/core/presence.ts";
import type { Observation } from "../../src/core/types.ts";
import { snapshot } from "../helpers/observations.ts";

const MANAGED = ["sidecar", "thumbnailGeneration", "smartSearch", "library", "integrityCheck"];
const listing = (names: string[], at: number): Observation => ({ at, api: "queues", queues: names.map((n) => snapshot(n)) });
const ALL = [...MANAGED, "backgroundTask"];

/** Feeds answers in order; returns each verdict. */
function run(answers: { names: string[]; at: number }[], start?: Presence) {
  let p = start;
  return answers.map(({ names, at }) => {
    const v = checkPresence(p, listing(names, at), MANAGED);
    p = v.presence;
    return v;
  });
}

describe("checkPresence", () => {
  test("the first answer is trusted whatever it lists; a complete one after it too; new queues are welcome", () => {
    const [a, b, c] = run([
      { names: ["sidecar", "backgroundTask"], at: 0 },
      { names: ["sidecar"], at: 1_000 },
      { names: ALL, at: 2_000 },
    ]);
    expect(a!.trusted && b!.trusted && c!.trusted).toBe(true);
    expect(c!.presence.listed).toEqual(MANAGED);
  });

  test("an answer lacking managed queues the previous one had is suspect, naming them; an unmanaged one missing is not", () => {
    const [, b, c] = run([
      { names: ALL, at: 0 },
      { names: ["backgroundTask", "sidecar"], at: 1_000 },
      { names: MANAGED, at: 2_000 },
    ]);
    expect(b).toMatchObject({ trusted: false, missing: ["thumbnailGeneration", "smartSearch", "library", "integrityCheck"] });
    expect(b!.presence.listed).toEqual(MANAGED); // the trusted list is not narrowed by a suspect answer
    expect(c!.trusted).toBe(true);
    expect(c!.gone).toBeUndefined();
  });

  test("an empty list is suspect", () => {
    const [, b] = run([{ names: ALL, at: 0 }, { names: [], at: 10_000 }]);
    expect(b).toMatchObject({ trusted: false, missing: MANAGED });
  });

  test("the same queues missing for a minute and three looks: the server is believed, once, for those", () => {
    const lacking = ALL.filter((q) => q !== "library" && q !== "integrityCheck");
    const looks = [0, 1_000, 3_000, 7_000, 12_000, 22_000, 32_000, 42_000, 52_000, 62_000, 72_000].map((at) => ({ names: at === 0 ? ALL : lacking, at }));
    const verdicts = run(looks);
    const firstTrusted = verdicts.findIndex((v, i) => i > 0 && v.trusted);
    // Missing since 1 s: believed at the first look at least 60 s after that.
    expect(looks[firstTrusted]!.at).toBe(62_000);
    expect(verdicts[firstTrusted]!.gone).toEqual({ queues: ["library", "integrityCheck"], forMs: 61_000, looks: 9 });
    expect(verdicts[firstTrusted]!.presence.listed).toEqual(["sidecar", "thumbnailGeneration", "smartSearch"]);
    // Said once: the next answer is simply trusted.
    expect(verdicts.at(-1)).toMatchObject({ trusted: true });
    expect(verdicts.at(-1)!.gone).toBeUndefined();
  });

  test("a minute is not enough without three looks, nor three looks without a minute", () => {
    const lacking = ALL.filter((q) => q !== "library");
    const slow = run([{ names: ALL, at: 0 }, { names: lacking, at: 1_000 }, { names: lacking, at: 90_000 }]);
    expect(slow.at(-1)!.trusted).toBe(false);
    expect(SUSPECT_AFTER_LOOKS).toBe(3);
    const quick = run([0, 1, 2, 3, 4, 5].map((i) => ({ names: i === 0 ? ALL : lacking, at: i * 1_000 })));
    expect(quick.slice(1).every((v) => !v.trusted)).toBe(true);
    expect(SUSPECT_AFTER_MS).toBe(60_000);
  });

  test("answers that keep changing which queues they lack never settle", () => {
    const looks = [{ names: ALL, at: 0 }];
    for (let i = 1; i <= 40; i++) looks.push({ names: ALL.filter((q) => q !== MANAGED[i % MANAGED.length]), at: i * 5_000 });
    expect(run(looks).slice(1).every((v) => !v.trusted && v.gone === undefined)).toBe(true);
  });

  test("believed for the queues missing all along, still suspect for others missing from this answer only", () => {
    const lacking = ALL.filter((q) => q !== "library");
    const looks = [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000].map((at) => ({ names: at === 0 ? ALL : lacking, at }));
    looks.push({ names: lacking.filter((q) => q !== "sidecar"), at: 71_000 });
    const last = run(looks).at(-1)!;
    expect(last).toMatchObject({ trusted: false, missing: ["sidecar"], gone: { queues: ["library"] } });
    expect(last.presence.listed).toEqual(["sidecar", "thumbnailGeneration", "smartSearch", "integrityCheck"]);
  });
});
