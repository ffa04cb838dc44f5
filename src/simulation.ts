/**
 * The simulation users build: the kernel, with a Docker Engine (dockerd, containerd, a shim
 * and runC per container) on every host, the simulated Docker Hub, `sim.exec` for docker
 * command lines and `sim.engine(host)` for typed Engine API calls.
 */
import type { Host, HostOptions } from "./host/host.js";
import { SimulationError } from "./sim/errors.js";
import { SimulationKernel, type SimulationOptions as KernelOptions } from "./sim/simulation.js";
import { Faults } from "./sim/faults.js";
import { EngineClient } from "./engine/client.js";
import { ensureRegistry, installEngine, type EngineOptions } from "./engine/install.js";
import { DaemonConnectionError, openStandaloneStream, withEngineConnection } from "./engine/transport.js";
import { EngineFaults } from "./engine/faults.js";
import { runDocker } from "./cli/docker.js";
import { RaftSafetyChecker, type ProposalResult, type RaftStatus } from "./swarm/raft/index.js";
import { RaftObservers, type RaftObserver, type RaftSettings } from "./swarm/raft-driver/raft-node.js";
import { RaftProcess, raftProcessName, type AppliedProposal } from "./swarm/raft-driver/raft-process.js";
import { addMember, appliedAt, liveLeader, proposeAt, raftNodeOf, raftStatusOf, removeMember, swarmManagerOf } from "./swarm/raft-driver/api.js";
import type { ClusterState } from "./swarm/types.js";
import { TimeTravel, type HistoryInfo, type HistoryOptions, type WorldChange, type WorldState } from "./time-travel/time-travel.js";

/**
 * How long the simulated `docker` CLI takes to start before its first request, virtual ms (the
 * real Go binary takes tens of ms): so that, as with real Docker, a command typed right after
 * another sees what the managers did meanwhile (a service's published ports, say).
 */
export const dockerCliStartupMs = 30;

/** Options for `new Simulation(...)`. */
export interface SimulationOptions extends KernelOptions {
  /** Engine settings for every host (each `addHost` can override them); `false` for bare hosts. */
  readonly engine?: EngineOptions | false;
  /** Kept history for `stateAt`, `diff` and `fork`: bounds `historySnapshotsMax` and `historyInputsMax`. */
  readonly history?: HistoryOptions;
}

/** Options for `Simulation.addHost`. */
export interface EngineHostOptions extends HostOptions {
  /** This host's engine settings, or `false` for a bare host without Docker. */
  readonly engine?: EngineOptions | false;
}

/** Options for `Simulation.swarm`. */
export interface SwarmOptions extends SimulationOptions {
  /**
   * With an engine on every host (the default) a real swarm is formed with `docker swarm init`
   * and `join`; with `engine: false` only a Raft group runs on the managers (fast, for Raft experiments).
   */
  readonly engine?: EngineOptions | false;
  /** Number of manager hosts, named manager1..N. Default 3. */
  readonly managers?: number;
  /** Number of worker hosts, named worker1..M. Default 0. */
  readonly workers?: number;
  /** Raft timing and behaviour (default swarmkit's: heartbeat 1 s, election timeout [10 s, 20 s), checkQuorum on, preVote off). */
  readonly raft?: RaftSettings;
  /** Resources of every host. */
  readonly host?: Omit<HostOptions, "address">;
}

/** Time hosts get to boot before a swarm is formed on them, ms. */
export const swarmBootMs = 1_000;
/** Bound `swarmLeaderWaitMs`: how long `Simulation.swarm` waits for a first leader, virtual ms. */
export const swarmLeaderWaitMs = 600_000;
/** Most managers a swarm can have here (Raft groups beyond this are impractical). */
export const swarmManagersMax = 99;

/** Options for `Simulation.exec`. */
export interface ExecOptions {
  /** Behave as if output were a terminal (progress redrawn with escape codes). Default false. */
  readonly tty?: boolean;
  /** Terminal width. Default 80. */
  readonly columns?: number;
  /** The command's standard input, e.g. the key for `docker swarm unlock`. Default: none (EOF). */
  readonly stdin?: string;
  /**
   * The longest a command follows a stream (`docker run` in the foreground, `attach`, `exec`),
   * virtual ms; default a day. When it passes, the CLI stops following as if interrupted: the
   * result holds what was printed so far, with exit code 130.
   */
  readonly timeoutMs?: number;
}

/** What a command line printed and returned. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A deterministic simulation of Docker hosts: every host added runs containerd and dockerd.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: "demo" });
 * sim.addHost("node1");
 * console.log(sim.exec("node1", "docker run -d --name web nginx").stdout);
 * console.log(sim.exec("node1", "docker ps").stdout);
 * ```
 */
export class Simulation extends SimulationKernel {
  private readonly engineDefaults: EngineOptions | false;
  private readonly raftObservers = new RaftObservers();
  /** The Raft settings of this simulation's group (set by `Simulation.swarm`). */
  private raftSettings: RaftSettings = {};
  /** Kept world states and the input log (time travel). */
  private readonly timeTravel: TimeTravel;

  /**
   * Builds hosts `manager1..N` and `worker1..M` and starts a Raft group on the managers, then
   * runs until the group has elected its first leader.
   *
   * @example
   * ```ts
   * const sim = Simulation.swarm({ seed: "raft", managers: 5, raft: { electionTimeoutMs: [150, 300], heartbeatIntervalMs: 50 } });
   * console.log(sim.leader()); // { host: "manager3", term: 1 }
   * ```
   */
  static swarm(options: SwarmOptions = {}): Simulation {
    const managers = options.managers ?? 3;
    const workers = options.workers ?? 0;
    if (!Number.isInteger(managers) || managers < 1 || managers > swarmManagersMax) {
      throw new SimulationError(`invalid managers ${JSON.stringify(managers)}: expected a whole number from 1 to ${swarmManagersMax}`);
    }
    if (!Number.isInteger(workers) || workers < 0) throw new SimulationError(`invalid workers ${JSON.stringify(workers)}: expected a whole number >= 0`);
    const managerNames = Array.from({ length: managers }, (_, index) => `manager${index + 1}`);
    const workerNames = Array.from({ length: workers }, (_, index) => `worker${index + 1}`);
    if (options.engine === false) {
      // The Raft group alone, on bare hosts: for Raft experiments and benchmarks.
      const sim = new Simulation(options);
      for (const name of [...managerNames, ...workerNames]) sim.addHost(name, options.host ?? {});
      sim.raftSettings = options.raft ?? {};
      for (const name of managerNames) {
        sim.spawn(name, raftProcessName, () => new RaftProcess(sim.raftSettings, managerNames, sim.raftObservers), { startOnBoot: true });
      }
      sim.runUntil(() => sim.leader() !== undefined, { timeoutMs: swarmLeaderWaitMs });
      sim.timeTravel.startFromSwarm(options);
      return sim;
    }
    // A real swarm, formed as a person would form it: init on manager1, join the others.
    const engine = { ...(options.engine ?? {}), ...(options.raft === undefined ? {} : { raft: options.raft }) };
    const sim = new Simulation({ ...options, engine });
    for (const name of [...managerNames, ...workerNames]) sim.addHost(name, options.host ?? {});
    sim.runFor(swarmBootMs);
    // The same Engine API calls `docker swarm init` and `docker swarm join` make.
    const first = sim.engine("manager1");
    first.swarmInit({ ListenAddr: "0.0.0.0:2377", AdvertiseAddr: sim.host("manager1").address });
    const tokens = first.swarmInspect().JoinTokens as { Worker: string; Manager: string };
    const managerAddress = `${sim.host("manager1").address}:2377`;
    for (const name of [...managerNames.slice(1), ...workerNames]) {
      const token = name.startsWith("manager") ? tokens.Manager : tokens.Worker;
      sim.engine(name).swarmJoin({ ListenAddr: "0.0.0.0:2377", RemoteAddrs: [managerAddress], JoinToken: token });
    }
    const ready = () => {
      const state = sim.clusterState();
      const nodes = state === undefined ? [] : Object.values(state.nodes);
      if (sim.leader() === undefined || nodes.length !== managers + workers || !nodes.every((node) => node.status.state === "ready")) return false;
      // Every manager is in the Raft group and knows its leader.
      return managerNames.every((name) => {
        const node = raftNodeOf(sim, name);
        return node !== null && node.leader !== null && node.members.includes(name);
      });
    };
    if (!sim.runUntil(ready, { timeoutMs: swarmLeaderWaitMs })) {
      throw new SimulationError("the swarm did not become ready (a leader, every node ready, every manager in the Raft group)");
    }
    sim.timeTravel.startFromSwarm(options);
    return sim;
  }


  constructor(options: SimulationOptions = {}) {
    super(options);
    this.engineDefaults = options.engine ?? {};
    this.timeTravel = new TimeTravel(this, options);
  }

  /** @internal Keeps the world state when the clock leaves an instant at which it changed. */
  protected override instantEnding(): void {
    this.timeTravel.instantEnding();
  }

  /** The whole state (hosts, processes, Raft members, store) at a past virtual time; throws outside the kept history. */
  stateAt(timeMs: number): WorldState {
    this.refuseDisposed("stateAt");
    return this.timeTravel.stateAt(timeMs);
  }

  /**
   * The kept world states from `fromMs` to `toMs` (virtual ms, both included; default all),
   * oldest first, as `stateAt` finds them: at most `historySnapshotsMax`. Does not advance time.
   */
  keptStates(fromMs?: number, toMs?: number): WorldState[] {
    this.refuseDisposed("keptStates");
    return this.timeTravel.keptStates(fromMs, toMs);
  }

  /** What changed between two virtual times: hosts, processes, network faults, Raft roles and leader, store objects. */
  diff(fromMs: number, toMs: number): WorldChange[] {
    this.refuseDisposed("diff");
    return this.timeTravel.diff(fromMs, toMs);
  }

  /** A copy of this simulation as it is now (rebuilt by replaying its inputs), to go on differently. */
  fork(): Simulation {
    this.refuseDisposed("fork");
    return this.timeTravel.fork();
  }

  /** What the kept history holds: state and input counts, bounds, why `fork` would be refused. */
  get historyInfo(): HistoryInfo {
    return this.timeTravel.info();
  }

  /** Ends the simulation for good (see {@link SimulationKernel.dispose}), dropping its kept history and input log too. */
  override dispose(): void {
    super.dispose();
    this.timeTravel.release();
    this.raftObservers.list.length = 0;
  }

  protected override createFaults(): Faults {
    return new EngineFaults(this);
  }

  /** Adds a powered-on host with a Docker Engine (unless `engine: false`). */
  override addHost(name: string, options: EngineHostOptions = {}): Host {
    const host = super.addHost(name, options);
    const engine = options.engine ?? this.engineDefaults;
    if (engine !== false) {
      ensureRegistry(this);
      installEngine(this, host, engine);
    }
    return host;
  }

  /**
   * Runs a `docker ...` command line on a host against its dockerd, advancing the simulation
   * until it completes, and returns what the docker CLI would print.
   */
  exec(hostName: string, line: string, options: ExecOptions = {}): ExecResult {
    // The docker binary takes a moment to start before its first request (a Go program loading).
    this.runFor(dockerCliStartupMs);
    return withEngineConnection(this, hostName, (send, open) => {
      try {
        return runDocker(line, {
          client: new EngineClient(send, open),
          tty: options.tty ?? false,
          columns: options.columns ?? 80,
          nowWallMs: () => this.wallTimeMs(),
          sleep: (durationMs) => this.runFor(durationMs),
          ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
          ...(options.timeoutMs === undefined ? {} : { streamTimeoutMs: options.timeoutMs }),
        });
      } catch (error) {
        // The CLI's own connection errors: printed as the docker CLI prints them, exit 1.
        if (error instanceof DaemonConnectionError) return { exitCode: 1, stdout: "", stderr: `${error.message}\n` };
        throw error;
      }
    });
  }

  /**
   * The cluster state (nodes, services, tasks) of the most up-to-date live manager, as immutable
   * objects; undefined when no manager runs. Does not advance time.
   */
  clusterState(): ClusterState | undefined {
    let best: { index: number; state: ClusterState } | undefined;
    for (const host of this.hosts()) {
      if (!host.up) continue;
      const manager = swarmManagerOf(this, host.name);
      if (manager === null) continue;
      const index = manager.raftNode.appliedIndex;
      if (best === undefined || index > best.index) best = { index, state: manager.state };
    }
    return best?.state;
  }

  /** The live Raft leader of the highest term, or undefined. Does not advance time. */
  leader(): { host: string; term: number } | undefined {
    return liveLeader(this);
  }

  /** The Raft status of the member on `host`. Does not advance time. */
  raftStatus(hostName: string): RaftStatus {
    return raftStatusOf(this, hostName);
  }

  /** Proposes `data` to the Raft group at `host` (accepted only by the leader). Does not advance time. */
  raftPropose(hostName: string, data: unknown): ProposalResult {
    return proposeAt(this, hostName, data);
  }

  /** The proposals the member on `host` has applied, in log order. */
  raftApplied(hostName: string): readonly AppliedProposal[] {
    return appliedAt(this, hostName);
  }

  /**
   * Adds the host to the Raft group: starts a member there with no configuration, and proposes
   * adding it through the leader (one change at a time). Does not advance time.
   */
  raftAddMember(hostName: string): ProposalResult {
    const host = this.host(hostName);
    if (host.isRunning(raftProcessName)) throw new SimulationError(`host "${hostName}" already runs a Raft member`);
    const result = addMember(this, hostName);
    if (result.ok) this.spawn(hostName, raftProcessName, () => new RaftProcess(this.raftSettings, [], this.raftObservers), { startOnBoot: true });
    return result;
  }

  /**
   * Removes the host's member from the Raft group through the leader; the member stops once its
   * removal commits. Refused, changing nothing, when quorum would be lost. Does not advance time.
   */
  raftRemoveMember(hostName: string): ProposalResult {
    this.host(hostName);
    return removeMember(this, hostName);
  }

  /** Checks the five Raft safety properties continuously from now on; read `violations` and `ok` of the result. */
  watchRaftSafety(checker: RaftSafetyChecker = new RaftSafetyChecker()): RaftSafetyChecker {
    const observer: RaftObserver = (member, ready, status) => checker.observe(member, ready, status);
    this.raftObservers.list.push(observer);
    for (const host of this.hosts()) if (host.up) raftNodeOf(this, host.name)?.reportStateTo(observer);
    return checker;
  }

  /** A typed client of the host's Engine API; every call advances the simulation until dockerd answers. */
  engine(hostName: string): EngineClient {
    this.host(hostName);
    return new EngineClient(
      (request) => withEngineConnection(this, hostName, (send) => send(request)),
      (request) => openStandaloneStream(this, hostName, request),
    );
  }
}
