// Placeholder replaced by the demo (in progress).
import type { CommandIO } from "./daemon-commands.ts";
export async function demoCommand(_args: readonly string[], io: CommandIO & { fetch: typeof fetch }): Promise<number> {
  io.stderr.write("demo: not built yet\n");
  return 1;
}
