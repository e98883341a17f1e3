// The demo's flags: parsed strictly (plain decimals only, like the
// environment in config/coerce.ts), checked against one TypeBox schema, and
// turned into a one-line message naming the flag and what it accepts.

import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { DEFAULT_PROFILE, PROFILE_NAMES } from "../simulator/profiles.ts";
import { SCENARIO_NAMES, SCENARIO_SUMMARIES } from "../simulator/scenarios.ts";

/**
 * Defaults sized so the import fits about a minute: at scale 0.5 (1,000
 * photos, 30 videos) the daemon with N = 2 takes ~1 h 53 min of simulated
 * time (measured in virtual time, seed 1), i.e. ~56 s at 120×.
 */
export const DEMO_DEFAULTS = {
  speed: 120,
  max: 2,
  scenario: "import",
  profile: DEFAULT_PROFILE,
  seed: 1,
  duration: 120,
  scale: 0.5,
  color: true,
  plain: false,
} as const;

const literals = <T extends string>(names: readonly T[]) => Type.Union(names.map((n) => Type.Literal(n)));

export const DemoFlagsSchema = Type.Object({
  speed: Type.Number({ exclusiveMinimum: 0, maximum: 10_000 }),
  max: Type.Integer({ minimum: 1, maximum: 19 }),
  scenario: literals(SCENARIO_NAMES),
  profile: literals(PROFILE_NAMES),
  seed: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 }),
  duration: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }),
  scale: Type.Number({ exclusiveMinimum: 0, maximum: 10 }),
  color: Type.Boolean(),
  plain: Type.Boolean(),
});

export type DemoFlags = Static<typeof DemoFlagsSchema>;

type ValueFlag = "speed" | "max" | "scenario" | "profile" | "seed" | "duration" | "scale";

/** What each value flag accepts, for the error line. */
const ACCEPTS: Record<ValueFlag, string> = {
  speed: "a number of simulated seconds per real second above 0, up to 10000, e.g. --speed 120",
  max: "a whole number from 1 to 19 (MAX_CONCURRENT_JOBS), e.g. --max 2",
  scenario: `one of ${SCENARIO_NAMES.join(", ")}`,
  profile: `one of ${PROFILE_NAMES.join(", ")}`,
  seed: "a whole number from 0 to 4294967295",
  duration: "seconds of real time above 0, up to 86400, e.g. --duration 60",
  scale: "a number above 0, up to 10 (1 = 2,000 photos and 60 videos for the import), e.g. --scale 0.2",
};
const NUMERIC = new Set<ValueFlag>(["speed", "max", "seed", "duration", "scale"]);

/** A bad flag; the message is the whole line to print. */
export class DemoUsageError extends Error {
  override name = "DemoUsageError";
}

/** Plain decimal notation only: "1e3", "0x10", " 5" and "10s" are refused, not guessed at. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** The flags from argv, or "help". Throws DemoUsageError on bad input. */
export function parseDemoArgs(argv: readonly string[]): DemoFlags | "help" {
  const raw: Record<string, unknown> = { ...DEMO_DEFAULTS };
  const given: Partial<Record<ValueFlag, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--no-color") {
      raw.color = false;
      continue;
    }
    if (arg === "--plain") {
      raw.plain = true;
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) as ValueFlag;
    if (!arg.startsWith("--") || !(name in ACCEPTS)) {
      throw new DemoUsageError(
        arg.startsWith("-") ? `unknown option ${eq > 0 ? arg.slice(0, eq) : arg}; see demo --help` : `unexpected argument ${JSON.stringify(arg)}; see demo --help`,
      );
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new DemoUsageError(`--${name} needs a value: ${ACCEPTS[name]}`);
    given[name] = value;
    raw[name] = NUMERIC.has(name) && DECIMAL.test(value) ? Number(value) : value;
  }
  const first = Value.Errors(DemoFlagsSchema, raw).First();
  if (first) {
    const name = first.path.replace(/^\//, "") as ValueFlag;
    throw new DemoUsageError(`--${name} ${JSON.stringify(given[name] ?? String(raw[name]))} is not valid: use ${ACCEPTS[name]}`);
  }
  return raw as DemoFlags;
}

export const DEMO_HELP = `Usage: immich-job-daemon demo [options]

Watch the daemon work without an Immich server: a simulated Immich (the same
simulator as the \`simulator\` command) runs in this process with a big
import, and the real daemon caps it over HTTP on 127.0.0.1, in sped-up time.
The screen shows each managed queue, how long it and all the work have left
(ETAs from the measured drain rates), what the daemon decided and why, and at
the end a summary measured from the simulator's recording. The daemon runs
with its defaults (MAX_WAIT=10m, MIN_POLL_INTERVAL=1s). --scenario backlog
--max 1 shows MAX_WAIT at work: new photos arrive during a long
machine-learning backlog and still get their thumbnails within minutes.

Options:
  --speed X         simulated seconds per real second (default ${DEMO_DEFAULTS.speed})
  --max N           MAX_CONCURRENT_JOBS: managed queues allowed at once (default ${DEMO_DEFAULTS.max})
  --scenario NAME   workload (default ${DEMO_DEFAULTS.scenario}):
${SCENARIO_NAMES.map((n) => `                      ${n}: ${SCENARIO_SUMMARIES[n]}`).join("\n")}
  --scale X         size of the workload, 1 = full size (default ${DEMO_DEFAULTS.scale})
  --profile NAME    Immich version to simulate: ${PROFILE_NAMES.join(", ")} (default ${DEMO_DEFAULTS.profile})
  --seed N          seed of job durations and arrivals (default ${DEMO_DEFAULTS.seed})
  --duration S      stop after S seconds of real time at most (default ${DEMO_DEFAULTS.duration})
  --no-color        no colours (also when NO_COLOR is set)
  --plain           one line per change instead of a redrawn screen (the
                    default when stdout is not a terminal)
  -h, --help        this text

It ends when the work is done or at --duration; Ctrl-C stops it early. Either
way the daemon exits as it would in production: it resumes what it paused.`;
