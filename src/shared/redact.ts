// Secrets never reach a log line or an error message whole: the API key is
// shown by its first few characters at most, a URL's password not at all.

/** Keys shorter than this show no characters at all (4 of 10 would give too much away). */
const MIN_LENGTH_TO_HINT = 12;

/** "abcd…" for a real key (Immich's are 43 characters), "…" for a short one. */
export function redactSecret(secret: string): string {
  return secret.length >= MIN_LENGTH_TO_HINT ? `${secret.slice(0, 4)}…` : "…";
}

/**
 * The URL with any user name and password replaced by "***", and its query
 * and fragment too: they are where keys and tokens travel (`?apiKey=...`).
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.username || url.password || url.search || url.hash) {
      if (url.username || url.password) {
        url.username = "***";
        url.password = "";
      }
      if (url.search) url.search = "?***";
      if (url.hash) url.hash = "#***";
      return url.href;
    }
  } catch {
    // Not a URL: handled below like any other text.
  }
  // No credentials as far as URL parsing goes, but "bob:pw@nas" (no scheme)
  // still reads as one to a person: hide whatever precedes an "@" in the
  // authority part.
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, "$1***@").replace(/([?#]).*$/, "$1***");
}

/**
 * A notification URL as an error may show it: scheme (json+ kept) and host,
 * never a user, password, path or query. Whoever knows an ntfy topic can
 * read and post to it, and webhook URLs carry their token in the path.
 */
export function redactNotifyUrl(raw: string): string {
  const json = /^json\+/i.test(raw) ? raw.slice(0, 5) : "";
  const rest = raw.slice(json.length);
  try {
    const url = new URL(rest);
    if (url.host === "") throw new Error("no host: taken apart by hand below");
    const auth = url.username || url.password ? "***@" : "";
    const path = url.pathname === "/" || url.pathname === "" ? "/" : "/***";
    return `${json}${url.protocol}//${auth}${url.host}${path}${url.search ? "?***" : ""}${url.hash ? "#***" : ""}`;
  } catch {
    // Not a URL we can take apart: what follows a user part, a path, a query or a fragment is hidden all the same.
    const m = /^([a-z][a-z0-9+.-]{0,15}:\/\/)?(.*)$/is.exec(rest);
    const scheme = m?.[1] ?? "";
    const body = m?.[2] ?? "";
    const at = body.lastIndexOf("@");
    const host = (at >= 0 ? body.slice(at + 1) : body).replace(/[/?#].*$/s, "/***");
    return `${json}${scheme}${at >= 0 ? "***@" : ""}${host}`;
  }
}
