// The one start-up line that says what the daemon is about to do, with the
// key redacted, and the variables table for `--help` and the README.

import type { Schedule } from "../core/windows.ts";
import { CONFIG_VARIABLES, type Config } from "./config.ts";
import { redactSecret, redactUrl } from "../shared/redact.ts";

const seconds = (ms: number) => `${ms / 1000}s`;
/** As MAX_WAIT is written: 10m, 1h, 90s. */
const duration = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : seconds(ms));

/** "smartSearch,ocr=22:00-06:00; library=Sat,Sun 01:00-05:00": queues sharing a window on one entry. */
function windowsText(s: Schedule): string {
  const byText = new Map<string, string[]>();
  for (const [q, w] of Object.entries(s.windows)) byText.set(w.text, [...(byText.get(w.text) ?? []), q]);
  return [...byText].map(([text, qs]) => `${qs.join(",")}=${text}`).join("; ");
}

/**
 * e.g. `url=http://127.0.0.1:2283 key=abcd… max=1 poll=10s timeout=10s
 * queues=sidecar,metadataExtraction,… unsafe=- on-exit=resume dry-run=no
 * state=- log=info/text` (on one line). key=value pairs so that it can be
 * grepped and read alike.
 */
export function describeConfig(config: Config): string {
  const key = config.apiKeyFile !== undefined ? `(from file ${config.apiKeyFile})` : redactSecret(config.apiKey);
  return [
    `url=${config.immichUrl}`,
    `key=${key}`,
    `max=${config.autoRange ? `auto:${config.autoRange.min}-${config.autoRange.max}` : config.maxConcurrentJobs}`,
    `poll=${seconds(config.pollIntervalMs)}`,
    `min-poll=${seconds(config.minPollIntervalMs)}`,
    `max-wait=${config.maxWaitMs === null ? "off" : duration(config.maxWaitMs)}`,
    `timeout=${seconds(config.requestTimeoutMs)}`,
    `queues=${config.managedQueues.join(",")}`,
    `unsafe=${config.unsafeQueues.length > 0 ? config.unsafeQueues.join(",") : "-"}`,
    `on-exit=${config.onExit}`,
    `dry-run=${config.dryRun ? "yes" : "no"}`,
    `state=${config.stateFile ?? "-"}`,
    `log=${config.logLevel}/${config.logFormat}`,
    ...(config.maxPressure ? [`max-pressure=${Object.entries(config.maxPressure).map(([r, n]) => `${r}=${n}`).join(",")}`] : []),
    ...(config.tuneConcurrency ? ["tune-concurrency=yes"] : []),
    ...(config.pressureUrl ? [`pressure-url=${redactUrl(config.pressureUrl)}`] : config.pressureDir ? [`pressure-dir=${config.pressureDir}`] : []),
    ...(config.mlUrls ? [`ml=${config.mlUrls.map(redactUrl).join(",")}`] : []),
    ...(config.controlToken !== undefined ? ["control=on"] : []),
    ...(config.schedule ? [`windows=${JSON.stringify(windowsText(config.schedule))}`, `tz=${config.schedule.zone}`] : []),
  ].join(" ");
}

/** The variables as plain text for `--help`: name and default, then what it means and accepts, indented. */
export function variablesHelp(): string {
  return CONFIG_VARIABLES.map(
    (v) => `  ${v.name} (default: ${v.default})\n      ${v.meaning}\n      Accepts ${v.accepted}.`,
  ).join("\n");
}

/** The variables as a Markdown table for docs/configuration.md. */
export function variablesMarkdown(): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  return [
    "| variable | default | accepts | meaning |",
    "|---|---|---|---|",
    ...CONFIG_VARIABLES.map(
      (v) => `| \`${v.name}\` | ${cell(v.default)} | ${cell(v.accepted)} | ${cell(v.meaning)} |`,
    ),
  ].join("\n");
}
