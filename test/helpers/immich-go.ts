// immich-go's upload, as far as Immich's job queues see it, played over HTTP
// against the simulator (read in simulot/immich-go: app/upload/run.go,
// app/upload/ui.go, immich/job.go; flag --pause-immich-jobs, on by default):
// - at the start of an upload it pauses five queues with the legacy command
//   {"command":"pause","force":true}, in this order, and gives up at the
//   first refusal (the ones already paused stay paused);
// - while its UI runs it reads GET /api/jobs every 250 ms (the "server's
//   jobs" sparkline; the --no-ui mode does not poll);
// - at the end (also after Ctrl+C) it resumes the same five, unconditionally,
//   with {"command":"resume","force":true}, stopping at the first error;
// - if the process dies, nothing resumes them.
import type { Clock } from "../../src/shared/clock.ts";

/** The queues immich-go pauses, in its order (app/upload/run.go pauseJobs). */
export const IMMICH_GO_QUEUES = ["thumbnailGeneration", "metadataExtraction", "videoConversion", "faceDetection", "smartSearch"] as const;

/** immich-go's UI polls the server's jobs this often. */
export const IMMICH_GO_POLL_MS = 250;

export class ImmichGo {
  private readonly controller = new AbortController();
  private polling: Promise<void> | undefined;
  /** GET /api/jobs answers received, and the ones that were not 200. */
  polls = 0;
  failedPolls = 0;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly clock: Clock,
  ) {}

  /** The upload starts: pause the five, then poll while it runs. Throws like immich-go on a refusal. */
  async start(): Promise<void> {
    await this.command("pause");
    this.polling = this.poll();
  }

  /** The upload ends (or is interrupted): stop polling, resume the five. */
  async finish(): Promise<void> {
    await this.stopPolling();
    await this.command("resume");
  }

  /** The process dies: the polling stops and nothing is resumed. */
  async crash(): Promise<void> {
    await this.stopPolling();
  }

  private async command(command: "pause" | "resume"): Promise<void> {
    for (const name of IMMICH_GO_QUEUES) {
      const res = await fetch(`${this.url}/api/jobs/${name}`, {
        method: "PUT",
        headers: { "x-api-key": this.key, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ command, force: true }),
      });
      await res.text();
      if (!res.ok) throw new Error(`immich-go: ${command} ${name} answered ${res.status}`);
    }
  }

  private async poll(): Promise<void> {
    const signal = this.controller.signal;
    for (;;) {
      await this.clock.sleep(IMMICH_GO_POLL_MS, signal);
      if (signal.aborted) return;
      const res = await fetch(`${this.url}/api/jobs`, { headers: { "x-api-key": this.key, accept: "application/json" } });
      await res.text();
      this.polls++;
      if (!res.ok) this.failedPolls++;
    }
  }

  private async stopPolling(): Promise<void> {
    this.controller.abort();
    await this.polling;
  }
}
