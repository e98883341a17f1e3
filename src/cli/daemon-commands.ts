// The daemon's commands: `run` (the default), `once`, `status`,
// `resume-all` and `healthcheck`, one file each. Each takes its world in
// `CommandIO` (environment, streams, clock, fetch, abort signal) and returns
// an exit code; only src/main.ts touches the real process.

export type { CommandIO } from "./command-io.ts";
export { healthcheckCommand } from "./healthcheck-command.ts";
export { onceCommand } from "./once-command.ts";
export { resumeAllCommand } from "./resume-all-command.ts";
export { runCommand } from "./run-command.ts";
export { statusCommand } from "./status-command.ts";
