// STATUS_ADDR: where the status server listens. A bare port binds loopback
// only, so turning the server on never exposes it to the network by
// accident; every other interface has to be named (0.0.0.0:8080, [::]:8080).

export interface ListenAddress {
  hostname: string;
  port: number;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** "8080", "127.0.0.1:8080", "0.0.0.0:8080", "[::1]:8080", "localhost:8080"; port 0 picks a free one. */
export function parseListenAddress(raw: string): ListenAddress | { problem: string } {
  const s = raw.trim();
  if (/^\d{1,5}$/.test(s)) return port(s, "127.0.0.1");
  if (/^:\d{1,5}$/.test(s)) return { problem: `names no host; write 127.0.0.1${s} (this machine only) or 0.0.0.0${s} (every interface)` };
  const m = HOST_PORT.exec(s);
  if (!m) return { problem: "is not a port or host:port (an IPv6 address goes in brackets: [::1]:8080)" };
  return port(m[3]!, m[1] ?? m[2]!);
}

function port(digits: string, hostname: string): ListenAddress | { problem: string } {
  const n = Number(digits);
  if (n > 65535) return { problem: `port ${n} is above 65535` };
  return { hostname, port: n };
}

/** Where a client on this machine reaches a server bound to `addr` (the wildcard addresses are not destinations). */
export function localUrl(addr: ListenAddress): string {
  const host = addr.hostname === "0.0.0.0" ? "127.0.0.1" : addr.hostname === "::" ? "::1" : addr.hostname;
  return `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}`;
}
