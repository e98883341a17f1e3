// The configuration's public face: what src/main.ts, the CLI and the README
// generator import.

export { CONFIG_DEFAULTS, CONFIG_VARIABLES, type Config, type LogFormat, type LogLevel, type OnExit, type VariableRow } from "./config.ts";
export { describeConfig, variablesHelp, variablesMarkdown } from "./describe.ts";
export { type ConfigError, formatConfigErrors } from "./errors.ts";
export { type LoadResult, loadConfig, type ReadFile } from "./load.ts";
export { redactSecret, redactUrl } from "../shared/redact.ts";
