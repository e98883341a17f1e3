// Entry point (skeleton; the CLI lands with the daemon).
import { VERSION } from "./shared/version.ts";
console.log(VERSION);
