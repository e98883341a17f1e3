// The Immich client's public face: what the daemon, the CLI and the tests import.

export { createImmichClient, type ImmichClient, type ImmichClientOptions, type ServerInfo } from "./client.ts";
export { type ErrorKind, ImmichError } from "./errors.ts";
export { type ApiFamily, compareVersions, formatVersion, hasQueuesApi, scopesToGrant, type Version } from "./family.ts";
export type { Fetch } from "./http.ts";
