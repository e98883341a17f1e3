// `status`: what the daemon would do now, as a table or JSON, from a fresh
// look at Immich, the saved ownership and a running daemon's measured rates.
// It decides like the daemon does but sends no command.

import { blockers } from "../core/blockers.ts";
import { decide } from "../core/decide.ts";
import { etaFromRates } from "../core/eta.ts";
import { emptyOwnership } from "../core/types.ts";
import { heartbeatRates } from "../daemon/heartbeat.ts";
import type { CommandIO } from "./command-io.ts";
import { fail } from "./command-exit.ts";
import { EXIT } from "./exit-codes.ts";
import { newGates, prepare } from "./prepare.ts";
import { terminalSafeJson } from "../shared/escape.ts";
import { statusJson, statusTable } from "./status-table.ts";

/** `status [--json]`: a table of every queue and what the daemon would do now. Sends no command. */
export async function statusCommand(io: CommandIO, json: boolean): Promise<number> {
  const p = prepare(io, { quiet: true });
  if (typeof p === "number") return p;
  try {
    const info = await p.client.connect(io.signal, { checkWrite: false });
    const observation = await p.client.observe(io.signal);
    const saved = p.store.load();
    const gates = await newGates(p, io, { quiet: true }).read(io.signal);
    const blocked = blockers(gates, p.policy.priority);
    const decision = decide({
      observation,
      policy: p.policy,
      ownership: saved.ownership ?? emptyOwnership(),
      adoptPaused: !saved.ownership,
      blockers: blocked,
    });
    const measured = heartbeatRates(p.config.healthFile, io.clock.now());
    const eta = measured ? etaFromRates(measured.rates, observation, p.policy, blocked) : undefined;
    const input = {
      url: p.config.immichUrl,
      version: info.version,
      api: info.api,
      maxConcurrent: p.config.maxConcurrentJobs,
      observation,
      decision,
      gates,
      ...(eta && measured ? { eta: { ...eta, fromPid: measured.pid } } : {}),
    };
    // Queue names and a server's words reach the terminal escaped (issue 16 item 6).
    io.stdout.write((json ? terminalSafeJson(JSON.stringify(statusJson(input), null, 2)) : statusTable(input)) + "\n");
    return EXIT.ok;
  } catch (e) {
    return fail(p.log, e, io.signal);
  }
}
