// The Home Assistant add-on repository, as Home Assistant's Supervisor reads
// it (checks ported from its supervisor/addons/validate.py and options.py:
// the keys config.yaml may have and their values, the option schema's
// element syntax, repository.yaml at the repository's root, add-ons found as
// config.* at any depth), and against the daemon's own variables table: every
// variable is an option (its name in lower case, of the type and limits the
// daemon checks) or listed in DOCS.md as not exposed, with the reason, so a
// new variable cannot be forgotten. The image is run in addon-image.test.ts.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { icon, logo } from "../../scripts/ha-icons.ts";
import { repositoryOf } from "../../scripts/release-lib.ts";
import { loadConfig } from "../../src/config/index.ts";
import { EnvSchema } from "../../src/config/schema.ts";
import { ENV_NAMES, type EnvName, variableDoc } from "../../src/config/variables.ts";
import { ROOT } from "../e2e/helpers.ts";

const ADDON = "homeassistant/immich-job-daemon";
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");
const yaml = <T>(p: string) => Bun.YAML.parse(read(p)) as T;

interface AddonConfig {
  name: string;
  version: string;
  slug: string;
  description: string;
  arch: string[];
  options: Record<string, unknown>;
  schema: Record<string, string>;
  ports?: Record<string, number | null>;
  ports_description?: Record<string, string>;
  [k: string]: unknown;
}
const config = yaml<AddonConfig>(`${ADDON}/config.yaml`);

/** Variables the add-on does not offer as options, and why (DOCS.md says the same to users). */
const NOT_EXPOSED: Partial<Record<EnvName, string>> = {
  CONFIG_FILE: "how the options reach the daemon: /data/options.json",
  STATE_FILE: "kept in /data, the add-on's own storage",
  STATE_DIRECTORY: "fixed to /data by the add-on's Dockerfile",
  TZ: "the Supervisor gives every add-on Home Assistant's time zone (and the environment would win over an option)",
  API_KEY_FILE: "an add-on has no secret files; the password field and !secret do that",
  NOTIFY_TOKEN_FILE: "an add-on has no secret files; the password field and !secret do that",
  CONTROL_TOKEN_FILE: "an add-on has no secret files; the password field and !secret do that",
  HEALTH_FILE: "the image's health check reads the heartbeat where the image puts it",
  PRESSURE_DIR: "an add-on's /proc/pressure is already the host's (PSI is not namespaced)",
};

// ---- Supervisor's rules (supervisor/addons/validate.py, options.py, const.py) ----

const ARCH_ALL = ["armhf", "armv7", "aarch64", "amd64", "i386"];
const RE_SLUG = /^[-_.A-Za-z0-9]+$/;
const RE_SCHEMA_ELEMENT =
  /^(?:|bool|email|url|port|device(?:\((subsystem=[a-z]+)\))?|str(?:\((\d+)?,(\d+)?\))?|password(?:\((\d+)?,(\d+)?\))?|int(?:\((\d+)?,(\d+)?\))?|float(?:\(([\d.]+)?,([\d.]+)?\))?|match\((.*)\)|list\((.+)\))\??$/;
const RE_DOCKER_IMAGE_BUILD = /^([a-zA-Z\-.:\d{}]+\/)*?([-\w{}]+)\/([-\w{}]+)(:[.\-\w{}]+)?$/;

type Check = (v: unknown) => boolean;
const isStr: Check = (v) => typeof v === "string";
const isBool: Check = (v) => typeof v === "boolean";
const oneOf = (...xs: string[]): Check => (v) => typeof v === "string" && xs.includes(v);
const isPorts: Check = (v) =>
  typeof v === "object" && v !== null && Object.entries(v).every(([k, p]) => /^\d+\/(tcp|udp)$/.test(k) && (p === null || (Number.isInteger(p) && (p as number) > 0 && (p as number) < 65536)));
const isStrMap: Check = (v) => typeof v === "object" && v !== null && Object.values(v).every(isStr);
const isList = (item: Check): Check => (v) => Array.isArray(v) && v.every(item);

/** Every key _SCHEMA_ADDON_CONFIG knows (others are silently dropped: a typo would do nothing), with a check of its value. */
const KNOWN_KEYS: Record<string, Check> = {
  name: isStr, version: isStr, slug: (v) => isStr(v) && RE_SLUG.test(v as string), description: isStr,
  arch: isList(oneOf(...ARCH_ALL)), machine: isList(isStr), url: (v) => isStr(v) && /^https?:\/\/\S+$/.test(v as string),
  startup: oneOf("initialize", "system", "services", "application", "once"), boot: oneOf("auto", "manual", "manual_only"),
  init: isBool, advanced: isBool, stage: oneOf("stable", "experimental", "deprecated"), ports: isPorts, ports_description: isStrMap,
  watchdog: isStr, webui: isStr, ingress: isBool, ingress_port: Number.isInteger, ingress_entry: isStr, ingress_stream: isBool,
  panel_icon: isStr, panel_title: isStr, panel_admin: isBool, homeassistant: isStr, host_network: isBool, host_pid: isBool,
  host_ipc: isBool, host_uts: isBool, host_dbus: isBool, devices: isList(isStr), udev: isBool, tmpfs: isBool, map: isList(() => true),
  environment: isStrMap, privileged: isList(isStr), apparmor: (v) => isBool(v) || isStr(v), full_access: isBool, audio: isBool,
  video: isBool, gpio: isBool, usb: isBool, uart: isBool, devicetree: isBool, kernel_modules: isBool, realtime: isBool,
  hassio_api: isBool, hassio_role: oneOf("default", "homeassistant", "backup", "manager", "admin"), homeassistant_api: isBool,
  stdin: isBool, legacy: isBool, docker_api: isBool, auth_api: isBool, services: isList(isStr), discovery: isList(isStr),
  backup_exclude: isList(isStr), backup_pre: isStr, backup_post: isStr, restore_pre: isStr, restore_post: isStr,
  backup: oneOf("hot", "cold"), options: (v) => typeof v === "object" && v !== null, schema: (v) => typeof v === "object" && v !== null,
  image: isStr, ulimits: (v) => typeof v === "object", timeout: (v) => Number.isInteger(v) && (v as number) >= 10 && (v as number) <= 300,
  journald: isBool, breaking_versions: isList(isStr),
};
const REQUIRED_KEYS = ["name", "version", "slug", "description", "arch"];

/** Files in the repository as the Supervisor's git clone would have them (tracked, or new and not ignored). */
function repositoryFiles(): string[] {
  const r = Bun.spawnSync(["git", "ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, stdout: "pipe" });
  return r.stdout.toString().split("\n").filter(Boolean);
}

describe("the add-on repository, as the Supervisor reads it", () => {
  test("repository.yaml at the repository's root: a name, the project's URL", () => {
    const repo = yaml<{ name: string; url: string; maintainer: string }>("repository.yaml");
    expect(typeof repo.name).toBe("string");
    expect(repo.url).toBe(`https://github.com/${repositoryOf(pkg.repository)}`);
    expect(typeof repo.maintainer).toBe("string");
  });

  test("the Supervisor's search (config.json/yaml/yml at any depth, not under a dot folder or rootfs) finds exactly this add-on", () => {
    const found = repositoryFiles().filter((f) => /(^|\/)config\.(json|ya?ml)$/.test(f) && !f.split("/").some((p) => p.startsWith(".") || p === "rootfs"));
    expect(found).toEqual([`${ADDON}/config.yaml`]);
  });

  test("config.yaml: only keys the Supervisor knows, each with a value it accepts, the required ones present", () => {
    for (const key of REQUIRED_KEYS) expect(config).toHaveProperty(key);
    for (const [key, value] of Object.entries(config)) {
      expect(KNOWN_KEYS).toHaveProperty(key);
      if (!KNOWN_KEYS[key]!(value)) throw new Error(`config.yaml: ${key}: ${JSON.stringify(value)} is not what the Supervisor accepts`);
    }
  });

  test("for amd64 and aarch64 (Bun builds no 32-bit ARM), at package.json's version, stopped by SIGTERM within its timeout", () => {
    expect(config.arch).toEqual(["amd64", "aarch64"]);
    expect(config.version).toBe(pkg.version);
    expect(config.init).toBe(false);
    // The default EXIT_TIMEOUT (8 s) fits inside the stop timeout.
    expect(config.timeout).toBeGreaterThan(8);
  });

  test("the options schema: every element in the Supervisor's syntax; defaults only for options in the schema; null only for required ones", () => {
    for (const [key, element] of Object.entries(config.schema)) {
      if (!RE_SCHEMA_ELEMENT.test(element)) throw new Error(`schema ${key}: "${element}" is not an element the Supervisor reads`);
    }
    for (const [key, value] of Object.entries(config.options)) {
      expect(config.schema).toHaveProperty(key);
      if (value === null) expect(config.schema[key]!.endsWith("?")).toBe(false);
    }
    // A required option needs a default or a null (given by the user before the first start).
    for (const [key, element] of Object.entries(config.schema)) if (!element.endsWith("?")) expect(config.options).toHaveProperty(key);
  });

  test("build.yaml builds each architecture from the project's image of the same version", () => {
    const build = yaml<{ build_from: Record<string, string> }>(`${ADDON}/build.yaml`);
    const image = `ghcr.io/${repositoryOf(pkg.repository)}:${pkg.version}`;
    expect(build.build_from).toEqual({ amd64: image, aarch64: image });
    for (const from of Object.values(build.build_from)) expect(from).toMatch(RE_DOCKER_IMAGE_BUILD);
    const dockerfile = read(`${ADDON}/Dockerfile`);
    expect(dockerfile).toContain(`ARG BUILD_FROM=${image}\nFROM \${BUILD_FROM}\n`);
  });

  test("the add-on's Dockerfile reads /data/options.json and blanks every option default the base image sets (the environment would win)", () => {
    const dockerfile = read(`${ADDON}/Dockerfile`);
    expect(dockerfile).toContain("CONFIG_FILE=/data/options.json");
    expect(dockerfile).toContain("STATE_DIRECTORY=/data");
    const base = read("Dockerfile");
    const baseEnv = [...base.slice(base.lastIndexOf("\nENV ")).split("\n\n")[0]!.matchAll(/([A-Z_]+)=\S*/g)].map((m) => m[1]!);
    expect(baseEnv).toContain("MAX_CONCURRENT_JOBS");
    for (const name of baseEnv) {
      if (config.schema[name.toLowerCase()] !== undefined) expect(dockerfile).toMatch(new RegExp(`\\b${name}= \\\\$`, "m"));
    }
  });

  test("icon.png (128x128) and logo.png (250x100) are PNGs drawn by scripts/ha-icons.ts", () => {
    const dims = (b: Buffer) => [b.readUInt32BE(16), b.readUInt32BE(20)];
    const iconFile = readFileSync(join(ROOT, ADDON, "icon.png"));
    const logoFile = readFileSync(join(ROOT, ADDON, "logo.png"));
    expect(iconFile.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(dims(iconFile)).toEqual([128, 128]);
    expect(dims(logoFile)).toEqual([250, 100]);
    expect(iconFile.equals(icon())).toBe(true);
    expect(logoFile.equals(logo())).toBe(true);
  });
});

describe("the add-on's options against the daemon's variables", () => {
  const optionOf = (name: EnvName) => name.toLowerCase();

  test("every variable is an option or listed as not exposed, with a reason, in the test and in DOCS.md; no option that is not a variable", () => {
    const docs = read(`${ADDON}/DOCS.md`);
    for (const name of ENV_NAMES) {
      const exposed = config.schema[optionOf(name)] !== undefined;
      const reason = NOT_EXPOSED[name];
      if (exposed === (reason !== undefined)) {
        throw new Error(`${name}: ${exposed ? "is an option and listed as not exposed" : `is neither an option in ${ADDON}/config.yaml nor listed as not exposed (NOT_EXPOSED here and DOCS.md)`}`);
      }
      if (reason) expect(docs).toContain(`\`${name}\``);
      else expect(docs).toContain(`\`${optionOf(name)}\``);
    }
    for (const key of Object.keys(config.schema)) expect(ENV_NAMES as readonly string[]).toContain(key.toUpperCase());
  });

  test("each option's type and limits are the daemon's: int/float bounds, choices, booleans, passwords for secrets", () => {
    const props = (EnvSchema as unknown as { properties: Record<string, { type?: string; minimum?: number; maximum?: number; anyOf?: { const?: unknown; type?: string }[] }> }).properties;
    for (const [key, element] of Object.entries(config.schema)) {
      const name = key.toUpperCase() as EnvName;
      const p = props[name]!;
      const doc = variableDoc(name);
      let expected: string;
      if (doc.secret) expected = "password";
      else if (name === "IMMICH_URL") expected = "url";
      // A number or auto[:MIN-MAX] (rule 15): the Supervisor checks the shape, the daemon the bounds.
      else if (name === "MAX_CONCURRENT_JOBS") expected = "match(^([1-9][0-9]{0,3}|auto(:[0-9]+-[0-9]+)?)$)";
      else if (doc.accepted.startsWith("a duration")) expected = "str";
      else if (p.type === "integer") expected = `int(${p.minimum},${p.maximum})`;
      else if (p.type === "number") expected = `float(${p.minimum},${p.maximum})`;
      else if (p.type === "boolean") expected = "bool";
      else if (p.anyOf?.every((a) => typeof a.const === "string")) expected = `list(${p.anyOf.map((a) => a.const).join("|")})`;
      else expected = "str";
      expect(`${key}: ${element.replace(/\?$/, "")}`).toBe(`${key}: ${expected}`);
    }
  });

  test("English and Russian translations name and describe every option and the port", () => {
    for (const lang of ["en", "ru"]) {
      const t = yaml<{ configuration: Record<string, { name: string; description: string }>; network: Record<string, string> }>(`${ADDON}/translations/${lang}.yaml`);
      expect(Object.keys(t.configuration).sort()).toEqual(Object.keys(config.schema).sort());
      for (const [key, v] of Object.entries(t.configuration)) {
        expect(`${lang} ${key} ${typeof v.name} ${typeof v.description}`).toBe(`${lang} ${key} string string`);
        expect(v.name.length).toBeGreaterThan(2);
        expect(v.description.length).toBeGreaterThan(10);
      }
      expect(Object.keys(t.network)).toEqual(Object.keys(config.ports ?? {}));
    }
    // The Russian is not the English copied: every name and description is in Cyrillic.
    const ru = yaml<{ configuration: Record<string, { name: string; description: string }> }>(`${ADDON}/translations/ru.yaml`);
    for (const [key, v] of Object.entries(ru.configuration)) expect(`${key}: ${/[а-яё]{4}/i.test(v.name) && /[а-яё]{4}/i.test(v.description)}`).toBe(`${key}: true`);
  });

  test("the defaults, with a URL and a key, are a valid configuration read through CONFIG_FILE", () => {
    const options = { ...config.options, immich_url: "http://192.168.1.10:2283", api_key: "k3yABCDEFGHIJKLMNOP" };
    const r = loadConfig({ CONFIG_FILE: "/data/options.json" }, () => JSON.stringify(options));
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join(" | "));
    expect(r.config).toMatchObject({ immichUrl: "http://192.168.1.10:2283", maxConcurrentJobs: 1, pollIntervalMs: 10_000 });
  });
});
