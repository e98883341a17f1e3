// Notifications from the compiled binary: a key Immich refuses ends the
// daemon (exit 3), and its last word reaches the ntfy topic before it exits.
import { expect, setDefaultTimeout, test } from "bun:test";
import { startReceiver, until } from "../notify/receivers.ts";
import { cleanEnv, lines, runBinary } from "./helpers.ts";
import { e2eSimsPerTest } from "./helpers-sim.ts";

setDefaultTimeout(15_000);
const startSim = e2eSimsPerTest();

test("a refused key: the daemon says so on the topic, then exits 3; the key is in no message", async () => {
  const sim = await startSim();
  const r = startReceiver();
  try {
    const wrong = "wrong-key-0123456789abcdef";
    const exit = await runBinary(["run"], cleanEnv({ IMMICH_URL: sim.url, API_KEY: wrong, NOTIFY_URL: `${r.url}/immich-jobs`, NOTIFY_TOKEN: "tk_0123456789abcdef" }));
    expect(exit.code).toBe(3);
    await until(() => r.received.length === 1, "the message");
    const m = r.received[0]!;
    expect(m.headers.title).toBe("immich-job-daemon: Immich refused the API key");
    expect(m.headers.priority).toBe("high");
    expect(m.headers.authorization).toBe("Bearer tk_0123456789abcdef");
    expect(m.body).toStartWith("Immich refused the daemon's API key (401): the daemon stops.");
    expect(JSON.stringify(m)).not.toContain(wrong);
    expect(lines(exit.stdout).some((l) => l.includes(`notifications to ntfy at 127.0.0.1:${new URL(r.url).port}`))).toBe(true);
    expect(exit.stdout + exit.stderr).not.toContain("tk_0123456789abcdef");
  } finally {
    r.stop();
  }
});
