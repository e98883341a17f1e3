// Shared set-up for the tests that talk to a running simulator over HTTP: a
// server on a VirtualClock with the contract tests' keys, stopped after each
// test whatever the test did.
import { afterEach } from "bun:test";
import { VirtualClock } from "../../src/shared/clock.ts";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/simulator/server.ts";
import { ALL_KEYS } from "../helpers/openapi-client.ts";

/** Call once at a test file's top level; returns the function that starts a simulator for a test. */
export function simulatorsPerTest(): (opts?: SimulatorOptions) => Promise<Simulator> {
  let sims: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(sims.map((s) => s.stop()));
    sims = [];
  });
  return async (opts = {}) => {
    const s = await startSimulator({ clock: new VirtualClock(), keys: ALL_KEYS, ...opts });
    sims.push(s);
    return s;
  };
}
