// The chaos guard in CI (issue 7 item 10): every profile, thousands of
// cycles in virtual time under random faults, zero violations of the
// invariants chaos-run.ts checks. Bounded: a fixed number of fault episodes
// per profile and fixed seeds, a few seconds in all.
import { expect, test } from "bun:test";
import { PROFILE_NAMES } from "../../src/simulator/profiles.ts";
import { chaosRun, type ChaosReport, KINDS } from "./chaos-run.ts";

const EPISODES = 30;
const MIN_CYCLES = 1_500;

test("every profile under random faults (partial queue lists included): no crash, no action on an untrusted or partial answer, cap never exceeded by the daemon, cap restored within two cycles, nothing unmanaged touched, no person's pause undone, nothing left paused", async () => {
  const reports: ChaosReport[] = [];
  for (const [i, profile] of PROFILE_NAMES.entries()) reports.push(await chaosRun(profile, 100 + i, EPISODES));
  const cycles = reports.reduce((a, r) => a + r.cycles, 0);
  const faults = reports.reduce((a, r) => a + r.faults, 0);
  const violations = reports.flatMap((r) => r.violations.map((v) => `${r.profile}: ${v}`));
  const worst = Math.max(...reports.map((r) => r.worstRecoveryMs));
  console.log(`chaos: ${PROFILE_NAMES.length} profiles, ${cycles} cycles, ${faults} faults, ${violations.length} violations, worst recovery ${(worst / 1000).toFixed(1)} s`);
  expect(violations).toEqual([]);
  expect(cycles).toBeGreaterThan(MIN_CYCLES);
  // Every kind of fault was injected somewhere.
  const kinds = new Set(reports.flatMap((r) => Object.keys(r.byKind)));
  expect([...kinds].sort()).toEqual([...KINDS].sort());
}, 60_000);
