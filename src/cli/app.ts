// The command line: picks the command from argv and hands it its world. Kept
// apart from src/main.ts so tests can run any command in process with their
// own environment, streams, clock and signal.

import type { Config } from "../config/index.ts";
import { withConfigFile } from "../config/config-file.ts";
import type { ReadFile } from "../config/load.ts";
import { createImmichClient } from "../immich/index.ts";
import { maskedStream, secretMasker } from "../shared/mask.ts";
import { exitCodeAfterSignal } from "../shared/signals.ts";
import { VERSION } from "../shared/version.ts";
import type { CommandIO } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { helpText } from "./help.ts";

/** A command's world (CommandIO) before a configuration exists, plus argv and fetch. */
export type AppIO = Omit<CommandIO, "createClient"> & {
  argv: readonly string[];
  fetch: typeof fetch;
};

const COMMANDS = ["run", "once", "status", "resume-all", "hold", "release", "set-n", "missing", "healthcheck", "simulator", "demo", "help"] as const;

export async function runApp(appIO: AppIO): Promise<number> {
  // A clean stop by a signal that is not a stop request (SIGALRM, SIGXCPU...)
  // exits 128 + its number: see src/shared/signals.ts.
  return exitCodeAfterSignal(await runCommandOf(appIO), appIO.signal.aborted ? appIO.signal.reason : undefined);
}

async function runCommandOf(appIO: AppIO): Promise<number> {
  // Whatever any command writes, the key never reaches the screen or a log.
  const mask = outputMasker(appIO.env, appIO.readFile);
  const io: AppIO = { ...appIO, stdout: maskedStream(appIO.stdout, mask), stderr: maskedStream(appIO.stderr, mask) };
  const [first, ...rest] = io.argv;
  const command = first === undefined || first.startsWith("-") ? "run" : first;
  const args = first === undefined || first.startsWith("-") ? io.argv : rest;

  // An unknown command is an error even beside --help: `bogus --help` must not exit 0.
  if (!(COMMANDS as readonly string[]).includes(command)) return unknownCommand(io, command);

  if (args.includes("-h") || args.includes("--help") || command === "help") {
    if (command === "simulator") return (await import("./simulator-command.ts")).simulatorCommand(["--help"], lineIO(io));
    if (command === "demo") return (await import("./demo-command.ts")).demoCommand(["--help"], { ...toCommandIO(io), fetch: io.fetch });
    io.stdout.write(helpText());
    return EXIT.ok;
  }
  if (args.includes("-V") || args.includes("--version") || args.includes("-v")) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }

  const commandIO = toCommandIO(io);
  const unexpected = (allowed: string[]) => {
    const bad = args.find((a) => !allowed.includes(a));
    if (bad === undefined) return false;
    io.stderr.write(`immich-job-daemon ${command}: unknown argument ${JSON.stringify(bad)}; see --help\n`);
    return true;
  };

  // Each command's code is loaded when it runs (the build keeps each in its own
  // chunk): an idle `run` does not carry `status`'s table or the simulator.
  switch (command) {
    case "run":
      return unexpected([]) ? EXIT.usage : (await import("./run-command.ts")).runCommand(commandIO);
    case "once":
      return unexpected([]) ? EXIT.usage : (await import("./once-command.ts")).onceCommand(commandIO);
    case "status":
      return unexpected(["--json"]) ? EXIT.usage : (await import("./status-command.ts")).statusCommand(commandIO, args.includes("--json"));
    case "resume-all":
      return unexpected(["--own"])
        ? EXIT.usage
        : (await import("./resume-all-command.ts")).resumeAllCommand({ ...commandIO, fetch: io.fetch }, { own: args.includes("--own") });
    case "hold":
    case "release":
    case "set-n":
    case "missing":
      return (await import("./control-command.ts")).controlCommand(command, args, { ...commandIO, fetch: io.fetch });
    case "healthcheck":
      return unexpected([]) ? EXIT.usage : (await import("./healthcheck-command.ts")).healthcheckCommand({ ...commandIO, fetch: io.fetch });
    case "simulator":
      return (await import("./simulator-command.ts")).simulatorCommand(args, lineIO(io));
    case "demo": {
      const { demoCommand } = await import("./demo-command.ts");
      return demoCommand(args, { ...commandIO, fetch: io.fetch });
    }
    default:
      return unknownCommand(io, command);
  }
}

function toCommandIO(io: AppIO): CommandIO {
  const { argv: _argv, ...world } = io;
  return {
    ...world,
    createClient: (config: Config) =>
      createImmichClient({ baseUrl: config.immichUrl, apiKey: config.apiKey, fetch: io.fetch, clock: io.clock, timeoutMs: config.requestTimeoutMs }),
  };
}

function lineIO(io: AppIO) {
  return {
    out: (line: string) => io.stdout.write(line + "\n"),
    err: (line: string) => io.stderr.write(line + "\n"),
    signal: io.signal,
  };
}

/**
 * Hides API_KEY, CONTROL_TOKEN and their files' content (read here too: a key
 * the configuration rejects is still a secret), CONFIG_FILE's included.
 */
export function outputMasker(environment: Record<string, string | undefined>, readFile: ReadFile): (text: string) => string {
  const env = withConfigFile(environment, readFile).env;
  const read = (name: string): string[] => {
    const file = env[name]?.trim();
    if (!file) return [];
    try {
      const text = readFile(file);
      return [text, ...text.split(/\s+/)];
    } catch {
      // Unreadable: loadConfig says so; nothing of it can leak.
      return [];
    }
  };
  return secretMasker([env.API_KEY, ...read("API_KEY_FILE"), env.CONTROL_TOKEN, ...read("CONTROL_TOKEN_FILE")]);
}

function unknownCommand(io: AppIO, command: string): number {
  io.stderr.write(`immich-job-daemon: unknown command ${JSON.stringify(command)}; commands are ${COMMANDS.join(", ")} (see --help)\n`);
  return EXIT.usage;
}
