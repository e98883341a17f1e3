// The loop's side of core/presence.ts (issue 16): before an answer is
// decided on, is it complete enough to be trusted? One that lacks managed
// queues the previous ones listed becomes an unknown cycle (no decision, no
// command, degraded, said once by health.ts); queues missing long enough are
// believed gone, said once here. It also remembers, without a state file,
// which managed queues this process has not seen yet: a paused one is taken
// as the daemon's own the first time an answer lists it (rule 8), even if the
// first answers left it out.

import { checkPresence, type Gone, type Presence, SUSPECT_AFTER_MS } from "../core/presence.ts";
import type { Observation, Ownership } from "../core/types.ts";
import type { ClassifiedError } from "./immich-api.ts";
import type { Log } from "./log.ts";

const SUSPECT_FOR = SUSPECT_AFTER_MS % 60_000 === 0 ? `${SUSPECT_AFTER_MS / 60_000} min` : `${SUSPECT_AFTER_MS / 1000} s`;

export type PresenceCheck =
  /** Decide on it; `adopt`: paused queues among these are the daemon's own (false: none). */
  | { trusted: true; adopt: ReadonlySet<string> | false }
  | { trusted: false; error: ClassifiedError };

export class PresenceWatch {
  private presence: Presence | undefined;
  private readonly unseen: Set<string> | undefined;

  constructor(
    private readonly managed: readonly string[],
    private readonly log: Log,
    /** Whether ownership came from a state file (then nothing is adopted). */
    stateLoaded: boolean,
  ) {
    this.unseen = stateLoaded ? undefined : new Set(managed);
  }

  check(observation: Observation, owned: Ownership): PresenceCheck {
    const verdict = checkPresence(this.presence, observation, this.managed);
    this.presence = verdict.presence;
    if (verdict.gone) this.sayGone(verdict.gone, owned);
    if (!verdict.trusted) {
      const n = verdict.missing.length;
      return {
        trusted: false,
        error: {
          kind: "partial-answer",
          transient: true,
          message:
            `Immich's answer lacks ${verdict.missing.join(", ")}, which its previous answers listed: taking it as incomplete, not as ${n === 1 ? "that queue" : "those queues"} gone; ` +
            `what the daemon paused stays its own (looking again with backoff; after ${SUSPECT_FOR} of such answers the server is believed)`,
        },
      };
    }
    const adopt = new Set<string>();
    if (this.unseen) for (const q of observation.queues) if (this.unseen.delete(q.name)) adopt.add(q.name);
    return { trusted: true, adopt: adopt.size > 0 ? adopt : false };
  }

  /** Queues missing from every answer long enough: the server is believed, once, and said so. */
  private sayGone(g: Gone, owned: Ownership) {
    const them = g.queues.length === 1 ? "it" : "them";
    const paused = g.queues.filter((q) => owned.pausedByUs.includes(q));
    const one = paused.length === 1;
    this.log.warn(
      `${g.queues.join(", ")} missing from every answer for ${Math.round(g.forMs / 1000)} s (${g.looks} looks in a row): ` +
        `taking Immich at its word that it no longer has ${them} (an older version?) and deciding on the other queues again` +
        (paused.length > 0 ? `; the daemon paused ${paused.join(", ")} and still counts ${one ? "it" : "them"} as its own: resumed in turn if ${one ? "it comes" : "they come"} back, and on exit` : ""),
      { kind: "queues-gone", queues: g.queues },
    );
  }
}
