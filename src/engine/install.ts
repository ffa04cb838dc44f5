/**
 * Puts a Docker Engine on a host, as a package install and `systemctl enable` would:
 * containerd and dockerd start at every boot (containerd first), with the daemon
 * configuration written to /etc/docker/daemon.json. Also adds the registry host (the
 * simulated Docker Hub) the first time an engine needs it.
 */
import type { Host } from "../host/host.js";
import type { RaftSettings } from "../swarm/raft-driver/raft-node.js";
import type { SchedulerBugs } from "../swarm/scheduler/bugs.js";
import type { SimulationKernel } from "../sim/simulation.js";
import { containerdProcess } from "../containerd/index.js";
import { containerdProcessName } from "../containerd/api.js";
import { engineRoutes } from "./api/routes.js";
import { dockerdProcess, dockerdProcessName } from "./dockerd/daemon.js";
import { daemonConfigKey, type DaemonConfig } from "./dockerd/records.js";
import { registryProcess } from "./registry.js";
import { registryAddress, registryHostName, registryProcessName } from "./registry-api.js";

/** Engine settings for `addHost(name, { engine })`. */
export interface EngineOptions {
  /** Keep containers running while dockerd is down and reattach them (daemon.json `live-restore`). Default false. */
  readonly liveRestore?: boolean;
  /** Engine labels (`key=value`), shown by `docker info`. */
  readonly labels?: readonly string[];
  /** Raft timing of this node's swarm manager, if it becomes one (default swarmkit's). */
  readonly raft?: RaftSettings;
  /** Deliberate bugs of this node's scheduler when it leads, for mutation tests only (default none). */
  readonly schedulerBugs?: SchedulerBugs;
}

/** Adds the registry host if the simulation has none yet. */
export function ensureRegistry(kernel: SimulationKernel): void {
  if (kernel.hosts().some((host) => host.name === registryHostName)) return;
  kernel.addHost(registryHostName, { address: registryAddress, cpus: 64, memoryBytes: 256 * 2 ** 30 });
  kernel.spawn(registryHostName, registryProcessName, registryProcess, { startOnBoot: true });
}

/** Installs and starts containerd and dockerd on `host`. */
export function installEngine(kernel: SimulationKernel, host: Host, options: EngineOptions = {}): void {
  const config: DaemonConfig = {
    ...(options.liveRestore === undefined ? {} : { "live-restore": options.liveRestore }),
    ...(options.labels === undefined ? {} : { labels: [...options.labels] }),
    ...(options.raft === undefined ? {} : { "x-swarmsim-raft": options.raft }),
    ...(options.schedulerBugs === undefined ? {} : { "x-swarmsim-scheduler-bugs": options.schedulerBugs }),
  };
  host.disk.write(daemonConfigKey, config);
  kernel.spawn(host.name, containerdProcessName, containerdProcess(), { startOnBoot: true });
  const machine = { cpus: host.cpus, memoryBytes: host.memoryBytes, labels: host.labels };
  kernel.spawn(host.name, dockerdProcessName, dockerdProcess(machine, engineRoutes), { startOnBoot: true });
}
