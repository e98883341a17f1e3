// What the loop says about its cycles beyond each command sent: the decision's
// notices (inventory ones once each, within a budget), a dry run's plan (only
// when it changes) and the periodic "work left" summary. All three keep a
// little memory so that a steady state is not repeated every poll.

import { formatEta, type Eta } from "../core/eta.ts";
import type { Decision } from "../core/types.ts";
import type { Log } from "./log.ts";
import { NOTICE_LIMIT, NoticeBudget } from "./notice-budget.ts";

export class CycleNotices {
  private readonly inventory = new NoticeBudget();
  private lastDryRun = "";
  private etaLoggedAt = -Infinity;

  constructor(
    private readonly log: Log,
    /** Real or simulated ms between two ETA summary lines while there is work. */
    private readonly etaLogEveryMs: number,
  ) {}

  say(decision: Decision) {
    for (const n of decision.notices) {
      // Inventory notices repeat every cycle by nature: say each once.
      if (n.code === "unknown-queue" || n.code === "missing-queue") {
        const admitted = this.inventory.admit(n.code, n.queue);
        if (admitted === "skip") continue;
        if (admitted === "say-limit") {
          this.log.info(`more notices like "${n.message.slice(0, 60)}…" are not logged (${NOTICE_LIMIT} said already)`, { notice: n.code });
          continue;
        }
      }
      this.log[n.level](n.message, { notice: n.code, queue: n.queue });
    }
  }

  /** One summary line at most every few minutes, only while there is work. */
  eta(eta: Eta | undefined, now: number) {
    if (!eta || eta.queues.length === 0 || now - this.etaLoggedAt < this.etaLogEveryMs) return;
    this.etaLoggedAt = now;
    this.log.info(`work left: ${formatEta(eta)}`, {
      etaSeconds: eta.overallMs === null ? undefined : Math.round(eta.overallMs / 1000),
    });
  }

  dryRun(decision: Decision) {
    const plan = decision.actions.map((a) => `${a.kind} ${a.queue}`).join(", ");
    if (plan === this.lastDryRun) return;
    this.lastDryRun = plan;
    for (const a of decision.actions) {
      this.log.info(`[dry run] would ${a.kind} ${a.queue}: ${a.detail}`, { action: a.kind, queue: a.queue, reason: a.reason, dryRun: true });
    }
  }
}
