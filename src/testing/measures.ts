/**
 * Built-in measures for experiments, and the small scenario helpers they read. A scenario
 * marks its faults with `markFault` (the virtual time, kept in a WeakMap keyed by the
 * simulation) and may probe writes with `probeWrites`; measures then read those records:
 * `timeToElectLeaderAfter`, `writeUnavailabilityMs`, `lostAcknowledgedWrites` (Raft-only
 * groups), `convergenceTimeAfter` and `tasksRescheduled` (swarms). Nothing here reads real
 * time or real randomness.
 */
import type { Simulation } from "../simulation.js";
import { SimulationError } from "../sim/errors.js";
import type { ClusterState } from "../swarm/types.js";

/** Bound `faultMarksMax`: most marks one simulation keeps. */
export const faultMarksMax = 10_000;
/** Bound `leaderElectionsRecordedMax`: most leader elections recorded per simulation (later ones are not recorded). */
export const leaderElectionsRecordedMax = 100_000;
/** Bound `writeProbesMax`: most proposals one `probeWrites` call makes. */
export const writeProbesMax = 1_000_000;
/** Default `timeoutMs` of `convergenceTimeAfter`: 10 virtual minutes. */
export const convergenceTimeoutMsDefault = 600_000;
/** The label `markFault` and the measures use when none is given. */
export const defaultFaultLabel = "fault";

/** A fault marked by a scenario. */
export interface FaultMark {
  /** The label given to `markFault`. */
  readonly label: string;
  /** Virtual time of the mark, ms. */
  readonly timeMs: number;
  /** Term of the live leader when marked (0 without one). */
  readonly leaderTerm: number;
}

/** A member becoming leader, as recorded once a simulation is instrumented. */
export interface LeaderElection {
  /** Virtual time, ms. */
  readonly timeMs: number;
  /** The new leader. */
  readonly host: string;
  /** Its term. */
  readonly term: number;
}

/** One proposal made by `probeWrites`. */
export interface WriteProbe {
  /** The proposed data: `probe/<n>`. */
  readonly data: string;
  /** The leader it was proposed at. */
  readonly host: string;
  /** Its log index and term. */
  readonly index: number;
  readonly term: number;
  /** Virtual time of the proposal, ms. */
  readonly proposedAtMs: number;
  /** Virtual time the proposing leader applied it (the client's acknowledgement), ms; null if never. */
  committedAtMs: number | null;
}

/** What one `probeWrites` call recorded. */
export interface WriteProbeRecord {
  /** Virtual time the probing started and ended, ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** Probe ticks at which no proposal could be made (no live leader, or it refused). */
  readonly refusedCount: number;
  /** The proposals accepted by a leader, in order. */
  readonly probes: readonly WriteProbe[];
}

/** What the helpers recorded about one simulation. */
interface Instrumentation {
  readonly marks: FaultMark[];
  readonly elections: LeaderElection[];
  /** Virtual time the election recording started, and the live leader's term then. */
  readonly sinceMs: number;
  readonly leaderTermAtStart: number;
  writeProbes: WriteProbeRecord | undefined;
}

const instrumentations = new WeakMap<Simulation, Instrumentation>();

/** Starts recording leader elections of the simulation (once); returns its records. */
function instrument(sim: Simulation): Instrumentation {
  let records = instrumentations.get(sim);
  if (records !== undefined) return records;
  const created: Instrumentation = { marks: [], elections: [], sinceMs: sim.now, leaderTermAtStart: sim.leader()?.term ?? 0, writeProbes: undefined };
  sim.on("raft.state", (event) => {
    if (event.state === "leader" && created.elections.length < leaderElectionsRecordedMax) created.elections.push({ timeMs: event.time, host: event.host, term: event.term });
  });
  instrumentations.set(sim, created);
  records = created;
  return records;
}

/**
 * Marks a fault (or any moment) at the current virtual time, under a label, for measures to
 * read; call it just before injecting the fault. The first call also starts recording leader
 * elections (a listener, so it works with the trace off). Returns the virtual time, ms.
 *
 * @example
 * ```ts
 * markFault(sim, "crash");
 * sim.faults.crash(sim.leader()!.host);
 * ```
 */
export function markFault(sim: Simulation, label: string = defaultFaultLabel): number {
  const records = instrument(sim);
  if (records.marks.length >= faultMarksMax) throw new SimulationError(`markFault: more than the faultMarksMax bound (${faultMarksMax}) of marks`);
  records.marks.push({ label, timeMs: sim.now, leaderTerm: sim.leader()?.term ?? 0 });
  return sim.now;
}

/** The latest mark under `label`, or undefined when the scenario made none. */
export function faultMark(sim: Simulation, label: string = defaultFaultLabel): FaultMark | undefined {
  const marks = instrumentations.get(sim)?.marks ?? [];
  for (let index = marks.length - 1; index >= 0; index--) if (marks[index]!.label === label) return marks[index];
  return undefined;
}

/**
 * When to measure from: a mark's label (its latest mark), or a virtual time in ms.
 */
export type Since = string | number;

function resolveSince(sim: Simulation, since: Since, caller: string): FaultMark {
  if (typeof since === "string") {
    const mark = faultMark(sim, since);
    if (mark === undefined) throw new SimulationError(`${caller}: no fault marked ${JSON.stringify(since)} (call markFault(sim, ${JSON.stringify(since)}) in the scenario)`);
    return mark;
  }
  if (typeof since !== "number" || !Number.isFinite(since)) throw new SimulationError(`${caller}: invalid since ${String(since)}: expected a mark label or a virtual time in ms`);
  return { label: "", timeMs: since, leaderTerm: leaderTermAt(sim, since, caller) };
}

/** The highest leader term known at a virtual time, from the recorded elections or the trace. */
function leaderTermAt(sim: Simulation, timeMs: number, caller: string): number {
  const records = instrumentations.get(sim);
  let term = 0;
  for (const election of electionsOf(sim, caller)) if (election.timeMs <= timeMs) term = Math.max(term, election.term);
  if (records !== undefined && timeMs >= records.sinceMs) term = Math.max(term, records.leaderTermAtStart);
  return term;
}

/** The recorded elections, or (without `markFault`) those in a complete trace. */
function electionsOf(sim: Simulation, caller: string): readonly LeaderElection[] {
  const records = instrumentations.get(sim);
  if (records !== undefined) return records.elections;
  const info = sim.traceInfo;
  if (info.level === "off" || info.evictedCount > 0) {
    throw new SimulationError(`${caller}: no elections recorded (call markFault in the scenario, or keep a complete trace)`);
  }
  const elections: LeaderElection[] = [];
  for (const event of sim.trace) {
    if (event.type === "raft.state" && event.state === "leader") elections.push({ timeMs: event.time, host: event.host, term: event.term });
  }
  return elections;
}

/**
 * Virtual ms from `since` (a mark label, default `"fault"`, or a time) until a member became
 * leader in a higher term than the live leader's at that moment; null when none did before the
 * scenario ended (not applicable: count such runs from the summary's `count`). Works on
 * Raft-only groups and swarms; does not advance time.
 *
 * @example
 * ```ts
 * measure: { electionMs: (sim) => timeToElectLeaderAfter(sim, "crash") }
 * ```
 */
export function timeToElectLeaderAfter(sim: Simulation, since: Since = defaultFaultLabel): number | null {
  const from = resolveSince(sim, since, "timeToElectLeaderAfter");
  for (const election of electionsOf(sim, "timeToElectLeaderAfter")) {
    if (election.timeMs >= from.timeMs && election.term > from.leaderTerm) return election.timeMs - from.timeMs;
  }
  return null;
}

/** Options of {@link probeWrites}. */
export interface ProbeWritesOptions {
  /** Time between proposals, virtual ms (> 0). */
  readonly intervalMs: number;
  /** How long to probe, virtual ms (>= 0); the simulation advances by exactly this much. */
  readonly durationMs: number;
  /** Propose at this member only (default: the live leader at each probe). */
  readonly host?: string;
}

/**
 * A scenario helper for Raft-only groups (`Simulation.swarm({ engine: false })`): advances the
 * simulation by `durationMs`, proposing `probe/<n>` at the live leader every `intervalMs`, and
 * records each accepted proposal and when its leader applied it (the acknowledgement a client
 * would get). `writeUnavailabilityMs` and `lostAcknowledgedWrites` read the record; a later
 * call replaces it. Inject faults before calling it, or from a process or listener.
 *
 * @example
 * ```ts
 * markFault(sim, "crash");
 * sim.faults.crash(sim.leader()!.host);
 * probeWrites(sim, { intervalMs: 10, durationMs: 5_000 });
 * ```
 */
export function probeWrites(sim: Simulation, options: ProbeWritesOptions): WriteProbeRecord {
  const { intervalMs, durationMs } = options;
  if (typeof intervalMs !== "number" || !Number.isFinite(intervalMs) || intervalMs <= 0) throw new SimulationError(`probeWrites: invalid intervalMs ${String(intervalMs)}: expected a number of ms > 0`);
  if (typeof durationMs !== "number" || !Number.isFinite(durationMs) || durationMs < 0) throw new SimulationError(`probeWrites: invalid durationMs ${String(durationMs)}: expected a number of ms >= 0`);
  const probeCount = Math.floor(durationMs / intervalMs);
  if (probeCount > writeProbesMax) throw new SimulationError(`probeWrites: ${probeCount} probes exceed the writeProbesMax bound (${writeProbesMax})`);
  const records = instrument(sim);
  const startMs = sim.now;
  const probes: WriteProbe[] = [];
  const pending = new Map<string, WriteProbe>();
  let refusedCount = 0;
  const onCommit = (event: { time: number; host: string; index: number; term: number }) => {
    const key = `${event.host}/${event.index}/${event.term}`;
    const probe = pending.get(key);
    if (probe === undefined) return;
    probe.committedAtMs = event.time;
    pending.delete(key);
  };
  sim.on("raft.commit", onCommit);
  try {
    for (let probeNumber = 0; probeNumber < probeCount; probeNumber++) {
      const host = options.host ?? sim.leader()?.host;
      const data = `probe/${probeNumber}`;
      const result = host !== undefined && sim.hosts().some((candidate) => candidate.name === host && candidate.up) ? proposeOrRefuse(sim, host, data) : undefined;
      if (result === undefined) refusedCount++;
      else {
        const probe: WriteProbe = { data, host: host!, index: result.index, term: result.term, proposedAtMs: sim.now, committedAtMs: null };
        probes.push(probe);
        pending.set(`${probe.host}/${probe.index}/${probe.term}`, probe);
      }
      sim.runFor(intervalMs);
    }
    sim.runFor(durationMs - probeCount * intervalMs);
  } finally {
    sim.off("raft.commit", onCommit);
  }
  const record: WriteProbeRecord = { startMs, endMs: sim.now, refusedCount, probes };
  records.writeProbes = record;
  return record;
}

/** Proposes at a live host; undefined when it is not the leader or runs no Raft-only member. */
function proposeOrRefuse(sim: Simulation, host: string, data: string): { index: number; term: number } | undefined {
  try {
    const result = sim.raftPropose(host, data);
    return result.ok ? { index: result.index, term: result.term } : undefined;
  } catch (error) {
    if (error instanceof SimulationError) return undefined;
    throw error;
  }
}

/** The record of the latest `probeWrites` call, or undefined. */
export function writeProbes(sim: Simulation): WriteProbeRecord | undefined {
  return instrumentations.get(sim)?.writeProbes;
}

function requireProbes(sim: Simulation, caller: string): WriteProbeRecord {
  const record = writeProbes(sim);
  if (record === undefined) throw new SimulationError(`${caller}: no writes probed (call probeWrites in the scenario)`);
  return record;
}

/**
 * The longest stretch of the latest `probeWrites` window with no acknowledged write, virtual
 * ms: the largest gap between the window's start, each acknowledgement in order, and its end.
 * Its resolution is the probe interval (a healthy group shows about the interval plus a
 * commit's latency). Does not advance time.
 *
 * @example
 * ```ts
 * measure: { unavailableMs: (sim) => writeUnavailabilityMs(sim) }
 * ```
 */
export function writeUnavailabilityMs(sim: Simulation): number {
  const record = requireProbes(sim, "writeUnavailabilityMs");
  const acknowledged = record.probes
    .map((probe) => probe.committedAtMs)
    .filter((time): time is number => time !== null)
    .sort((left, right) => left - right);
  let previous = record.startMs;
  let longest = 0;
  for (const time of [...acknowledged, record.endMs]) {
    longest = Math.max(longest, time - previous);
    previous = time;
  }
  return longest;
}

/**
 * How many writes of the latest `probeWrites` window were acknowledged (applied by the leader
 * that accepted them) yet are missing from the applied log of the final live leader; null when
 * no leader is live. Raft promises 0. Let the scenario run long enough after probing for the
 * final leader to apply what is committed. Does not advance time.
 *
 * @example
 * ```ts
 * measure: { lostWrites: (sim) => lostAcknowledgedWrites(sim) }
 * ```
 */
export function lostAcknowledgedWrites(sim: Simulation): number | null {
  const record = requireProbes(sim, "lostAcknowledgedWrites");
  const leader = sim.leader();
  if (leader === undefined) return null;
  const applied = new Map<number, unknown>();
  for (const entry of sim.raftApplied(leader.host)) applied.set(entry.index, entry.data);
  let lost = 0;
  for (const probe of record.probes) {
    if (probe.committedAtMs !== null && applied.get(probe.index) !== probe.data) lost++;
  }
  return lost;
}

/** Whether the service has all its replicas running on ready nodes whose hosts are up. */
function serviceConverged(sim: Simulation, state: ClusterState | undefined, serviceName: string): boolean {
  if (state === undefined) return false;
  const service = Object.values(state.services).find((candidate) => candidate.spec.name === serviceName);
  if (service === undefined) return false;
  const upHosts = new Set(sim.hosts().filter((host) => host.up).map((host) => host.name));
  const readyNodes = new Set(Object.values(state.nodes).filter((node) => node.status.state === "ready" && upHosts.has(node.description.hostname)).map((node) => node.id));
  let running = 0;
  for (const task of Object.values(state.tasks)) {
    if (task.serviceId === service.id && task.desiredState === "running" && task.status.state === "running" && readyNodes.has(task.nodeId)) running++;
  }
  const mode = service.spec.mode;
  const wanted = mode.kind === "replicated" ? mode.replicas : Object.values(state.nodes).filter((node) => readyNodes.has(node.id) && node.spec.availability === "active").length;
  return running >= wanted;
}

/**
 * Virtual ms from `since` (a mark label, default `"fault"`, or a time) until the service again
 * has all its replicas running (a global service: one on every ready, active node, ignoring
 * constraints) on ready nodes whose hosts are up; null when that does not happen within
 * `timeoutMs` (default 10 virtual minutes). It ADVANCES the simulation with `sim.runUntil`,
 * checking after every event, so the time is exact only when the simulation has not run past
 * convergence yet: end the scenario right after the fault, and list this measure first.
 *
 * @example
 * ```ts
 * measure: { convergenceMs: (sim) => convergenceTimeAfter(sim, "web", "crash") }
 * ```
 */
export function convergenceTimeAfter(sim: Simulation, serviceName: string, since: Since = defaultFaultLabel, options: { readonly timeoutMs?: number } = {}): number | null {
  const from = resolveSince(sim, since, "convergenceTimeAfter");
  if (from.timeMs > sim.now) throw new SimulationError(`convergenceTimeAfter: since ${from.timeMs} ms is after the current time ${sim.now} ms`);
  const converged = sim.runUntil(() => serviceConverged(sim, sim.clusterState(), serviceName), { timeoutMs: options.timeoutMs ?? convergenceTimeoutMsDefault });
  return converged ? sim.now - from.timeMs : null;
}

/**
 * How many tasks (of one service, or of all) the cluster created at or after `since` (a mark
 * label, default `"fault"`, or a time): restarts and reschedules. Counts the tasks the store
 * still holds (swarmkit prunes history beyond `taskHistoryRetentionLimit` per slot). Null when
 * no manager runs. Does not advance time.
 *
 * @example
 * ```ts
 * measure: { rescheduled: (sim) => tasksRescheduled(sim, "crash") }
 * ```
 */
export function tasksRescheduled(sim: Simulation, since: Since = defaultFaultLabel, serviceName?: string): number | null {
  const from = resolveSince(sim, since, "tasksRescheduled");
  const state = sim.clusterState();
  if (state === undefined) return null;
  let serviceId: string | undefined;
  if (serviceName !== undefined) {
    serviceId = Object.values(state.services).find((service) => service.spec.name === serviceName)?.id;
    if (serviceId === undefined) return null;
  }
  return Object.values(state.tasks).filter((task) => task.createdAt >= from.timeMs && (serviceId === undefined || task.serviceId === serviceId)).length;
}
