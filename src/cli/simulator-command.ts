// `immich-job-daemon simulator`: runs the Immich simulator as a server until
// the given signal aborts. One exported function, handed its argv, output
// streams and abort signal by src/main.ts, so tests call it in process and
// the full CLI can mount it as a sub-command. Bad input is one line on
// stderr and exit code 2; a clean stop is 0. Its options (flags, parsing,
// --help) live in simulator-options.ts.

import type { ApiKey } from "../simulator/auth.ts";
import { CONTROL_PREFIX } from "../simulator/control.ts";
import { type SimulatorOptions, SimulatorOptionError, startSimulator } from "../simulator/server.ts";
import { normalJit } from "../shared/jit.ts";
import { parseSimulatorArgs, SIMULATOR_HELP, UsageError } from "./simulator-options.ts";

export interface SimulatorCommandIO {
  /** One line of normal output (the listening line). */
  out: (line: string) => void;
  /** One line of error output. */
  err: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM (src/main.ts wires the signals). */
  signal: AbortSignal;
  /** Makes the generated admin key when --api-key is not given (tests pass a fixed one). */
  randomKey?: () => string;
  /** Told the running simulator's URL and keys once it listens (tests use it). */
  onListening?: (info: { url: string; keys: readonly ApiKey[] }) => void;
}

function defaultRandomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Buffer.from(bytes).toString("base64url").replace(/[-_]/g, "x");
}

/** Runs the simulator until `io.signal` aborts. Returns the exit code. */
export async function simulatorCommand(argv: readonly string[], io: SimulatorCommandIO): Promise<number> {
  normalJit(); // it serves every request and runs the simulated pipeline: hot code
  let opts: SimulatorOptions | "help";
  try {
    opts = parseSimulatorArgs(argv, io.randomKey ?? defaultRandomKey);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`immich-job-daemon simulator: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (opts === "help") {
    for (const line of SIMULATOR_HELP.split("\n")) io.out(line);
    return 0;
  }
  if (io.signal.aborted) return 0;

  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({ ...opts, onError: (e) => io.err(`immich-job-daemon simulator: unexpected error: ${String(e)}`) });
  } catch (e) {
    if (e instanceof SimulatorOptionError) {
      io.err(`immich-job-daemon simulator: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const keys = sim.keys;
  const first = keys[0];
  const keyText =
    keys.length === 1 && first
      ? `API key: ${first.key}`
      : `API keys: ${keys.map((k) => `${k.key} (${k.label}${k.admin ? "" : ", user"}: ${k.scopes.join(",")})`).join(", ")}`;
  const speed = opts.speed ?? 1;
  io.out(
    `Immich simulator ${sim.profile.name} listening on ${sim.url} (scenario ${opts.scenario ?? "idle"}, speed ${speed}x) - ${keyText}`,
  );
  if (sim.ml) io.out(`Machine-learning service listening on ${sim.ml.url} (switch it with PUT ${CONTROL_PREFIX}/ml {"up":false})`);
  if (opts.host !== undefined) {
    const h = sim.engine.host();
    const where = [opts.psiDir ? `PSI files in ${opts.psiDir}` : "", sim.exporter ? `node_exporter metrics at ${sim.exporter.url}` : ""].filter(Boolean);
    io.out(`Modelled host ${opts.host}, ${h?.cores ?? "?"} cores${where.length > 0 ? `: ${where.join(", ")}` : ""} (outside load: POST ${CONTROL_PREFIX}/host)`);
  }
  io.onListening?.({ url: sim.url, keys });

  await new Promise<void>((resolve) => {
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await sim.stop();
  return 0;
}
