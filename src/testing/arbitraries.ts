/**
 * fast-check arbitraries for property tests over simulated swarms: cluster shapes, `docker
 * service create` descriptions and timed fault schedules that shrink toward fewer, earlier and
 * simpler faults, with `formatFault` to print a schedule and `applyFaultSchedule` to inject it.
 */
import fc from "fast-check";
import type { SimulationKernel } from "../sim/simulation.js";
import { commands } from "./commands.js";

/** A zone label value given to workers (`node.labels.zone`). */
export type Zone = "a" | "b" | "c";

/** A generated cluster shape, ready for `Simulation.swarm({ managers, workers, host: { cpus, memoryBytes }, network })`. */
export interface ClusterShape {
  /** Number of managers, named manager1..N. */
  readonly managers: number;
  /** Number of workers, named worker1..M. */
  readonly workers: number;
  /** CPUs of every host. */
  readonly cpus: number;
  /** Memory of every host, bytes. */
  readonly memoryBytes: number;
  /** One label set per worker, in order (`workerLabels[0]` belongs to worker1). */
  readonly workerLabels: ReadonlyArray<{ readonly zone: Zone }>;
  /** Network defaults. */
  readonly network: { readonly latencyMs: readonly [number, number]; readonly lossRate: number };
}

/** Options for `arbitraries.cluster`. */
export interface ClusterArbitraryOptions {
  /** Inclusive range of the number of managers. Default [1, 5]. */
  readonly managers?: readonly [number, number];
  /** Inclusive range of the number of workers. Default [0, 3]. */
  readonly workers?: readonly [number, number];
  /**
   * Highest default loss rate of the network, a fraction in [0, 1] drawn in whole percent
   * (shrinking toward 0). Default 0.05. Note: with loss, `Simulation.swarm` can fail to form the
   * swarm (a lost join call is not retried), so pass 0 to build swarms reliably.
   */
  readonly maxLossRate?: number;
}

/** An image of the simulated catalogue that a generated service runs. */
export type ServiceImage = "nginx" | "redis" | "alpine";

/** A generated service: what `docker service create` is told. */
export interface ServiceSpecDescription {
  /** Service name (lowercase letters). */
  readonly name: string;
  /** Image from the simulated catalogue. */
  readonly image: ServiceImage;
  /** Command and arguments after the image (`sleep 3600` for alpine), empty for the image's default. */
  readonly command: readonly string[];
  /** Replicated with a number of replicas, or global. */
  readonly mode: { readonly kind: "replicated"; readonly replicas: number } | { readonly kind: "global" };
  /** Placement constraints, e.g. `node.labels.zone==a`; some can never be satisfied. */
  readonly constraints: readonly string[];
  /** `--reserve-cpu`, in CPUs. */
  readonly reserveCpu?: number;
  /** `--reserve-memory`, bytes (a whole number of MiB). */
  readonly reserveMemoryBytes?: number;
  /** `--restart-condition`. */
  readonly restartCondition?: "none" | "on-failure" | "any";
  /** `--publish published:target`. */
  readonly publish?: { readonly publishedPort: number; readonly targetPort: number };
}

/** A daemon a fault schedule may kill or restart. */
export type DaemonName = "dockerd" | "containerd";

/**
 * One timed fault. `atMs` is the delay from the moment the schedule is applied, in ms.
 * `restartProcess` restarts a daemon; `loss`, `delay` and `duplicate` degrade one link (both
 * directions); `heal` removes every partition and resets the links the schedule degraded.
 */
export type FaultEvent =
  | { readonly atMs: number; readonly kind: "crash"; readonly host: string }
  | { readonly atMs: number; readonly kind: "restart"; readonly host: string }
  | { readonly atMs: number; readonly kind: "kill"; readonly host: string; readonly process: DaemonName }
  | { readonly atMs: number; readonly kind: "restartProcess"; readonly host: string; readonly process: DaemonName }
  | { readonly atMs: number; readonly kind: "isolate"; readonly host: string }
  | { readonly atMs: number; readonly kind: "partition"; readonly groupA: readonly string[]; readonly groupB: readonly string[] }
  | { readonly atMs: number; readonly kind: "loss"; readonly from: string; readonly to: string; readonly lossRate: number }
  | { readonly atMs: number; readonly kind: "delay"; readonly from: string; readonly to: string; readonly latencyMs: readonly [number, number] }
  | { readonly atMs: number; readonly kind: "duplicate"; readonly from: string; readonly to: string; readonly duplicateRate: number }
  | { readonly atMs: number; readonly kind: "heal" };

/** The kind of a fault event. */
export type FaultKind = FaultEvent["kind"];

/** Every fault kind, simplest first (the order fault schedules shrink toward). */
export const faultKinds: readonly FaultKind[] = ["crash", "restart", "kill", "restartProcess", "isolate", "partition", "loss", "delay", "duplicate", "heal"];

/** Options for `arbitraries.faultSchedule`. */
export interface FaultScheduleOptions {
  /** Faults happen at whole ms in [0, durationMs]. */
  readonly durationMs: number;
  /** Hosts the faults may hit (at least one). */
  readonly hosts: readonly string[];
  /** Kinds of faults to draw. Default all (those needing two hosts only when there are two). */
  readonly kinds?: readonly FaultKind[];
  /** Most faults in a schedule. Default 8. */
  readonly maxFaults?: number;
}

const kindsNeedingTwoHosts: ReadonlySet<FaultKind> = new Set<FaultKind>(["isolate", "partition", "loss", "delay", "duplicate"]);

function integerRange(range: readonly [number, number], what: string): [number, number] {
  const [minimum, maximum] = range;
  if (!Number.isInteger(minimum) || !Number.isInteger(maximum) || minimum < 0 || minimum > maximum) {
    throw new RangeError(`${what}: expected [minimum, maximum] whole numbers with 0 <= minimum <= maximum, got ${JSON.stringify(range)}`);
  }
  return [minimum, maximum];
}

function cluster(options: ClusterArbitraryOptions = {}): fc.Arbitrary<ClusterShape> {
  const [managersMinimum, managersMaximum] = integerRange(options.managers ?? [1, 5], "cluster managers");
  const [workersMinimum, workersMaximum] = integerRange(options.workers ?? [0, 3], "cluster workers");
  if (managersMinimum < 1) throw new RangeError("cluster managers: a swarm needs at least one manager");
  const maxLossRate = options.maxLossRate ?? 0.05;
  if (typeof maxLossRate !== "number" || !(maxLossRate >= 0 && maxLossRate <= 1)) throw new RangeError(`cluster maxLossRate: expected a fraction in [0, 1], got ${JSON.stringify(maxLossRate)}`);
  return fc
    .record({
      managers: fc.integer({ min: managersMinimum, max: managersMaximum }),
      zones: fc.array(fc.constantFrom<Zone>("a", "b", "c"), { minLength: workersMinimum, maxLength: workersMaximum }),
      cpus: fc.constantFrom(1, 2, 4, 8),
      memoryGibibytes: fc.constantFrom(1, 2, 4, 8),
      latencyMinimumMs: fc.integer({ min: 0, max: 20 }),
      latencySpreadMs: fc.integer({ min: 0, max: 30 }),
      lossPercent: fc.integer({ min: 0, max: Math.floor(maxLossRate * 100) }),
    })
    .map((drawn) => ({
      managers: drawn.managers,
      workers: drawn.zones.length,
      cpus: drawn.cpus,
      memoryBytes: drawn.memoryGibibytes * 2 ** 30,
      workerLabels: drawn.zones.map((zone) => ({ zone })),
      network: { latencyMs: [drawn.latencyMinimumMs, drawn.latencyMinimumMs + drawn.latencySpreadMs] as const, lossRate: drawn.lossPercent / 100 },
    }));
}

/** The host names of a cluster shape: manager1..N then worker1..M. */
export function clusterHostNames(shape: Pick<ClusterShape, "managers" | "workers">): string[] {
  return [
    ...Array.from({ length: shape.managers }, (_, index) => `manager${index + 1}`),
    ...Array.from({ length: shape.workers }, (_, index) => `worker${index + 1}`),
  ];
}

const satisfiableConstraints = ["node.labels.zone==a", "node.labels.zone==b", "node.labels.zone==c", "node.role==worker", "node.role==manager"];
const unsatisfiableConstraints = ["node.labels.zone==z", "node.hostname==nowhere"];
const targetPortOfImage: Readonly<Record<ServiceImage, number>> = { nginx: 80, redis: 6379, alpine: 8080 };

function serviceSpec(): fc.Arbitrary<ServiceSpecDescription> {
  const letters = "abcdefghijklmnopqrstuvwxyz".split("");
  return fc
    .record({
      name: fc.string({ unit: fc.constantFrom(...letters), minLength: 1, maxLength: 8 }),
      image: fc.constantFrom<ServiceImage>("nginx", "redis", "alpine"),
      mode: fc.oneof(
        fc.record({ kind: fc.constant("replicated" as const), replicas: fc.integer({ min: 0, max: 6 }) }),
        fc.record({ kind: fc.constant("global" as const) }),
      ),
      constraints: fc.uniqueArray(fc.constantFrom(...satisfiableConstraints, ...unsatisfiableConstraints), { maxLength: 2 }),
      reserveCpu: fc.option(fc.constantFrom(0.25, 0.5, 1, 2), { nil: undefined }),
      reserveMemoryMebibytes: fc.option(fc.constantFrom(64, 256, 1024), { nil: undefined }),
      restartCondition: fc.option(fc.constantFrom("any" as const, "on-failure" as const, "none" as const), { nil: undefined }),
      publishedPort: fc.option(fc.integer({ min: 8000, max: 8099 }), { nil: undefined }),
    })
    .map((drawn) => {
      const spec: {
        -readonly [Key in keyof ServiceSpecDescription]: ServiceSpecDescription[Key];
      } = {
        name: drawn.name,
        image: drawn.image,
        command: drawn.image === "alpine" ? ["sleep", "3600"] : [],
        mode: drawn.mode,
        constraints: drawn.constraints,
      };
      if (drawn.reserveCpu !== undefined) spec.reserveCpu = drawn.reserveCpu;
      if (drawn.reserveMemoryMebibytes !== undefined) spec.reserveMemoryBytes = drawn.reserveMemoryMebibytes * 2 ** 20;
      if (drawn.restartCondition !== undefined) spec.restartCondition = drawn.restartCondition;
      if (drawn.publishedPort !== undefined) spec.publish = { publishedPort: drawn.publishedPort, targetPort: targetPortOfImage[drawn.image] };
      return spec;
    });
}

/**
 * The `docker service create -d ...` command line of a generated service.
 *
 * @example
 * ```ts
 * serviceCreateCommand({ name: "web", image: "nginx", command: [], mode: { kind: "replicated", replicas: 3 }, constraints: ["node.role==worker"] });
 * // "docker service create -d --name web --replicas 3 --constraint node.role==worker nginx"
 * ```
 */
export function serviceCreateCommand(spec: ServiceSpecDescription): string {
  const words = ["docker", "service", "create", "-d", "--name", spec.name];
  if (spec.mode.kind === "global") words.push("--mode", "global");
  else words.push("--replicas", String(spec.mode.replicas));
  for (const constraint of spec.constraints) words.push("--constraint", constraint);
  if (spec.reserveCpu !== undefined) words.push("--reserve-cpu", String(spec.reserveCpu));
  if (spec.reserveMemoryBytes !== undefined) words.push("--reserve-memory", `${Math.round(spec.reserveMemoryBytes / 2 ** 20)}M`);
  if (spec.restartCondition !== undefined) words.push("--restart-condition", spec.restartCondition);
  if (spec.publish !== undefined) words.push("--publish", `${spec.publish.publishedPort}:${spec.publish.targetPort}`);
  words.push(spec.image, ...spec.command);
  return words.join(" ");
}

function otherHost(hosts: readonly string[], fromIndex: number, offset: number): string {
  const index = offset >= fromIndex ? offset + 1 : offset;
  return hosts[index]!;
}

function faultOfKind(kind: FaultKind, hosts: readonly string[], durationMs: number): fc.Arbitrary<FaultEvent> {
  const atMs = fc.integer({ min: 0, max: durationMs });
  const host = fc.constantFrom(...hosts);
  const daemon = fc.constantFrom<DaemonName>("dockerd", "containerd");
  const link = fc.record({ fromIndex: fc.integer({ min: 0, max: hosts.length - 1 }), offset: fc.integer({ min: 0, max: Math.max(0, hosts.length - 2) }) });
  switch (kind) {
    case "crash":
    case "restart":
    case "isolate":
      return fc.record({ atMs, host }).map((drawn) => ({ atMs: drawn.atMs, kind, host: drawn.host }));
    case "kill":
    case "restartProcess":
      return fc.record({ atMs, host, process: daemon }).map((drawn) => ({ atMs: drawn.atMs, kind, host: drawn.host, process: drawn.process }));
    case "partition":
      return fc.record({ atMs, groupA: fc.subarray([...hosts], { minLength: 1, maxLength: hosts.length - 1 }) }).map((drawn) => ({
        atMs: drawn.atMs,
        kind,
        groupA: drawn.groupA,
        groupB: hosts.filter((name) => !drawn.groupA.includes(name)),
      }));
    case "loss":
      return fc.record({ atMs, link, percent: fc.integer({ min: 1, max: 100 }) }).map((drawn) => ({
        atMs: drawn.atMs,
        kind,
        from: hosts[drawn.link.fromIndex]!,
        to: otherHost(hosts, drawn.link.fromIndex, drawn.link.offset),
        lossRate: drawn.percent / 100,
      }));
    case "delay":
      return fc.record({ atMs, link, minimumMs: fc.integer({ min: 0, max: 1_000 }), spreadMs: fc.integer({ min: 0, max: 1_000 }) }).map((drawn) => ({
        atMs: drawn.atMs,
        kind,
        from: hosts[drawn.link.fromIndex]!,
        to: otherHost(hosts, drawn.link.fromIndex, drawn.link.offset),
        latencyMs: [drawn.minimumMs, drawn.minimumMs + drawn.spreadMs] as const,
      }));
    case "duplicate":
      return fc.record({ atMs, link, percent: fc.integer({ min: 1, max: 100 }) }).map((drawn) => ({
        atMs: drawn.atMs,
        kind,
        from: hosts[drawn.link.fromIndex]!,
        to: otherHost(hosts, drawn.link.fromIndex, drawn.link.offset),
        duplicateRate: drawn.percent / 100,
      }));
    case "heal":
      return atMs.map((drawnAtMs) => ({ atMs: drawnAtMs, kind }));
  }
}

function faultSchedule(options: FaultScheduleOptions): fc.Arbitrary<FaultEvent[]> {
  const { durationMs, hosts } = options;
  if (!Number.isInteger(durationMs) || durationMs < 0) throw new RangeError(`faultSchedule: invalid durationMs ${JSON.stringify(durationMs)}: expected a whole number of ms >= 0`);
  if (hosts.length === 0) throw new RangeError("faultSchedule: expected at least one host");
  const requested = options.kinds ?? faultKinds;
  for (const kind of requested) if (!faultKinds.includes(kind)) throw new RangeError(`faultSchedule: unknown fault kind ${JSON.stringify(kind)}`);
  // Simplest first, whatever order the caller gave.
  const kinds = faultKinds.filter((kind) => requested.includes(kind) && (hosts.length >= 2 || !kindsNeedingTwoHosts.has(kind)));
  if (kinds.length === 0) throw new RangeError("faultSchedule: no fault kind applies (partitions and links need two hosts)");
  // Cross-shrinking lets any fault shrink toward the simplest kind (a crash when allowed).
  const event = fc.oneof({ withCrossShrink: true }, ...kinds.map((kind) => faultOfKind(kind, hosts, durationMs)));
  return fc
    .array(event, { maxLength: options.maxFaults ?? 8 })
    .map((events) => [...events].sort((left, right) => left.atMs - right.atMs || faultKinds.indexOf(left.kind) - faultKinds.indexOf(right.kind)));
}

/** fast-check arbitraries for swarmsim property tests. */
export const arbitraries = {
  /** A cluster shape: managers, workers, host resources, one zone label per worker, network defaults. */
  cluster,
  /** A `docker service create` description (see `serviceCreateCommand`). */
  serviceSpec,
  /** A list of timed faults, sorted by time, shrinking toward fewer, earlier and simpler faults. */
  faultSchedule,
  /** Model-based docker CLI commands for `fc.commands` / `fc.modelRun` (see `commands.ts`). */
  commands,
} as const;

/** The seconds of a fault's time, with ms: `12.350s`. */
function formatAtMs(atMs: number): string {
  return `${(atMs / 1_000).toFixed(3)}s`;
}

/**
 * One readable line for a fault, e.g. `12.350s partition [manager1] | [manager2 manager3]`,
 * `3.000s crash worker1`, `5.000s kill worker1 dockerd`.
 */
export function formatFault(event: FaultEvent): string {
  const at = formatAtMs(event.atMs);
  switch (event.kind) {
    case "crash":
    case "restart":
    case "isolate":
      return `${at} ${event.kind} ${event.host}`;
    case "kill":
      return `${at} kill ${event.host} ${event.process}`;
    case "restartProcess":
      return `${at} restart ${event.host} ${event.process}`;
    case "partition":
      return `${at} partition [${event.groupA.join(" ")}] | [${event.groupB.join(" ")}]`;
    case "loss":
      return `${at} loss ${event.from} <-> ${event.to} ${Math.round(event.lossRate * 100)}%`;
    case "delay":
      return `${at} delay ${event.from} <-> ${event.to} ${event.latencyMs[0]}-${event.latencyMs[1]}ms`;
    case "duplicate":
      return `${at} duplicate ${event.from} <-> ${event.to} ${Math.round(event.duplicateRate * 100)}%`;
    case "heal":
      return `${at} heal`;
  }
}

/** A fault schedule as lines, one fault a line (`(no faults)` when empty). */
export function formatFaultSchedule(schedule: readonly FaultEvent[]): string {
  return schedule.length === 0 ? "(no faults)" : schedule.map(formatFault).join("\n");
}

/** Whether a value looks like a fault event (a time in ms and a known kind). */
export function isFaultEvent(value: unknown): value is FaultEvent {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { atMs?: unknown; kind?: unknown };
  return typeof candidate.atMs === "number" && typeof candidate.kind === "string" && faultKinds.includes(candidate.kind as FaultKind);
}

/** Whether a value is a non-empty array of fault events. */
export function isFaultSchedule(value: unknown): value is FaultEvent[] {
  return Array.isArray(value) && value.length > 0 && value.every(isFaultEvent);
}

/** What happened to one scheduled fault once its time came. */
export interface FaultOutcome {
  /** The fault. */
  readonly event: FaultEvent;
  /** Virtual time at which it was due, ms. */
  readonly timeMs: number;
  /** Whether it was injected, or skipped because it could not happen (a crash of a down host...). */
  readonly applied: boolean;
  /** Why it was skipped. */
  readonly reason?: string;
}

/** The log `applyFaultSchedule` fills as the simulation runs. */
export interface FaultScheduleLog {
  /** One entry per fault whose time has come, in order. */
  readonly outcomes: FaultOutcome[];
}

/**
 * Schedules every fault at `sim.now + event.atMs` with `sim.schedule`. Faults that cannot
 * happen are skipped and logged: a crash of a host that is down, a kill of a daemon that is not
 * running, a daemon restart on a host that is down. A restart of a host that is up power-cycles
 * it (`faults.restart`). `heal` removes every partition and resets the links the schedule degraded.
 *
 * @example
 * ```ts
 * const log = applyFaultSchedule(sim, [{ atMs: 1_000, kind: "crash", host: "worker1" }]);
 * sim.runFor(5_000);
 * console.log(log.outcomes); // [{ event, timeMs: ..., applied: true }]
 * ```
 */
export function applyFaultSchedule(sim: SimulationKernel, schedule: readonly FaultEvent[]): FaultScheduleLog {
  const log: FaultScheduleLog = { outcomes: [] };
  const degradedLinks: Array<readonly [string, string]> = [];
  for (const event of schedule) {
    sim.schedule(event.atMs, () => {
      const skipReason = injectFault(sim, event, degradedLinks);
      log.outcomes.push({ event, timeMs: sim.now, applied: skipReason === undefined, ...(skipReason === undefined ? {} : { reason: skipReason }) });
    });
  }
  return log;
}

/** Injects one fault; returns why it was skipped, or undefined when it was injected. */
function injectFault(sim: SimulationKernel, event: FaultEvent, degradedLinks: Array<readonly [string, string]>): string | undefined {
  switch (event.kind) {
    case "crash":
      if (!sim.host(event.host).up) return `host ${event.host} is already down`;
      sim.faults.crash(event.host);
      return undefined;
    case "restart":
      sim.faults.restart(event.host);
      return undefined;
    case "kill": {
      const host = sim.host(event.host);
      if (!host.up) return `host ${event.host} is down`;
      if (!host.isRunning(event.process)) return `${event.process} is not running on ${event.host}`;
      sim.faults.kill(event.host, event.process);
      return undefined;
    }
    case "restartProcess": {
      const host = sim.host(event.host);
      if (!host.up) return `host ${event.host} is down`;
      if (!host.units.has(event.process)) return `${event.process} was never started on ${event.host}`;
      sim.faults.restart(event.host, event.process);
      return undefined;
    }
    case "isolate":
      sim.faults.isolate(event.host);
      return undefined;
    case "partition":
      sim.faults.partition(event.groupA, event.groupB);
      return undefined;
    case "loss":
      sim.faults.setLink(event.from, event.to, { lossRate: event.lossRate });
      degradedLinks.push([event.from, event.to]);
      return undefined;
    case "delay":
      sim.faults.setLink(event.from, event.to, { latencyMs: event.latencyMs });
      degradedLinks.push([event.from, event.to]);
      return undefined;
    case "duplicate":
      sim.faults.setLink(event.from, event.to, { duplicateRate: event.duplicateRate });
      degradedLinks.push([event.from, event.to]);
      return undefined;
    case "heal":
      sim.faults.heal();
      for (const [from, to] of degradedLinks.splice(0)) sim.faults.resetLink(from, to);
      return undefined;
  }
}
