// The idle cost's baseline (bench/idle-cost.ts): what Bun itself costs to
// poll Immich's queues every POLL_INTERVAL and nothing else: one fetch, the
// body read and parsed, a sleep. Compiled with the daemon's own build flags
// in the same benchmark run, so the daemon's figures are read against it.
const pollMs = Number(process.env.POLL_INTERVAL ?? 10) * 1000;
const url = `${process.env.IMMICH_URL}/api/queues`;
const headers = { "x-api-key": process.env.API_KEY ?? "" };

for (;;) {
  try {
    JSON.parse(await (await fetch(url, { headers })).text());
  } catch {
    // An idle measurement: nothing to do about a failed look.
  }
  await Bun.sleep(pollMs);
}
export {};
