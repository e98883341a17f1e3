// STATUS_ADDR forms: a bare port is loopback only; every other interface is asked for by name.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";
import { localUrl, parseListenAddress } from "../../src/shared/listen-address.ts";

describe("STATUS_ADDR", () => {
  test.each([
    ["8080", { hostname: "127.0.0.1", port: 8080 }],
    [" 9000 ", { hostname: "127.0.0.1", port: 9000 }],
    ["0", { hostname: "127.0.0.1", port: 0 }],
    ["127.0.0.1:8080", { hostname: "127.0.0.1", port: 8080 }],
    ["0.0.0.0:8080", { hostname: "0.0.0.0", port: 8080 }],
    ["[::]:8080", { hostname: "::", port: 8080 }],
    ["[::1]:9", { hostname: "::1", port: 9 }],
    ["localhost:8080", { hostname: "localhost", port: 8080 }],
    ["nas.lan:8080", { hostname: "nas.lan", port: 8080 }],
  ])("%p listens on %p", (raw, want) => {
    expect(parseListenAddress(raw)).toEqual(want);
  });

  test.each([
    [":8080", "names no host; write 127.0.0.1:8080 (this machine only) or 0.0.0.0:8080 (every interface)"],
    ["65536", "port 65536 is above 65535"],
    ["http://0.0.0.0:8080", "is not a port or host:port (an IPv6 address goes in brackets: [::1]:8080)"],
    ["0.0.0.0", "is not a port or host:port (an IPv6 address goes in brackets: [::1]:8080)"],
    ["eight", "is not a port or host:port (an IPv6 address goes in brackets: [::1]:8080)"],
    ["::1:8080", "is not a port or host:port (an IPv6 address goes in brackets: [::1]:8080)"],
  ])("%p is refused: %s", (raw, problem) => {
    expect(parseListenAddress(raw)).toEqual({ problem });
  });

  test("a bad STATUS_ADDR is one configuration error naming it and what it accepts", () => {
    const r = loadConfig({ API_KEY: "k", STATUS_ADDR: ":8080" }, () => "");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.message)).toEqual([
      'STATUS_ADDR=":8080": names no host; write 127.0.0.1:8080 (this machine only) or 0.0.0.0:8080 (every interface). Accepts a port (8080: this machine only), or host:port (127.0.0.1:8080; 0.0.0.0:8080 or [::]:8080 for every interface).',
    ]);
  });

  test("unset, there is no server; set, the config carries where to listen", () => {
    const off = loadConfig({ API_KEY: "k" }, () => "");
    expect(off.ok && off.config.statusAddr).toBe(undefined);
    const on = loadConfig({ API_KEY: "k", STATUS_ADDR: "8080" }, () => "");
    expect(on.ok && on.config.statusAddr).toEqual({ hostname: "127.0.0.1", port: 8080 });
  });

  test("healthcheck reaches a wildcard-bound server through loopback", () => {
    expect(localUrl({ hostname: "0.0.0.0", port: 80 })).toBe("http://127.0.0.1:80");
    expect(localUrl({ hostname: "::", port: 80 })).toBe("http://[::1]:80");
    expect(localUrl({ hostname: "nas.lan", port: 80 })).toBe("http://nas.lan:80");
  });
});
