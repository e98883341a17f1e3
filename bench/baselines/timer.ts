// The floor under the idle cost's baseline (bench/idle-cost.ts): a Bun
// program that only wakes every POLL_INTERVAL and does nothing.
const pollMs = Number(process.env.POLL_INTERVAL ?? 10) * 1000;
setInterval(() => {}, pollMs);
export {};
