// /metrics: the snapshot in Prometheus names (immich_job_daemon_ prefix,
// base units: seconds and unix seconds; counters end in _total). Per queue
// for every queue the server reports (managed or not), per daemon for the
// loop. The metrics table in docs/status-and-notifications.md lists the same names; a test keeps them
// in step.

import type { QueueSnapshot } from "../core/types.ts";
import { type Family, type Sample, writeFamilies } from "./prom-writer.ts";
import type { StatusSnapshot } from "./snapshot.ts";

const P = "immich_job_daemon_";
const flag = (b: boolean) => (b ? 1 : 0);

export function renderMetrics(s: StatusSnapshot): string {
  const obs = s.lastObservation?.queues ?? [];
  const views = new Map((s.lastDecision?.queues ?? []).map((v) => [v.name, v]));
  const statuses = new Map(s.queues.map((q) => [q.name, q]));
  const perQueue = (name: string, help: string, value: (q: QueueSnapshot) => number | undefined): Family => ({
    name: P + name,
    help,
    type: "gauge",
    samples: obs.flatMap((q): Sample[] => {
      const v = value(q);
      return v === undefined ? [] : [{ labels: { queue: q.name }, value: v }];
    }),
  });
  const c = s.counters;
  const families: Family[] = [
    { name: `${P}build_info`, help: "Always 1; the daemon's version and the Immich server's in labels.", type: "gauge", samples: [{ labels: { version: s.version, immich_version: s.server?.version ?? "", api: s.server?.api ?? "" }, value: 1 }] },
    { name: `${P}start_time_seconds`, help: "When the daemon started, in unix seconds.", type: "gauge", samples: [{ value: s.startedAt / 1000 }] },
    { name: `${P}up`, help: "1 while the last look at Immich succeeded (what /readyz says), else 0.", type: "gauge", samples: [{ value: flag(s.health.ready) }] },
    { name: `${P}last_successful_observation_timestamp_seconds`, help: "When Immich last answered a look at its queues, in unix seconds (0: never).", type: "gauge", samples: [{ value: (s.lastSuccessAt ?? 0) / 1000 }] },
    { name: `${P}consecutive_failures`, help: "Failed looks at Immich since the last one that succeeded.", type: "gauge", samples: [{ value: s.health.failures }] },
    { name: `${P}cycles_total`, help: "Observe-decide-act cycles run.", type: "counter", samples: [{ value: c.cycles }] },
    {
      name: `${P}cycle_duration_seconds`,
      help: "How long one cycle took, requests to Immich included.",
      type: "histogram",
      samples: [
        ...c.cycleSeconds.buckets.map((b) => ({ suffix: "_bucket", labels: { le: String(b.le) }, value: b.count })),
        { suffix: "_bucket", labels: { le: "+Inf" }, value: c.cycleSeconds.count },
        { suffix: "_sum", value: c.cycleSeconds.sum },
        { suffix: "_count", value: c.cycleSeconds.count },
      ],
    },
    { name: `${P}actions_total`, help: "Pauses and resumes the daemon sent and Immich accepted, by kind and reason.", type: "counter", samples: c.actions.map((a) => ({ labels: { kind: a.kind, reason: a.reason }, value: a.count })) },
    { name: `${P}api_errors_total`, help: "Failed requests to Immich, by kind of error.", type: "counter", samples: c.apiErrors.map((e) => ({ labels: { kind: e.kind }, value: e.count })) },
    {
      name: `${P}eta_seconds`,
      help: "Seconds until the work pending now is done at the measured rates (absent until measured).",
      type: "gauge",
      samples: s.etas?.overallSeconds === null || s.etas?.overallSeconds === undefined ? [] : [{ value: s.etas.overallSeconds }],
    },
    {
      name: `${P}window_open`,
      help: "1 while the queue's time window (WINDOWS) is open, 0 while closed; only queues with a window.",
      type: "gauge",
      samples: (s.windows ?? []).map((w) => ({ labels: { queue: w.queue, window: w.window }, value: flag(w.open) })),
    },
    {
      name: `${P}ml_up`,
      help: "1 while the machine-learning service (ML_URL) answers its ping, 0 while not; absent without ML_URL.",
      type: "gauge",
      samples: s.gates?.ml ? [{ value: flag(s.gates.ml.up) }] : [],
    },
    {
      name: `${P}host_pressure_high`,
      help: "1 while a pressure stall figure is above its MAX_PRESSURE level (nothing new starts), else 0; absent without MAX_PRESSURE.",
      type: "gauge",
      samples: s.gates?.pressure ? [{ value: flag(s.gates.pressure.length > 0) }] : [],
    },
    {
      name: `${P}owner_hold_until_seconds`,
      help: "When the owner's hold ends, in unix seconds; queue=\"\" is the hold on every managed queue; absent while nothing is held.",
      type: "gauge",
      samples: [
        ...(s.control?.state.all ? [{ labels: { queue: "" }, value: s.control.state.all.until / 1000 }] : []),
        ...Object.entries(s.control?.state.queues ?? {}).map(([queue, h]) => ({ labels: { queue }, value: h.until / 1000 })),
      ],
    },
    { name: `${P}slots_used`, help: "Managed queues occupying a slot (running, or paused with active jobs still finishing).", type: "gauge", samples: [{ value: s.slots.used }] },
    { name: `${P}slots_max`, help: "N: at most this many managed queues occupy a slot (MAX_CONCURRENT_JOBS, or the owner's temporary N while one is set).", type: "gauge", samples: [{ value: s.slots.max }] },
    ...autoCapFamilies(s),
    perQueue("queue_active_jobs", "Jobs running now.", (q) => q.active),
    perQueue("queue_pending_jobs", "Jobs waiting to run (waiting + paused).", (q) => q.waiting + q.paused),
    perQueue("queue_delayed_jobs", "Jobs scheduled for later (not work yet).", (q) => q.delayed),
    perQueue("queue_paused", "1 if the queue is paused.", (q) => flag(q.isPaused)),
    perQueue("queue_managed", "1 if the daemon manages the queue (MANAGED_QUEUES).", (q) => flag(views.get(q.name)?.managed ?? false)),
    perQueue("queue_held", "1 if a person paused it and the daemon will not resume it.", (q) => flag(views.get(q.name)?.held ?? false)),
    perQueue("queue_occupies_slot", "1 if the queue occupies one of the N slots.", (q) => flag(statuses.get(q.name)?.occupiesSlot ?? false)),
    perQueue("queue_eta_seconds", "Seconds until the queue's backlog is done, where the daemon can tell.", (q) => statuses.get(q.name)?.etaSeconds),
  ];
  return writeFamilies(families);
}

/** Rule 15 (MAX_CONCURRENT_JOBS=auto, TUNE_CONCURRENCY): absent unless on. */
function autoCapFamilies(s: StatusSnapshot): Family[] {
  const a = s.autoCap;
  const resources = Object.entries(a?.target ?? {}) as [string, number][];
  return [
    { name: `${P}slots_min`, help: "The lower bound of N under MAX_CONCURRENT_JOBS=auto (N moves between it and slots_range_max with the host's pressure).", type: "gauge", samples: a ? [{ value: a.range.min }] : [] },
    { name: `${P}slots_range_max`, help: "The upper bound of N under MAX_CONCURRENT_JOBS=auto.", type: "gauge", samples: a ? [{ value: a.range.max }] : [] },
    {
      name: `${P}host_pressure_percent`,
      help: "The host's pressure the cap follows: the share of time some task waited for the resource since the previous look (PSI's some total, or PRESSURE_URL's counters), by resource; absent while the source is lost.",
      type: "gauge",
      samples: a?.pressure ? resources.flatMap(([r]) => (a.pressure![r as keyof typeof a.pressure] === undefined ? [] : [{ labels: { resource: r }, value: a.pressure![r as keyof typeof a.pressure]! }])) : [],
    },
    { name: `${P}host_pressure_target_percent`, help: "MAX_PRESSURE: the level the cap keeps each resource's pressure under (rule 15).", type: "gauge", samples: a ? resources.map(([r, v]) => ({ labels: { resource: r }, value: v })) : [] },
    { name: `${P}pressure_source_up`, help: "1 while the pressure source (PSI files or PRESSURE_URL) answers, 0 while it is lost (N then stays at its lower bound).", type: "gauge", samples: a ? [{ value: flag(!a.sourceLost) }] : [] },
    { name: `${P}cap_changes_total`, help: "Changes of N or of a tuned queue's job concurrency the daemon made from the host's pressure.", type: "counter", samples: a ? [{ value: a.changes }] : [] },
    { name: `${P}queue_concurrency`, help: "A tuned queue's job concurrency now (TUNE_CONCURRENCY).", type: "gauge", samples: (a?.queues ?? []).map((q) => ({ labels: { queue: q.name }, value: q.concurrency })) },
    { name: `${P}queue_owner_concurrency`, help: "A tuned queue's job concurrency as its owner set it: the value put back on exit.", type: "gauge", samples: (a?.queues ?? []).map((q) => ({ labels: { queue: q.name }, value: q.owner })) },
  ];
}
