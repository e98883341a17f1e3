// NOTIFY_URL: where notifications go, several separated by spaces. A plain
// http(s) URL is an ntfy topic (https://ntfy.sh/my-topic, or a self-hosted
// ntfy): the message is POSTed as its body with Title, Tags and Priority
// headers, as ntfy's publish API expects. A URL prefixed with json+ (json+https://...)
// is a generic webhook: the same message POSTed as one JSON object. The URL
// itself may hold a secret (webhook URLs often do): it is never logged, only
// its host.

export interface NotifyTarget {
  kind: "ntfy" | "json";
  /** Where to POST (without the json+ prefix). */
  url: string;
  /** What logs may say about it: kind and host, never the path or query. */
  label: string;
}

export function parseNotifyTargets(raw: string): NotifyTarget[] | { problem: string } {
  const words = raw.split(/\s+/).filter((w) => w !== "");
  const out: NotifyTarget[] = [];
  for (const [i, word] of words.entries()) {
    const json = /^json\+/i.test(word);
    const rest = json ? word.slice(5) : word;
    let url: URL;
    try {
      url = new URL(rest);
    } catch {
      return { problem: `${nth(i, words.length)}is not a URL` };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      // "bob:pw@host" parses with the scheme "bob:", which is a user name: named only when it cannot be one.
      const not = /^[a-z][a-z0-9+.-]*:\/\//i.test(rest) || !rest.includes("@") ? `, not ${url.protocol}` : "";
      return { problem: `${nth(i, words.length)}must start with http://, https://, json+http:// or json+https://${not}` };
    }
    if (url.username || url.password) {
      return { problem: `${nth(i, words.length)}must not carry a user name or password; give ntfy's access token in NOTIFY_TOKEN or NOTIFY_TOKEN_FILE` };
    }
    if (!json && (url.pathname === "/" || url.pathname === "")) {
      return { problem: `${nth(i, words.length)}names no ntfy topic; add it as the path, e.g. ${url.origin}/immich-jobs (or prefix json+ for a JSON webhook)` };
    }
    out.push({ kind: json ? "json" : "ntfy", url: url.href, label: `${json ? "webhook" : "ntfy"} at ${url.host}` });
  }
  return out;
}

const ORDINAL = ["first", "second", "third", "fourth", "fifth"];
const nth = (i: number, n: number) => (n === 1 ? "" : `the ${ORDINAL[i] ?? `#${i + 1}`} URL `);
