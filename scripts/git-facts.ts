// The commit a build is made from and the tags on it, for the version a build
// from a checkout says (release-lib.ts checkoutVersion). Used by build.ts and
// by the tests, which rebuild their binary when the checkout's commit moved.

/**
 * The short commit and the tags on it, when `root` is a git checkout with git
 * installed; in a Docker build context (no .git) the commit the Dockerfile
 * was given (BUILD_REVISION); else nothing.
 */
export function gitFacts(root: string, env: Record<string, string | undefined> = process.env): { commit?: string; exactTags?: string[] } {
  const git = (args: string[]) => {
    try {
      const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "ignore" });
      return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
    } catch {
      return undefined; // no git on this machine
    }
  };
  const commit = git(["rev-parse", "--short=7", "HEAD"]);
  if (commit === undefined) {
    const given = env.BUILD_REVISION?.trim().slice(0, 7);
    return given ? { commit: given } : {};
  }
  return { commit, exactTags: (git(["tag", "--points-at", "HEAD"]) ?? "").split("\n").filter(Boolean) };
}
