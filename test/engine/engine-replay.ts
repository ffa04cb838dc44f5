// What the replays of the real engine's recordings (test/fixtures/docker/engine/*.json, docker CLI
// 28.2.2 against dockerd 20.10.24 at API 1.41) share: loading a recording, the simulation it is
// replayed on (one host named `vm` as the recording machine, the four images the recorder
// imported already pulled), the recorder's unrecorded set-up between steps (record-engine.sh's
// `quiet`, `wait_running` and `sleep`), a normaliser for what varies per run (ids as numbered
// placeholders, times, PIDs, the recording machine's paths), a field-by-field comparison of JSON,
// and the replay loop itself, which drives each step through a path given by the caller:
// `sim.exec` and the in-process Engine API (test/engine/engine-differential.test.ts) or the real
// docker binary and HTTP (test/node/engine-real-cli.test.ts). Where swarmsim still differs from the
// recording for a reason, the difference is in `knownDifferences`, the one table of them, each with
// its reason (and listed in docs/differences.md).
//
// Time: simulated time moves on by each step's recorded `durationMs` and by the recorder's sleeps,
// so timeouts (`docker stop`'s 10 s grace) and "Up 1 second" line up roughly; relative times are
// still normalised, because the recorder's unrecorded work (jq, curl, the script) took wall-clock
// time that no step records, and the real CLI computes "ago" against the real clock, not the
// simulation's (which starts at 2025-06-01).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Simulation } from "swarmsim";

/** The recording machine's hostname: the simulated host gets it, so `Name: vm` and the like match. */
export const recordingHostname = "vm";

const fixtureDirectory = fileURLToPath(new URL("../fixtures/docker/engine/", import.meta.url));

/** A CLI step of a recording. */
export interface EngineCliStep {
  readonly command: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly note?: string;
}

/** A multiplexed frame as the recorder decoded it. */
export interface RecordedFrame {
  readonly stream: "stdout" | "stderr";
  readonly size: number;
  readonly text: string;
}

/** An API step of a recording (curl over the daemon's socket). */
export interface EngineApiStep {
  readonly request: string;
  readonly requestTemplate?: string;
  readonly requestBody?: unknown;
  readonly statusCode: number;
  readonly contentType?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly bodyEncoding?: "base64";
  readonly decodedFrames?: readonly RecordedFrame[];
  readonly durationMs: number;
  readonly note?: string;
}

/** One step of a recording. */
export type EngineStep = EngineCliStep | EngineApiStep;

/** A recording of the real engine. */
export interface EngineRecording {
  readonly scenario: string;
  readonly description: string;
  readonly dockerEngineVersion: string;
  readonly steps: readonly EngineStep[];
}

/** Whether a step is a CLI step. */
export function isCliStep(step: EngineStep): step is EngineCliStep {
  return "command" in step;
}

/** Reads a recording by scenario name (`run-detached`). */
export function loadEngineRecording(scenario: string): EngineRecording {
  return JSON.parse(readFileSync(`${fixtureDirectory}${scenario}.json`, "utf8")) as EngineRecording;
}

/** Every engine recording's scenario name, sorted. */
export const engineScenarios: readonly string[] = readdirSync(fixtureDirectory)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.replace(/\.json$/, ""))
  .sort();

/** A step's key in `knownDifferences`: its command, or its request with `{id}` templates. */
export function stepKey(step: EngineStep): string {
  return isCliStep(step) ? step.command : (step.requestTemplate ?? step.request);
}

// ------------------------------------------------------------------ the simulation

/** The images record-engine.sh imported before any scenario (busybox-static root filesystems). */
export const recordedImages = ["alpine", "busybox", "nginx", "redis"] as const;

/**
 * A simulation as the recording machine was before a scenario: one booted host named `vm`, and
 * the four images present. The recorder imported them (no registry there); here they are pulled
 * from the simulated registry, so they are the real images (sizes, history, programs' output), not
 * the recording's busybox stand-ins: see `knownDifferences`.
 */
export function engineSimulation(scenario: string): Simulation {
  const sim = new Simulation({ seed: `engine-replay-${scenario}` });
  sim.addHost(recordingHostname);
  sim.runFor(1_000);
  for (const image of recordedImages) {
    const pulled = sim.exec(recordingHostname, `docker pull -q ${image}`);
    if (pulled.exitCode !== 0) throw new Error(`set-up: docker pull ${image}: ${pulled.stderr}`);
  }
  // The recorder's images were imported seconds to minutes before each scenario.
  sim.runFor(2_000);
  return sim;
}

/** One unrecorded action of record-engine.sh between recorded steps. */
export type SetUpAction =
  /** `quiet docker ...`: run, output discarded. */
  | { readonly quiet: string }
  /** `wait_running NAME`: poll `docker inspect -f '{{.State.Running}}'` every 0.1 s until true. */
  | { readonly waitRunning: string }
  /** `sleep N` of the script, in ms. */
  | { readonly sleepMs: number };

/**
 * record-engine.sh's unrecorded set-up, by scenario and the index of the recorded step it came
 * before (`Infinity` never: an API scenario's set-up before step 0). Copied from the script, so
 * that the simulated engine is in the state the real one was and time has moved about as much.
 */
export const unrecordedSetUp: Readonly<Record<string, Readonly<Record<number, readonly SetUpAction[]>>>> = {
  "run-detached": { 1: [{ waitRunning: "web" }, { sleepMs: 1_200 }], 9: [{ waitRunning: "web" }, { sleepMs: 300 }] },
  "rm-running": { 1: [{ waitRunning: "web" }] },
  "publish-port": { 1: [{ waitRunning: "pub" }, { sleepMs: 1_200 }], 4: [{ waitRunning: "unpub" }, { sleepMs: 1_200 }] },
  "restart-policy": { 1: [{ waitRunning: "always" }] },
  "resource-limits": { 1: [{ waitRunning: "limited" }] },
  "stop-timing": {
    1: [{ waitRunning: "sleeper" }, { sleepMs: 500 }],
    4: [{ waitRunning: "sleeper2" }, { sleepMs: 500 }],
    7: [{ waitRunning: "nginx1" }, { sleepMs: 500 }],
    9: [{ waitRunning: "redis1" }, { sleepMs: 500 }],
  },
  "api-containers": {
    0: [{ quiet: "docker run -d --name web nginx" }, { waitRunning: "web" }, { quiet: "docker create --name echoer alpine sh -c 'echo hello from stdout; echo hello from stderr >&2; echo second line; exit 3'" }],
  },
  "api-networks": { 0: [{ quiet: "docker network create net1" }] },
  "api-volumes": { 1: [{ quiet: "docker volume create vol1" }] },
  exec: {
    0: [{ quiet: "docker run -d --name web alpine sleep 3600" }, { waitRunning: "web" }],
    8: [{ sleepMs: 1_500 }],
    11: [{ quiet: "docker run --name stopped alpine true" }],
    13: [{ quiet: "docker run -d --name late alpine sh -c 'sleep 1; echo late; echo late-err >&2; exit 6'" }, { waitRunning: "late" }],
    20: [{ sleepMs: 500 }],
  },
};

/** Polls of `wait_running` before giving up (the script's `seq 1 50`). */
const waitRunningPollsMax = 50;
/** The script's `sleep 0.1` between polls. */
const waitRunningPollIntervalMs = 100;

/** Runs record-engine.sh's unrecorded set-up before step `index` of `scenario`, through `sim.exec`. */
export function runUnrecordedSetUp(sim: Simulation, scenario: string, index: number): void {
  for (const action of unrecordedSetUp[scenario]?.[index] ?? []) {
    if ("quiet" in action) sim.exec(recordingHostname, action.quiet);
    else if ("sleepMs" in action) sim.runFor(action.sleepMs);
    else {
      for (let poll = 0; poll < waitRunningPollsMax; poll++) {
        if (sim.exec(recordingHostname, `docker inspect -f '{{.State.Running}}' ${action.waitRunning}`).stdout === "true\n") break;
        sim.runFor(waitRunningPollIntervalMs);
      }
    }
  }
}

// ------------------------------------------------------------------ normalisation

/** A 64-hex id (container, image, network, exec, layer): per run. */
const longIdPattern = /[0-9a-f]{64}/g;
/** A 12-hex short id (tables, `ps -q`, hostnames, error texts): per run. */
const shortIdPattern = /\b[0-9a-f]{12}\b/g;
/** RFC 3339 times (`Created`, `StartedAt`...): per run. Go's zero time is kept: it says "never". */
const rfc3339Pattern = /\b(?!0001-01-01T00:00:00Z)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g;
/** go-units `HumanDuration`, as docker prints it in CREATED and STATUS: depends on when the table was printed. */
const humanDuration = String.raw`(?:Less than a second|About a minute|About an hour|\d+ (?:second|minute|hour|day|week|month|year)s?)`;
const relativeTimePattern = new RegExp(`${humanDuration} ago|(?<=Up )${humanDuration}`, "g");
/** The daemon id of `docker info` (`XXXX:XXXX:...`, twelve groups): per daemon. */
const daemonIdPattern = /\b[0-9A-Z]{4}(?::[0-9A-Z]{4}){11}\b/g;
/** The recorder's scratch directory: `--data-root` and `--exec-root` there instead of a default install's. */
const recordingRoots: readonly (readonly [string, string])[] = [
  ["/tmp/swarmsim-record-engine/data", "/var/lib/docker"],
  ["/tmp/swarmsim-record-engine/exec", "/var/run/docker"],
];

/**
 * What varies per run, replaced for one run (the recording, or the simulation): ids become
 * placeholders numbered in order of first appearance (`<id3>`, `<id3:12>` for its short form), so
 * that two runs compare equal exactly when the same ids appear in the same places; times and
 * relative times become `<time>` and `<ago>`; the recording machine's paths become a default
 * install's.
 */
export class RunNormaliser {
  /** Placeholder number by an id's first 12 characters (its short form). */
  private readonly numbers = new Map<string, number>();
  /** The long and short forms seen, by placeholder number. */
  private readonly longIds = new Map<number, string>();
  private readonly shortIds = new Map<number, string>();

  /** Placeholder number by overlay2 layer directory (or layer digest): a namespace of its own, see `text`. */
  private readonly layers = new Map<string, number>();

  /** `text` with this run's per-run values replaced. */
  text(text: string): string {
    let result = text;
    for (const [recorded, simulated] of recordingRoots) result = result.replaceAll(recorded, simulated);
    return (
      result
        // overlay2's layer directories are numbered apart from the other ids: the recording's images have one layer,
        // the simulated ones several, and their extra directories must not shift the numbers of the ids after them.
        .replace(/(?<=\/overlay2\/)[0-9a-f]{64}/g, (id) => this.layer(id))
        .replace(longIdPattern, (id) => `<id${this.number(id)}>`)
      .replace(shortIdPattern, (id) => `<id${this.number(id)}:12>`)
      .replace(rfc3339Pattern, "<time>")
      .replace(relativeTimePattern, "<ago>")
        .replace(daemonIdPattern, "<daemon id>")
        // The recording's daemon is Debian's 20.10.24; swarmsim presents 28.2.2 (docs/differences.md, Versions).
        .replaceAll("20.10.24+dfsg1", "28.2.2")
    );
  }

  private layer(id: string, kind = "layer"): string {
    const key = `${kind} ${id}`;
    let number = this.layers.get(key);
    if (number === undefined) {
      number = [...this.layers.keys()].filter((existing) => existing.startsWith(`${kind} `)).length + 1;
      this.layers.set(key, number);
    }
    return `<${kind}${number}>`;
  }

  /**
   * A table's text with its cells' padding reduced to two spaces: a relative time (or another
   * per-run cell) of another width widens its whole column, in docker's tabwriter tables.
   */
  table(text: string): string {
    return this.text(text).replace(/ {2,}/g, "  ").replace(/ +$/gm, "");
  }

  /**
   * A JSON value with its strings normalised as `text`, `Pid` numbers (the kernel's process ids)
   * as `<pid>` when not 0 (0 says "not running"), and unix-second `Created` numbers as `<time>`.
   */
  json(value: unknown, key = ""): unknown {
    // An image's layer digests (`RootFS.Layers`) are numbered with the layer directories, for the same reason.
    if (typeof value === "string" && key === "Layers") return value.replace(/(?<=^sha256:)[0-9a-f]{64}$/, (id) => this.layer(id, "image layer"));
    // A container's lower directories after its `-init` one are its image's layers: numbered apart too.
    if (typeof value === "string" && key === "LowerDir") {
      return value
        .split(":")
        .map((directory, index) => (index === 0 ? this.text(directory) : directory.replace(/(?<=\/overlay2\/)[0-9a-f]{64}/, (id) => this.layer(id, "image layer"))))
        .join(":");
    }
    if (typeof value === "string") return this.text(value);
    if (typeof value === "number" && value !== 0 && (key === "Pid" || key === "Created")) return key === "Pid" ? "<pid>" : "<time>";
    if (Array.isArray(value)) return value.map((entry) => this.json(entry, key));
    if (value !== null && typeof value === "object") {
      // Keys in sorted order, so that ids are numbered alike whatever order each engine writes its fields in
      // (20.10 and 28 order some differently; the comparison does not look at the order).
      const result: Record<string, unknown> = {};
      for (const name of Object.keys(value).sort()) result[this.text(name)] = this.json((value as Record<string, unknown>)[name], name);
      return result;
    }
    return value;
  }

  /**
   * `text` of the other run (`other` has normalised it already) with its ids turned into this
   * run's, for a recorded command or request path that names an id.
   */
  translate(text: string, other: RunNormaliser): string {
    return other.text(text).replace(/<id(\d+)(:12)?>/g, (placeholder, number: string, short?: string) => {
      const id = (short === undefined ? this.longIds : this.shortIds).get(Number(number)) ?? this.longIds.get(Number(number))?.slice(0, 12);
      if (id === undefined) throw new Error(`the replay has not seen ${placeholder} yet (in ${text})`);
      return id;
    });
  }

  private number(id: string): number {
    const prefix = id.slice(0, 12);
    let number = this.numbers.get(prefix);
    if (number === undefined) {
      number = this.numbers.size + 1;
      this.numbers.set(prefix, number);
    }
    (id.length === 12 ? this.shortIds : this.longIds).set(number, id);
    return number;
  }
}

/** The JSON that `text` holds, or undefined when it is not JSON (docker's inspect output is). */
export function parseJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * The differences between two normalised JSON values, field by field: a field missing on either
 * side, a different type, a different number of entries, a different value. Each is one line,
 * `path: what`, the path as `.State.Pid` and `[0]` for entries. A path that `excused` accepts is not
 * compared (nor anything under it).
 */
export function compareJson(expected: unknown, actual: unknown, excused: (path: string) => boolean, path = ""): string[] {
  if (excused(path)) return [];
  const expectedType = typeName(expected);
  const actualType = typeName(actual);
  if (expectedType !== actualType) return [`${path || "."}: expected ${expectedType} ${JSON.stringify(expected)}, got ${actualType} ${JSON.stringify(actual)}`];
  if (expectedType === "array") {
    const left = expected as unknown[];
    const right = actual as unknown[];
    if (left.length !== right.length) return [`${path || "."}: expected ${left.length} entries ${JSON.stringify(left)}, got ${right.length} ${JSON.stringify(right)}`];
    return left.flatMap((entry, index) => compareJson(entry, right[index], excused, `${path}[${index}]`));
  }
  if (expectedType === "object") {
    const left = expected as Record<string, unknown>;
    const right = actual as Record<string, unknown>;
    const differences: string[] = [];
    for (const name of Object.keys(left)) {
      if (!(name in right)) {
        if (!excused(`${path}.${name}`)) differences.push(`${path}.${name}: missing (expected ${JSON.stringify(left[name])})`);
      } else differences.push(...compareJson(left[name], right[name], excused, `${path}.${name}`));
    }
    for (const name of Object.keys(right)) {
      if (!(name in left) && !excused(`${path}.${name}`)) differences.push(`${path}.${name}: not expected (got ${JSON.stringify(right[name])})`);
    }
    return differences;
  }
  return expected === actual ? [] : [`${path || "."}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

// ------------------------------------------------------------------ known differences

/** Which way a step goes to the simulated engine. */
export type ReplayPath = "exec" | "api" | "real-cli" | "http";

/**
 * A difference between the recording and swarmsim that is known and explained: a whole step not
 * compared, or parts of it (JSON fields, lines of text). Every entry is also listed in
 * docs/differences.md.
 */
export interface KnownDifference {
  /** The scenario, or `*` for every scenario. */
  readonly scenario: string;
  /** The step (`stepKey`), or absent for every step of the scenario. */
  readonly step?: string;
  /** The step's index in the recording, where the same key comes more than once. */
  readonly index?: number;
  /** JSON paths not compared (`.State.Pid`, `[0].Config.Env`), matched against the whole path. */
  readonly fields?: RegExp;
  /** Lines of text output (stdout or stderr) dropped from both sides before comparing. */
  readonly lines?: RegExp;
  /** The recorded stdout cut to what this replay can have produced (see the reason). */
  readonly recordedStdout?: (stdout: string) => string;
  /** The exit code swarmsim gives instead of the recorded one. */
  readonly simulatedExitCode?: number;
  /** The paths it applies to (absent: all). */
  readonly through?: readonly ReplayPath[];
  /** Why; with neither `fields`, `lines`, `recordedStdout` nor `simulatedExitCode`, the whole step is not compared. */
  readonly reason: string;
}

/** Why the images differ from the recording's: it imported a busybox-static root filesystem under four names. */
const fakeImages =
  "the recorder had no registry and imported one busybox-static root filesystem as alpine, busybox, nginx and redis (1.98 MB, no history, WorkingDir \"\", PATH only); swarmsim pulls the real images from its simulated registry";
/** Why 20.10 answers differ from 28's where swarmsim follows 28. */
const olderDaemon = "the recording's daemon is dockerd 20.10.24 at API 1.41; swarmsim presents Docker 28.2.2 at API 1.50 and follows 28's source";

/** Why a field is a fact of the recording machine (kernel, cgroups, memory), not of Docker. */
const recordingHost = "a fact of the recording machine (Debian 12, kernel 6.18, cgroup v1 with cgroupfs, 23.5 GiB), where swarmsim models an Ubuntu 24.04 host with cgroup v2 and systemd";
/** Why swarmsim's JSON lacks some of 20.10's fields: it follows the shapes of swagger v1.56. */
const newerShapes = `${olderDaemon}; swarmsim answers with the shapes of swagger v1.56, which no longer has the fields that 20.10 still sent (deprecated since)`;

/** A container inspect's fields that differ for the reasons above, wherever one is printed or answered. */
const containerInspectFields: readonly KnownDifference[] = [
  { scenario: "*", fields: /\.HostConfig\.(CgroupnsMode|OomKillDisable)$/, reason: `the cgroup namespace mode and OOM-kill setting follow the cgroup version: ${recordingHost}` },
  { scenario: "*", fields: /\.HostConfig\.(KernelMemory|KernelMemoryTCP)$/, reason: `${newerShapes} (kernel memory limits were removed in API 1.42)` },
  { scenario: "*", fields: /\.HostConfig\.MaskedPaths$/, reason: `${olderDaemon}: 28's default masked paths add /proc/interrupts and /sys/devices/virtual/powercap` },
  {
    scenario: "*",
    fields: /\.NetworkSettings\.(Bridge|HairpinMode|LinkLocalIPv6Address|LinkLocalIPv6PrefixLen|SecondaryIPAddresses|SecondaryIPv6Addresses|EndpointID|Gateway|GlobalIPv6Address|GlobalIPv6PrefixLen|IPAddress|IPPrefixLen|IPv6Gateway|MacAddress)$/,
    reason: `${newerShapes}: the top-level copies of the default network's endpoint settings`,
  },
  { scenario: "*", fields: /\.Networks\.[\w.-]+\.(GwPriority|DNSNames)$/, reason: `${olderDaemon}: GwPriority (API 1.48) and DNSNames (API 1.44) are newer than 20.10` },
  { scenario: "*", fields: /\.GraphDriver\.Data\.LowerDir$/, reason: `${fakeImages}: the real images have several layers, so more lower directories` },
  { scenario: "*", fields: /^(\.body|\[0\])\.Config\.(Env|Labels|WorkingDir)$|\.Labels\.maintainer$/, reason: fakeImages },
];

/** Every known difference between the engine recordings and swarmsim, with its reason. */
export const knownDifferences: readonly KnownDifference[] = [
  ...containerInspectFields,
  {
    scenario: "resource-limits",
    step: "docker inspect --format '{{json .HostConfig}}' limited",
    fields: /^\.(CgroupnsMode|OomKillDisable|MaskedPaths|KernelMemory|KernelMemoryTCP)$/,
    reason: "as for every container inspect above: cgroup facts of the recording machine, 28's masked paths, kernel memory fields removed in API 1.42",
  },
  // -------------------------------------------------- versions, host facts
  { scenario: "version", step: "docker version", lines: /API version|Go version|Git commit|Built:|^Server|^  Version|GitCommit/, reason: `${olderDaemon}; Debian's build (its commit, Go version, containerd 1.6.20, runc 1.1.5) against Docker's own 28.2.2 packages` },
  {
    scenario: "info",
    step: "docker info",
    lines: /Using metacopy|Cgroup|Log: |CDI spec|\/etc\/cdi|\/var\/run\/cdi|Runtimes|containerd version|runc version|init version|Profile|cgroupns|Kernel Version|Operating System|Total Memory|Docker Root Dir|::1\/128/,
    reason: `${recordingHost}; ${olderDaemon} (its plugins, runtimes, versions and security options); the recorder's --data-root`,
  },
  { scenario: "api-system", step: "GET /v1.41/version", fields: /^\.body\.(Platform\.Name|ApiVersion|MinAPIVersion|GitCommit|GoVersion|KernelVersion|BuildTime|Components\[\d\]\.(Version|Details\.\w+))$/, reason: `${olderDaemon}; Debian's build; ${recordingHost}` },
  {
    scenario: "api-system",
    step: "GET /v1.41/info",
    fields:
      /^\.body\.(DriverStatus|Plugins\.Log|KernelMemory|KernelMemoryTCP|BridgeNfIptables|BridgeNfIp6tables|NFd|NGoroutines|OomKillDisable|CgroupDriver|CgroupVersion|KernelVersion|OperatingSystem|OSVersion|MemTotal|RegistryConfig|Runtimes|ContainerdCommit|RuncCommit|InitCommit|SecurityOptions|CDISpecDirs|Containerd)(\.|\[|$)/,
    reason: `${recordingHost}; ${olderDaemon} (fields added and removed since, plugins, runtimes, versions)`,
  },
  { scenario: "*", fields: /^\.headers\.(Api-Version|Server)$/, reason: olderDaemon },
  { scenario: "api-containers", step: "GET /v1.41/containers/{id}/logs?stdout=1", fields: /^\.headers\.Content-Type$/, reason: `${olderDaemon}: 28 names the stream's type (raw-stream below API 1.42), 20.10 sent no Content-Type` },
  { scenario: "api-containers", step: "GET /v1.41/containers/{id}/logs?stdout=1&stderr=1", fields: /^\.headers\.Content-Type$/, reason: `${olderDaemon}: 28 names the stream's type (raw-stream below API 1.42), 20.10 sent no Content-Type` },
  // -------------------------------------------------- error texts where 28 words it otherwise
  { scenario: "exec", step: "docker exec web nosuch", simulatedExitCode: 127, reason: `${olderDaemon}: 28's CLI keeps runc's 127 (setExitCodeFromError) where 20.10 answered 126` },
  {
    scenario: "exec",
    step: "docker exec stopped ls",
    lines: /is not running/,
    reason: `${olderDaemon}: 28's errNotRunning says "container <id> is not running", 20.10's "Container <id> is not running"`,
  },
  { scenario: "exec", step: "POST /v1.41/containers/{id}/exec", fields: /^\.body\.message$/, reason: `${olderDaemon}: 28 says "container <id> is not running", 20.10 "Container <id> is not running"` },
  { scenario: "exec", step: "POST /v1.41/exec/{id}/start", fields: /^\.body\.message$/, reason: `${olderDaemon}: 28 says "exec command <id> has already run", 20.10 "Error: Exec command <id> has already run"` },
  { scenario: "exec", step: "POST /v1.41/exec/{id}/resize?h=x", fields: /^\.body\.message$/, reason: `${olderDaemon}: 28 parses the size as an unsigned integer ('invalid resize height "x": strconv.ParseUint: ...'), 20.10 with strconv.Atoi` },
  { scenario: "api-images", step: "GET /v1.41/images/nosuch/json", fields: /^\.body\.message$/, reason: `${olderDaemon}: 28 says "No such image: nosuch:latest", 20.10 wraps it in "no such image: nosuch: "` },
  { scenario: "api-networks", step: "POST /v1.41/networks/create", index: 5, reason: `${olderDaemon}: since API 1.44 dockerd always refuses a duplicate network name (CheckDuplicate is ignored); 20.10 created a second net1 with a Warning` },
  // -------------------------------------------------- the recording's images
  { scenario: "exec", step: "docker exec web ps", lines: /PID|root/, reason: `${fakeImages}: Debian's busybox-static ps prints no TIME column` },
  { scenario: "run-detached", step: "docker logs web", lines: /./, reason: `${fakeImages}: the fake nginx prints one line, the simulated one nginx's start-up messages` },
  { scenario: "images", step: "docker images", lines: /latest/, reason: `${fakeImages}; the four imports landed in the same second, so their order is per run` },
  { scenario: "api-images", step: "GET /v1.41/images/json", fields: /^\.body\[\d\]\.(Id|RepoTags|RepoDigests|Size|Labels|Created)$/, reason: `${fakeImages}; the four imports landed in the same second, so their order is per run` },
  { scenario: "api-images", fields: /^\.body(\[\d\])?\.VirtualSize$/, reason: `${newerShapes} (VirtualSize was removed in API 1.44)` },
  {
    scenario: "api-images",
    fields: /^\.body\.(Id|RepoDigests|Comment|Created|Size|RootFS\.Layers|Metadata\.LastTagTime|GraphDriver\.Data\.(LowerDir|MergedDir|UpperDir|WorkDir))$/,
    reason: `${fakeImages}; imported and tagged, not pulled (Comment "Imported from -", a LastTagTime)`,
  },
  { scenario: "api-images", fields: /^\.body\.(Parent|Container|ContainerConfig|DockerVersion|Config)(\.|$)/, reason: `${newerShapes}: no Parent, Container, ContainerConfig or DockerVersion since API 1.45, and the image's Config as the OCI image config` },
  // -------------------------------------------------- the recording machine's daemon
  { scenario: "pull", reason: "no registry was reachable from the recording machine, so every pull failed at DNS; swarmsim's simulated registry answers (docs/differences.md)" },
  { scenario: "api-networks", fields: /^\.body(\[\d\])?\.Options\.com\.docker\.network\.bridge\.enable_ip_masquerade$/, reason: "the recording's daemon ran with --iptables=false, which turns IP masquerading off on the default bridge" },
  { scenario: "api-networks", fields: /^\.body(\[\d\])?\.IPAM\.Config\[0\]\.(Subnet|Gateway)$/, reason: `the recording's address allocator had moved on across earlier scenarios (net1 got 172.19.0.0/16), and 20.10 lists no Gateway for the default bridge where 28 does` },
  { scenario: "api-networks", fields: /^\.body(\[\d\])?\.(Containers|EnableIPv4)$/, reason: `${olderDaemon}: 20.10 lists each network with an empty Containers, which later versions leave out of the list; EnableIPv4 is new in API 1.47` },
  {
    scenario: "exec",
    step: "docker events --since 0 --until 1795636774 --filter container=web --format '{{.Action}} {{json .Actor.Attributes}}'",
    recordedStdout: (stdout) => stdout.slice(stdout.lastIndexOf('create {"image":"alpine","name":"web"}')),
    reason: "the recording's daemon had run the earlier scenarios, whose containers named web appear in its events too; compared from this scenario's web on",
  },
];

/** Why a whole scenario is not replayed (every step of it a known difference), or undefined. */
export function scenarioNotReplayed(scenario: string): string | undefined {
  return knownDifferences.find((difference) => difference.scenario === scenario && difference.step === undefined && difference.index === undefined && difference.fields === undefined && difference.lines === undefined && difference.recordedStdout === undefined && difference.simulatedExitCode === undefined)?.reason;
}

function applies(difference: KnownDifference, scenario: string, index: number, key: string, path: ReplayPath): boolean {
  return (
    (difference.scenario === "*" || difference.scenario === scenario) &&
    (difference.step === undefined || difference.step === key) &&
    (difference.index === undefined || difference.index === index) &&
    (difference.through === undefined || difference.through.includes(path))
  );
}

// ------------------------------------------------------------------ the replay

/** What a CLI step printed. */
export interface CliOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An Engine API request as the replay sends it: the recorded one, with this run's ids. */
export interface ReplayRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  /** The path with its `/v1.41` prefix, without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** The simulated engine's answer to a replayed request. */
export interface ReplayAnswer {
  readonly statusCode: number;
  /** The HTTP headers, when the path carries them (HTTP); null in process. */
  readonly headers: Readonly<Record<string, string>> | null;
  /** The JSON body (a string for text, null for none). */
  readonly body: unknown;
  /** For a multiplexed stream, its frames. */
  readonly frames?: readonly { readonly stream: "stdout" | "stderr"; readonly text: string }[];
}

/** How the replay reaches the simulated engine. */
export interface ReplayDriver {
  /** The path the CLI steps go (`exec` or `real-cli`). */
  readonly cliPath: ReplayPath;
  /** The path the API steps go (`api` or `http`). */
  readonly apiPath: ReplayPath;
  /** Runs a command line (with this run's ids). */
  cli(command: string): CliOutput | Promise<CliOutput>;
  /** Sends a request. */
  api(request: ReplayRequest): ReplayAnswer | Promise<ReplayAnswer>;
}

/** What a replay of one recording found. */
export interface ReplayReport {
  /** `index key` of each step compared (wholly or but for known fields or lines). */
  readonly compared: readonly string[];
  /** `index key: reason` of each step not compared. */
  readonly notCompared: readonly string[];
  /** One message per differing step. */
  readonly differences: readonly string[];
}

/** Response headers whose values do not depend on the body or the moment: compared when the path carries headers. */
const stableHeaders = ["Api-Version", "Cache-Control", "Content-Type", "Docker-Experimental", "Ostype", "Pragma", "Server"];

/** A request line of a recording (`GET /v1.41/containers/json?all=1`) as a request. */
function parseRequestLine(line: string, body: unknown): ReplayRequest {
  const [method, target] = line.split(" ") as [ReplayRequest["method"], string];
  const url = new URL(target, "http://engine");
  return { method, path: url.pathname, query: Object.fromEntries(url.searchParams), ...(body === undefined ? {} : { body }) };
}

/** Text with the lines that `pattern` matches removed. */
function withoutLines(text: string, pattern: RegExp | undefined): string {
  if (pattern === undefined) return text;
  return text
    .split("\n")
    .filter((line) => !pattern.test(line))
    .join("\n");
}

/** Whether an output is a docker table (a header row of upper-case column names). */
function isTable(text: string): boolean {
  return /^[A-Z][A-Z ]+ {2,}[A-Z]/.test(text);
}

/**
 * Replays a recording on `sim` through `driver`: the recorder's unrecorded set-up through
 * `sim.exec`, each recorded step through the driver (with this run's ids), simulated time moved on
 * to what the step took on the real engine, and the answer compared with the recording after
 * normalisation, except for the known differences.
 */
export async function replayEngineRecording(recording: EngineRecording, sim: Simulation, driver: ReplayDriver): Promise<ReplayReport> {
  const recorded = new RunNormaliser();
  const simulated = new RunNormaliser();
  const compared: string[] = [];
  const notCompared: string[] = [];
  const differences: string[] = [];
  for (const [index, step] of recording.steps.entries()) {
    runUnrecordedSetUp(sim, recording.scenario, index);
    const key = stepKey(step);
    const path = isCliStep(step) ? driver.cliPath : driver.apiPath;
    const known = knownDifferences.filter((difference) => applies(difference, recording.scenario, index, key, path));
    const wholeStep = known.find((difference) => difference.fields === undefined && difference.lines === undefined && difference.recordedStdout === undefined && difference.simulatedExitCode === undefined);
    const label = `${recording.scenario}.json step ${index} ${key}`;
    const startedMs = sim.now;
    let found: string[];
    if (isCliStep(step)) {
      // The recorded text is normalised first, so that its ids are numbered before the command's are translated.
      const command = simulated.translate(step.command, recorded);
      found = compareCli(step, await driver.cli(command), recorded, simulated, known);
    } else {
      const request = parseRequestLine(simulated.translate(step.request, recorded), step.requestBody === undefined ? undefined : JSON.parse(simulated.translate(JSON.stringify(step.requestBody), recorded)));
      found = compareApi(step, await driver.api(request), recorded, simulated, known);
    }
    // Time moves on as it did on the real engine (the step's own duration), so relative times and timeouts line up.
    const tookMs = sim.now - startedMs;
    if (tookMs < step.durationMs) sim.runFor(step.durationMs - tookMs);
    if (wholeStep !== undefined) {
      notCompared.push(`${index} ${key}: ${wholeStep.reason}`);
      continue;
    }
    compared.push(`${index} ${key}`);
    if (found.length > 0) differences.push(`${label}:\n  ${found.join("\n  ")}`);
  }
  return { compared, notCompared, differences };
}

function fieldsExcused(known: readonly KnownDifference[]): (path: string) => boolean {
  const patterns = known.flatMap((difference) => (difference.fields === undefined ? [] : [difference.fields]));
  return (path) => patterns.some((pattern) => pattern.test(path));
}

/** The differences between a recorded CLI step and what the replay printed. */
function compareCli(step: EngineCliStep, actual: CliOutput, recorded: RunNormaliser, simulated: RunNormaliser, known: readonly KnownDifference[]): string[] {
  const lines = known.find((difference) => difference.lines !== undefined)?.lines;
  const cut = known.find((difference) => difference.recordedStdout !== undefined)?.recordedStdout ?? ((stdout: string) => stdout);
  const differences: string[] = [];
  const exitCode = known.find((difference) => difference.simulatedExitCode !== undefined)?.simulatedExitCode ?? step.exitCode;
  if (exitCode !== actual.exitCode) differences.push(`exit code: expected ${exitCode}, got ${actual.exitCode}`);
  const expectedJson = parseJson(step.stdout);
  const actualJson = parseJson(actual.stdout);
  if (expectedJson !== undefined && actualJson !== undefined) {
    differences.push(...compareJson(recorded.json(expectedJson), simulated.json(actualJson), fieldsExcused(known)).map((line) => `stdout ${line}`));
  } else {
    const normalise = (run: RunNormaliser, text: string) => withoutLines(isTable(text) ? run.table(text) : run.text(text), lines);
    const expectedStdout = normalise(recorded, cut(step.stdout));
    const actualStdout = normalise(simulated, actual.stdout);
    if (expectedStdout !== actualStdout) differences.push(`stdout: expected ${JSON.stringify(expectedStdout)}\n  stdout: got      ${JSON.stringify(actualStdout)}`);
  }
  const expectedStderr = withoutLines(recorded.text(step.stderr), lines);
  const actualStderr = withoutLines(simulated.text(actual.stderr), lines);
  if (expectedStderr !== actualStderr) differences.push(`stderr: expected ${JSON.stringify(expectedStderr)}\n  stderr: got      ${JSON.stringify(actualStderr)}`);
  return differences;
}

/** The differences between a recorded API step and the simulated engine's answer. */
function compareApi(step: EngineApiStep, actual: ReplayAnswer, recorded: RunNormaliser, simulated: RunNormaliser, known: readonly KnownDifference[]): string[] {
  const differences: string[] = [];
  if (step.statusCode !== actual.statusCode) differences.push(`status: expected ${step.statusCode}, got ${actual.statusCode}`);
  const excused = fieldsExcused(known);
  if (step.decodedFrames !== undefined) {
    // Each stream's frames in order; not how the two interleave: dockerd copies a container's stdout and stderr to
    // its log in two goroutines, so lines written back to back on the two land in either order (per run).
    const byStream = (frames: readonly { readonly stream: string; readonly text: string }[], run: RunNormaliser) => ({
      stdout: frames.filter((frame) => frame.stream === "stdout").map((frame) => run.text(frame.text)),
      stderr: frames.filter((frame) => frame.stream === "stderr").map((frame) => run.text(frame.text)),
    });
    differences.push(...compareJson(byStream(step.decodedFrames, recorded), byStream(actual.frames ?? [], simulated), excused, ".frames"));
  } else {
    // An empty recorded body (`bodyRaw: ""`) is null; swarmsim's in-process answers carry null or "" for none.
    const actualBody = actual.body === "" && step.body === null ? null : actual.body;
    differences.push(...compareJson(recorded.json(step.body), simulated.json(actualBody), excused, ".body"));
  }
  if (actual.headers !== null && step.headers !== undefined) {
    const recordedHeaders = recorded.json(step.headers) as Record<string, string>;
    for (const name of stableHeaders) {
      if (excused(`.headers.${name}`)) continue;
      const actualValue = Object.entries(actual.headers).find(([header]) => header.toLowerCase() === name.toLowerCase())?.[1];
      const expectedValue = recordedHeaders[name];
      if (expectedValue !== (actualValue === undefined ? undefined : simulated.text(actualValue))) differences.push(`header ${name}: expected ${expectedValue}, got ${actualValue}`);
    }
  }
  return differences;
}
