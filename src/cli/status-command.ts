// `status`: what the daemon would do now, as a table or JSON, from a fresh
// look at Immich, the saved ownership and a running daemon's measured rates.
// It decides like the daemon does but sends no command.

import { blockers } from "../core/blockers.ts";
import { decide } from "../core/decide.ts";
import { etaFromRates } from "../core/eta.ts";
import { type ControlState, inForce, isEmptyControl } from "../core/control.ts";
import { emptyOwnership } from "../core/types.ts";
import { defaultZone } from "../core/zone.ts";
import { own } from "../shared/dict.ts";
import { heartbeatRates } from "../daemon/heartbeat.ts";
import type { CommandIO } from "./command-io.ts";
import { fail } from "./command-exit.ts";
import { EXIT } from "./exit-codes.ts";
import { newGates, newPassThrough, prepare } from "./prepare.ts";
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
    // Whether the storage template is off, so that its queue passes through (core/pass-through.ts), as the daemon reads it.
    const through = newPassThrough(p, io);
    await through.refresh(undefined, io.signal);
    const measured = heartbeatRates(p.config.healthFile, io.clock.now());
    // Rule 15: decide with the running daemon's N, if it moves one.
    const policy = measured?.autoCap ? { ...p.policy, maxConcurrent: measured.autoCap.n } : p.policy;
    // Rule 16: the owner's instructions the state file keeps, those still in force now.
    const zone = p.config.timeZone ?? defaultZone();
    const owner: ControlState | undefined = saved.control ? inForce(saved.control, io.clock.now()).state : undefined;
    const control = owner && !isEmptyControl(owner) ? { state: owner, zone } : undefined;
    const decision = decide({
      observation,
      policy,
      ownership: saved.ownership ?? emptyOwnership(),
      adoptPaused: !saved.ownership,
      blockers: blocked,
      ...(control ? { control } : {}),
      ...(through.queues.length ? { passThrough: through.queues } : {}),
    });
    const eta = measured ? etaFromRates(measured.rates, observation, policy, blocked) : undefined;
    const tuning = saved.tuning
      ? Object.entries(saved.tuning.expected).flatMap(([queue, concurrency]) => (concurrency < (own(saved.tuning!.baseline, queue) ?? concurrency) ? [{ queue, concurrency, owner: own(saved.tuning!.baseline, queue)! }] : []))
      : [];
    const { autoRange, tuneConcurrency, maxPressure } = p.config;
    const autoCap =
      (autoRange || tuneConcurrency || tuning.length > 0) && maxPressure
        ? {
            ...(autoRange ? { range: autoRange } : {}),
            target: maxPressure,
            ...(measured?.autoCap ? { running: { n: measured.autoCap.n, ...(measured.autoCap.lastChange ? { lastChange: measured.autoCap.lastChange } : {}) } } : {}),
            tuning,
          }
        : tuning.length > 0
          ? { target: {}, tuning }
          : undefined;
    const input = {
      url: p.config.immichUrl,
      version: info.version,
      api: info.api,
      maxConcurrent: decision.n ?? policy.maxConcurrent,
      ...(control ? { control } : {}),
      ...(autoCap ? { autoCap } : {}),
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
