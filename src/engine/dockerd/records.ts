/**
 * What dockerd keeps on its host's disk, under /var/lib/docker as the real daemon does:
 * containers (config and state), images, networks and volumes, and the daemon configuration
 * (/etc/docker/daemon.json). Records are plain immutable data; dockerd loads them at start.
 */
import type { Disk } from "../../host/disk.js";
import type { ImageConfig, ImageLayer } from "../registry-api.js";
import type { RaftSettings } from "../../swarm/raft-driver/raft-node.js";
import type { SchedulerBugs } from "../../swarm/scheduler/bugs.js";

/** Where dockerd keeps its state on disk. */
export const dockerRoot = "/var/lib/docker";
/** dockerd's runtime directory (tmpfs): the FIFOs of containers' stdio live under it. */
export const dockerExecRoot = "/run/docker";
/** The daemon configuration file. */
export const daemonConfigKey = "/etc/docker/daemon.json";

/** The daemon configuration (the subset of daemon.json swarmsim honours). */
export interface DaemonConfig {
  /** Keep containers running while dockerd is down, and reattach them when it returns. */
  readonly "live-restore"?: boolean;
  /** Engine labels (`docker info` Labels, `engine.labels.*` constraints). */
  readonly labels?: readonly string[];
  /** swarmsim's own setting: the Raft timing of this node's swarm manager (swarmkit's defaults when absent). */
  readonly "x-swarmsim-raft"?: RaftSettings;
  /** swarmsim's own key: deliberate scheduler bugs for mutation tests (see `EngineOptions.schedulerBugs`). */
  readonly "x-swarmsim-scheduler-bugs"?: SchedulerBugs;
}

/** A container's state, with times in virtual ms (null where Docker shows the zero time). */
export interface ContainerStateRecord {
  readonly status: "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";
  readonly running: boolean;
  readonly restarting: boolean;
  readonly oomKilled: boolean;
  readonly dead: boolean;
  readonly pid: number;
  readonly exitCode: number;
  readonly error: string;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

/** A restart policy, as in HostConfig.RestartPolicy. */
export interface RestartPolicy {
  readonly Name: "" | "no" | "always" | "unless-stopped" | "on-failure";
  readonly MaximumRetryCount: number;
}

/** A container's network endpoint on the default bridge. */
export interface EndpointRecord {
  readonly networkName: string;
  readonly networkId: string;
  readonly endpointId: string;
  readonly ipAddress: string;
  readonly macAddress: string;
  readonly gateway: string;
  readonly prefixLength: number;
}

/**
 * A swarm task container's endpoint on one of the swarm's networks, as the agent asked for it in
 * `NetworkingConfig.EndpointsConfig` (swarmkit's container adapter): the network and the address
 * the managers allocated to the task there.
 */
export interface SwarmEndpointRecord {
  readonly networkName: string;
  readonly networkId: string;
  /** The address without its prefix (`10.0.0.7`). */
  readonly ipAddress: string;
  readonly prefixLength: number;
}

/** One published port binding, HostConfig.PortBindings style. */
export interface PortBindingRecord {
  readonly HostIp: string;
  readonly HostPort: string;
}

/** Everything dockerd knows about one container. */
export interface ContainerRecord {
  readonly id: string;
  /** The name with its leading slash, as Docker stores it (`/web`). */
  readonly name: string;
  /** Virtual ms of creation. */
  readonly created: number;
  /** The image as the user named it (`nginx`). */
  readonly imageName: string;
  /** The image id, `sha256:...`. */
  readonly imageId: string;
  readonly path: string;
  readonly args: readonly string[];
  /** The Engine API `Config` object. */
  readonly config: ContainerConfig;
  /** The Engine API `HostConfig` fields swarmsim honours. */
  readonly hostConfig: HostConfigRecord;
  readonly state: ContainerStateRecord;
  readonly restartCount: number;
  readonly hasBeenManuallyStopped: boolean;
  readonly hasBeenStartedBefore: boolean;
  readonly endpoint: EndpointRecord | null;
  /** A swarm task's endpoints on the swarm's networks, in the agent's order (absent: none; then it is on its NetworkMode's network). */
  readonly swarmEndpoints?: readonly SwarmEndpointRecord[];
  readonly sandboxId: string;
}

/** The container `Config` object of the Engine API. */
export interface ContainerConfig {
  readonly Hostname: string;
  readonly Domainname: string;
  readonly User: string;
  readonly AttachStdin: boolean;
  readonly AttachStdout: boolean;
  readonly AttachStderr: boolean;
  readonly ExposedPorts?: Readonly<Record<string, Record<string, never>>>;
  readonly Tty: boolean;
  readonly OpenStdin: boolean;
  readonly StdinOnce: boolean;
  readonly Env: readonly string[];
  readonly Cmd: readonly string[] | null;
  readonly Image: string;
  readonly Volumes: Readonly<Record<string, Record<string, never>>> | null;
  readonly WorkingDir: string;
  readonly Entrypoint: readonly string[] | null;
  readonly OnBuild: null;
  readonly Labels: Readonly<Record<string, string>>;
  readonly StopSignal?: string;
  readonly StopTimeout?: number;
}

/** The HostConfig fields swarmsim honours; the rest are filled with Docker's defaults when shown. */
export interface HostConfigRecord {
  readonly Binds: readonly string[] | null;
  readonly NetworkMode: string;
  readonly PortBindings: Readonly<Record<string, readonly PortBindingRecord[]>>;
  readonly RestartPolicy: RestartPolicy;
  readonly AutoRemove: boolean;
  readonly Memory: number;
  readonly NanoCpus: number;
  readonly CpuShares: number;
  readonly CpuQuota: number;
  readonly CpuPeriod: number;
  readonly PublishAllPorts: boolean;
  readonly Privileged: boolean;
}

/** An image in the local store. */
export interface ImageRecord {
  /** `sha256:...` */
  readonly id: string;
  /** `nginx:latest` style tags (Docker Hub official images without `docker.io/library/`). */
  readonly repoTags: readonly string[];
  /** `nginx@sha256:...` */
  readonly repoDigests: readonly string[];
  /** The image's build date, RFC 3339. */
  readonly created: string;
  readonly sizeBytes: number;
  readonly layers: readonly ImageLayer[];
  readonly config: ImageConfig;
  readonly architecture: string;
  readonly os: string;
}

/** A network. */
export interface NetworkRecord {
  readonly id: string;
  readonly name: string;
  readonly driver: "bridge" | "host" | "null" | "overlay";
  readonly scope: "local" | "swarm";
  /** Virtual ms of creation. */
  readonly created: number;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  readonly subnet: string | null;
  readonly gateway: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
}

/** A volume. */
export interface VolumeRecord {
  readonly name: string;
  readonly driver: string;
  /** Virtual ms of creation. */
  readonly created: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  /** Whether the name was generated (an anonymous volume). */
  readonly anonymous: boolean;
}

/** The disk keys of each kind of record. */
export const recordKeys = {
  container: (id: string) => `${dockerRoot}/containers/${id}/config.v2.json`,
  containerLog: (id: string) => `${dockerRoot}/containers/${id}/${id}-json.log`,
  image: (id: string) => `${dockerRoot}/image/overlay2/imagedb/content/${id}`,
  layer: (digest: string) => `${dockerRoot}/image/overlay2/layerdb/${digest}`,
  network: (id: string) => `${dockerRoot}/network/files/${id}`,
  volume: (name: string) => `${dockerRoot}/volumes/${name}/opts.json`,
  engineId: `${dockerRoot}/engine-id`,
  /**
   * A container's output FIFO (`init-stdout`): while a client is attached it holds dockerd's
   * address, and the container's shim copies every output line there.
   */
  attachFifo: (id: string) => `${dockerExecRoot}/containerd/${id}/init-stdout`,
} as const;

/** Loads every record of one kind, in key order. */
export function loadRecords<T>(disk: Disk, prefix: string, suffix = ""): T[] {
  return disk
    .keys(prefix)
    .filter((key) => key.endsWith(suffix))
    .map((key) => disk.read<T>(key)!);
}
