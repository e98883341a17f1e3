// The exit clean-up's budget (EXIT_TIMEOUT) must end before the supervisor
// gives up and sends SIGKILL, or a slow Immich turns a clean stop into
// queues left paused (issue 7 item 2). Checked against every stop timeout
// the daemon ships with or meets by default.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_DEFAULTS } from "../../src/config/index.ts";

const root = resolve(import.meta.dir, "../..");
const read = (p: string) => readFileSync(join(root, p), "utf8");
/** What the process needs beyond the budget: to notice the signal, log, write the state file, exit. */
const MARGIN_MS = 1_500;
/** `docker stop` / `docker run` without --stop-timeout: 10 s, then SIGKILL. */
const DOCKER_DEFAULT_STOP_MS = 10_000;

const seconds = (text: string) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1_000);
};

test("the default EXIT_TIMEOUT ends inside systemd's TimeoutStopSec, compose's stop_grace_period and Docker's default", () => {
  const budget = CONFIG_DEFAULTS.exitTimeoutMs;
  const unit = /^TimeoutStopSec=(\S+)$/m.exec(read("deploy/immich-job-daemon.service"))?.[1];
  const compose = /stop_grace_period:\s*(\S+)/.exec(read("deploy/compose.yaml"))?.[1];
  expect(unit).toBeDefined();
  expect(compose).toBeDefined();
  for (const limit of [seconds(unit!), seconds(compose!), DOCKER_DEFAULT_STOP_MS]) {
    expect(budget + MARGIN_MS).toBeLessThanOrEqual(limit);
  }
});
