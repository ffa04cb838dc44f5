/**
 * Values the swarm-mode commands (`docker swarm`, `node`, `service`) parse and print the way
 * the docker CLI's Go code does: Go durations (`time.ParseDuration`, `Duration.String()`),
 * docker/cli's `formatter.PrettyPrint` (first letter upper-cased), image references without
 * their digest, node references (`self`), and the task table of `docker service ps` and
 * `docker node ps` (docker/cli `cli/command/task`).
 */
import type { EngineClient, EngineJson } from "../../engine/client.js";
import { familiarString, parseReference } from "../../engine/images/catalogue.js";
import { humanDuration } from "../units.js";
import { shortId } from "../ids.js";
import { ellipsis } from "../text-width.js";
import { CommandError, naturalLess } from "./context.js";
import { writeFormatted } from "./table-format.js";

/** Nanoseconds per unit of a Go duration, by unit suffix. */
const durationUnits: Readonly<Record<string, number>> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Go's `time.ParseDuration`: `"5s"`, `"1m30s"`, `"1.5h"`, `"-2ms"`, `"0"`; the value in
 * nanoseconds, or the error text Go gives (`time: invalid duration "x"`).
 */
export function parseGoDuration(text: string): { ok: true; value: number } | { ok: false; error: string } {
  const invalid = { ok: false as const, error: `time: invalid duration ${JSON.stringify(text)}` };
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return { ok: true, value: 0 };
  if (rest === "") return invalid;
  let total = 0;
  while (rest !== "") {
    const number = /^(\d*)(\.(\d*))?/.exec(rest)!;
    if (number[0] === "" || number[0] === ".") return invalid;
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]+/.exec(rest);
    if (!unit) return { ok: false, error: `time: missing unit in duration ${JSON.stringify(text)}` };
    const multiplier = durationUnits[unit[0]];
    if (multiplier === undefined) return { ok: false, error: `time: unknown unit ${JSON.stringify(unit[0])} in duration ${JSON.stringify(text)}` };
    rest = rest.slice(unit[0].length);
    total += Number(`${number[1] === "" ? "0" : number[1]}.${number[3] ?? "0"}`) * multiplier;
  }
  return { ok: true, value: sign * Math.round(total) };
}

/** Go's `time.Duration.String()` of nanoseconds: `5s`, `1m0s`, `1h0m0s`, `500ms`, `1.5s`, `0s`. */
export function formatGoDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return "0s";
  const negative = nanoseconds < 0;
  let value = Math.abs(nanoseconds);
  const fraction = (amount: number, digits: number): string => {
    const text = String(amount).padStart(digits, "0").replace(/0+$/, "");
    return text === "" ? "" : `.${text}`;
  };
  let text: string;
  if (value < 1e9) {
    if (value < 1e3) text = `${value}ns`;
    else if (value < 1e6) text = `${Math.trunc(value / 1e3)}${fraction(value % 1e3, 3)}µs`;
    else text = `${Math.trunc(value / 1e6)}${fraction(value % 1e6, 6)}ms`;
  } else {
    const seconds = `${Math.trunc(value / 1e9) % 60}${fraction(value % 1e9, 9)}s`;
    value = Math.trunc(value / 1e9);
    if (value < 60) text = seconds;
    else {
      const minutes = Math.trunc(value / 60) % 60;
      const hours = Math.trunc(value / 3600);
      text = hours > 0 ? `${hours}h${minutes}m${seconds}` : `${minutes}m${seconds}`;
    }
  }
  return negative ? `-${text}` : text;
}

/**
 * docker/cli `formatter.PrettyPrint` of a string: the first letter upper-cased, the rest
 * lower-cased (`running` → `Running`, a time's `+0000 UTC` → `+0000 utc`).
 */
export function prettyPrint(text: string): string {
  return text === "" ? "" : `${text[0]!.toUpperCase()}${text.slice(1).toLowerCase()}`;
}

/** Go's `time.Time.String()` of an API time (`2025-01-01T00:00:05.25Z` → `2025-01-01 00:00:05.25 +0000 UTC`). */
export function goTimeText(apiTime: unknown): string {
  const text = String(apiTime ?? "");
  const match = /^(\d{4}-\d{2}-\d{2})T([\d:.]+)(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return text;
  const zone = match[3] === "Z" ? "+0000 UTC" : `${match[3]!.replace(":", "")} ${match[3]!.replace(":", "")}`;
  return `${match[1]} ${match[2]} ${zone}`;
}

/**
 * The image as `service ls` and `service ps` show it: a `name:tag` reference without its
 * digest (`alpine:latest@sha256:...` → `alpine:latest`); anything else unchanged.
 */
export function imageWithoutDigest(image: string): string {
  try {
    const reference = parseReference(image);
    if (reference.tag === null || reference.tag === undefined || reference.tag === "") return image;
    return familiarString({ ...reference, digest: null });
  } catch {
    return image;
  }
}

/** A `--filter` map as the client takes it. */
export type FilterMap = Record<string, string[]>;

/**
 * docker/cli `node.Reference`: `self` is the node ID that `/info` reports; without one, the node
 * list is asked (giving the daemon's "not a swarm manager" error) before failing.
 */
export function nodeReference(client: EngineClient, reference: string): string {
  if (reference !== "self") return reference;
  const info = client.systemInfo();
  const nodeId = String(info.Swarm?.NodeID ?? "");
  if (nodeId === "") {
    client.nodeList();
    throw new CommandError("node ID not found in /info");
  }
  return nodeId;
}

/** The best-effort name lookups of docker/cli's `idresolver`: node hostnames and service names, cached. */
export class NameResolver {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly client: EngineClient,
    private readonly noResolve: boolean,
  ) {}

  /** A node's name (spec name, else hostname), or its ID when it cannot be found. */
  node(id: string): string {
    return this.resolve(`node:${id}`, id, () => {
      const node = this.client.nodeInspect(id);
      return String(node.Spec?.Name || node.Description?.Hostname || id);
    });
  }

  /** A service's name, or its ID when it cannot be found. */
  service(id: string): string {
    return this.resolve(`service:${id}`, id, () => String(this.client.serviceInspect(id).Spec?.Name ?? ""));
  }

  private resolve(key: string, id: string, lookup: () => string): string {
    if (this.noResolve) return id;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    let name: string;
    try {
      name = lookup();
    } catch {
      name = id;
    }
    this.cache.set(key, name);
    return name;
  }
}

/** The headers of the task table. */
const taskHeaders: Readonly<Record<string, string>> = {
  ID: "ID",
  Name: "NAME",
  Image: "IMAGE",
  Node: "NODE",
  DesiredState: "DESIRED STATE",
  CurrentState: "CURRENT STATE",
  Error: "ERROR",
  Ports: "PORTS",
};

const defaultTaskTableFormat = "table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}";

/** RFC 3339 text to milliseconds since the epoch (0 when absent). */
export function parseApiTime(text: unknown): number {
  if (typeof text !== "string") return 0;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!match || match[1] === "0001") return 0;
  const fraction = Number(`0.${match[7] ?? "0"}`) * 1000;
  const offsetMinutes = match[9] === undefined ? 0 : (match[9] === "-" ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11]));
  const utc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]));
  return utc + Math.floor(fraction) - offsetMinutes * 60_000;
}

/** Options of the task table. */
export interface TaskTableOptions {
  /** Shorten IDs, images and errors (not `--no-trunc`). */
  readonly truncate: boolean;
  /** Print only task IDs. */
  readonly quiet: boolean;
  /** A `--format` template, or "" for the table. */
  readonly format: string;
  /** The simulation's wall-clock time. */
  readonly nowMs: number;
}

/**
 * docker/cli `task.Print`: names tasks `service.slot` (or `service.nodeID` for global tasks),
 * sorts them by name (natural order) and newest first within a slot, marks older tasks of a
 * slot with ` \_ `, and writes the table (or `-q` IDs, or a template).
 */
export function renderTasks(tasks: readonly EngineJson[], resolver: NameResolver, options: TaskTableOptions): string {
  const named = tasks.map((task) => {
    const serviceName = resolver.service(String(task.ServiceID ?? ""));
    const slot = Number(task.Slot ?? 0);
    return { task, name: slot !== 0 ? `${serviceName}.${slot}` : `${serviceName}.${String(task.NodeID ?? "")}` };
  });
  const sorted = named
    .map((entry, index) => ({ ...entry, index }))
    .sort((left, right) => {
      if (left.name !== right.name) return naturalLess(left.name, right.name) ? -1 : 1;
      const leftCreated = parseApiTime(left.task.CreatedAt);
      const rightCreated = parseApiTime(right.task.CreatedAt);
      if (rightCreated < leftCreated) return -1;
      if (leftCreated < rightCreated) return 1;
      return left.index - right.index;
    });
  let format = options.format;
  if (format === "" || format === "table") format = options.quiet ? "{{.ID}}" : defaultTaskTableFormat;
  const indent = format.startsWith("table") ? " \\_ " : "";
  let previousName = "";
  const rows = sorted.map(({ task, name }) => {
    const displayName = name === previousName ? `${indent}${name}` : name;
    previousName = name;
    return taskFields(task, displayName, resolver.node(String(task.NodeID ?? "")), options);
  });
  return writeFormatted(format, taskHeaders, rows);
}

/** The fields of one task row. */
function taskFields(task: EngineJson, name: string, node: string, options: TaskTableOptions): Record<string, string> {
  const id = String(task.ID ?? "");
  let image = String(task.Spec?.ContainerSpec?.Image ?? "");
  if (options.truncate) image = imageWithoutDigest(image);
  let error = String(task.Status?.Err ?? "");
  if (options.truncate) error = ellipsis(error, 30);
  if (error !== "") error = `"${error}"`;
  const ports = ((task.Status?.PortStatus?.Ports ?? []) as EngineJson[]).map((port) => `*:${port.PublishedPort}->${port.TargetPort}/${port.Protocol}`).join(",");
  const since = humanDuration(options.nowMs - parseApiTime(task.Status?.Timestamp)).toLowerCase();
  return {
    ID: options.truncate ? shortId(id) : id,
    Name: name,
    Image: image,
    Node: node,
    DesiredState: prettyPrint(String(task.DesiredState ?? "")),
    CurrentState: `${prettyPrint(String(task.Status?.State ?? ""))} ${since} ago`,
    Error: error,
    Ports: ports,
  };
}
