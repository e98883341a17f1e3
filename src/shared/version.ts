// The version string. `bun build` bakes it in through a --define of
// BUILD_VERSION (scripts/build.ts); run from source it is package.json's.
import pkg from "../../package.json" with { type: "json" };

declare const BUILD_VERSION: string | undefined;

export const VERSION: string =
  typeof BUILD_VERSION === "string" ? BUILD_VERSION : `${pkg.version}-dev`;
