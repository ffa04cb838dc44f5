/**
 * The swarm as the Engine API shows it: `GET /swarm` (moby's `convert.SwarmFromGRPC`: ClusterInfo
 * plus JoinTokens), the `Swarm` field of `GET /info` (moby's `Cluster.Info`), and the spec
 * `POST /swarm/update` reads. Settings swarmsim does not model carry the values `docker swarm
 * init` gives them: 500 log entries for slow followers, election tick 10, heartbeat tick 1,
 * address pool 10.0.0.0/8 with /24 subnets, data path port 4789.
 */
import type { Cluster } from "../types.js";
import { durationNanoseconds, failure, labelsToApi, metaToApi, type ApiContext, type ApiObject, type SpecResult } from "./common.js";
import { GoJsonDecoder } from "./go-json.js";
import { rootCaTlsInfo } from "../node/root-ca.js";

/** The settings of a swarm made by `docker swarm init` with no options, beyond what {@link Cluster} models. */
export const swarmInitDefaults = {
  raftSnapshotInterval: 10_000,
  raftKeepOldSnapshots: 0,
  raftLogEntriesForSlowFollowers: 500,
  raftElectionTick: 10,
  raftHeartbeatTick: 1,
  nodeCertificateExpiryMs: 90 * 24 * 60 * 60 * 1000,
  defaultAddressPool: ["10.0.0.0/8"],
  subnetSize: 24,
  dataPathPort: 4789,
} as const;

/** The warning moby adds to `docker info` when a swarm has exactly two managers. */
export const twoManagersWarning =
  "WARNING: Running Swarm in a two-manager configuration. This configuration provides\n" +
  "         no fault tolerance, and poses a high risk to lose control over the cluster.\n" +
  "         Refer to https://docs.docker.com/engine/swarm/admin_guide/ to configure the\n" +
  "         Swarm for fault-tolerance.";

/** ClusterInfo: the cluster object without the join tokens (also `Swarm.Cluster` of `GET /info`). */
export function clusterInfoToApi(cluster: Cluster, context: ApiContext): ApiObject {
  const spec: ApiObject = {};
  if (cluster.name !== "") spec.Name = cluster.name;
  spec.Labels = labelsToApi({});
  spec.Orchestration = { TaskHistoryRetentionLimit: cluster.taskHistoryRetentionLimit };
  spec.Raft = {
    SnapshotInterval: cluster.raftSnapshotInterval,
    KeepOldSnapshots: cluster.raftKeepOldSnapshots,
    LogEntriesForSlowFollowers: swarmInitDefaults.raftLogEntriesForSlowFollowers,
    ElectionTick: swarmInitDefaults.raftElectionTick,
    HeartbeatTick: swarmInitDefaults.raftHeartbeatTick,
  };
  spec.Dispatcher = cluster.heartbeatPeriodMs === 0 ? {} : { HeartbeatPeriod: durationNanoseconds(cluster.heartbeatPeriodMs) };
  spec.CAConfig = { NodeCertExpiry: durationNanoseconds(cluster.nodeCertificateExpiryMs) };
  spec.TaskDefaults = {};
  spec.EncryptionConfig = { AutoLockManagers: cluster.managerUnlockKey !== undefined };
  return {
    ...metaToApi(cluster, context),
    Spec: spec,
    TLSInfo: { ...rootCaTlsInfo(cluster.rootCaDigest, context.startTimeMs + cluster.createdAt) },
    RootRotationInProgress: false,
    DefaultAddrPool: [...swarmInitDefaults.defaultAddressPool],
    SubnetSize: swarmInitDefaults.subnetSize,
    DataPathPort: swarmInitDefaults.dataPathPort,
  };
}

/**
 * The Engine API's Swarm for `GET /swarm`. Without `withJoinTokens` the tokens are empty strings
 * (the field is not omitempty in Go).
 */
export function swarmToApi(cluster: Cluster, context: ApiContext, options: { withJoinTokens: boolean }): Record<string, unknown> {
  const json = clusterInfoToApi(cluster, context);
  json.JoinTokens = options.withJoinTokens
    ? { Worker: cluster.joinTokens.worker, Manager: cluster.joinTokens.manager }
    : { Worker: "", Manager: "" };
  return json;
}

/** What `GET /info`'s `Swarm` field is made from. */
export interface SwarmInfoInput {
  readonly nodeId: string;
  readonly nodeAddress: string;
  readonly state: "inactive" | "pending" | "active" | "error" | "locked";
  readonly controlAvailable: boolean;
  readonly error: string;
  readonly remoteManagers: readonly { NodeID: string; Addr: string }[];
  readonly nodes: number;
  readonly managers: number;
  /** The cluster object, for a manager that can reach the control API (null otherwise). */
  readonly cluster: Cluster | null;
}

/**
 * The `Swarm` field of `GET /info` (SwarmInfo). `Nodes` and `Managers` are left out when 0 and
 * `RemoteManagers` is `null` when empty (Go's omitempty and nil slice); `Cluster` is sent when a
 * cluster and a context are given; `Warnings` carries moby's two-manager warning.
 */
export function swarmInfoToApi(input: SwarmInfoInput, context: ApiContext | null): Record<string, unknown> {
  const json: ApiObject = {
    NodeID: input.nodeId,
    NodeAddr: input.nodeAddress,
    LocalNodeState: input.state,
    ControlAvailable: input.controlAvailable,
    Error: input.error,
    RemoteManagers: input.remoteManagers.length === 0 ? null : input.remoteManagers.map((peer) => ({ NodeID: peer.NodeID, Addr: peer.Addr })),
  };
  if (input.nodes !== 0) json.Nodes = input.nodes;
  if (input.managers !== 0) json.Managers = input.managers;
  if (input.cluster !== null && context !== null) json.Cluster = clusterInfoToApi(input.cluster, context);
  const quietStates: readonly string[] = ["inactive", "locked", "error"];
  if (input.controlAvailable && input.managers === 2 && !quietStates.includes(input.state)) json.Warnings = [twoManagersWarning];
  return json;
}

/** The parts of a swarm's spec `POST /swarm/update` changes. */
export interface ClusterSpecUpdate {
  readonly taskHistoryRetentionLimit: number;
  readonly heartbeatPeriodMs: number;
  readonly raftSnapshotInterval: number;
  readonly raftKeepOldSnapshots: number;
  readonly nodeCertificateExpiryMs: number;
  /** `Spec.EncryptionConfig.AutoLockManagers`: false when absent, as Go decodes it (the CLI sends the whole spec). */
  readonly autoLockManagers: boolean;
}

/** swarmkit's `ca.MinNodeCertExpiration`, ms (1 hour). */
export const minimumNodeCertificateExpiryMs = 3_600_000;

/**
 * Reads a `POST /swarm/update` body (a swarm Spec, sent whole by the CLI) against the current
 * cluster. Errors as moby and swarmkit give them: 400 `invalid JSON: ...` for a body Go cannot
 * decode, and swarmkit's `validateClusterSpec` (a certificate expiry under an hour, a negative
 * heartbeat period, a changed name) as `rpc error: code = InvalidArgument desc = ...`. A zero
 * field keeps swarmkit's default, as the daemon's conversion does.
 */
export function clusterSpecFromApi(json: unknown, cluster: Cluster): SpecResult<ClusterSpecUpdate> {
  const decoder = new GoJsonDecoder();
  const body = decoder.root(json, "Spec", "swarm.Spec");
  const name = body.string("Name") ?? "";
  const orchestration = body.struct("Orchestration", "OrchestrationConfig");
  const taskHistoryRetentionLimit = orchestration.integer("TaskHistoryRetentionLimit", "int64");
  const raft = body.struct("Raft", "RaftConfig");
  const snapshotInterval = raft.integer("SnapshotInterval", "uint64");
  const keepOldSnapshots = raft.integer("KeepOldSnapshots", "uint64");
  const heartbeatPeriodNanoseconds = body.struct("Dispatcher", "DispatcherConfig").integer("HeartbeatPeriod", "time.Duration");
  const certificateExpiryNanoseconds = body.struct("CAConfig", "CAConfig").integer("NodeCertExpiry", "time.Duration");
  const autoLockManagers = body.struct("EncryptionConfig", "EncryptionConfig").boolean("AutoLockManagers") ?? false;
  if (decoder.firstError !== null) return failure(400, `invalid JSON: ${decoder.firstError}`);
  const invalid = (message: string) => failure(400, `rpc error: code = InvalidArgument desc = ${message}`);
  const nodeCertificateExpiryMs = certificateExpiryNanoseconds === null || certificateExpiryNanoseconds === 0 ? cluster.nodeCertificateExpiryMs : certificateExpiryNanoseconds / 1e6;
  if (nodeCertificateExpiryMs < minimumNodeCertificateExpiryMs) return invalid("minimum certificate expiry time is: 1h0m0s");
  if (heartbeatPeriodNanoseconds !== null && heartbeatPeriodNanoseconds < 0) return invalid("heartbeat time period cannot be a negative duration");
  if (name !== "" && name !== cluster.name) return invalid("modification of cluster name is not allowed");
  return {
    ok: true,
    value: {
      taskHistoryRetentionLimit: taskHistoryRetentionLimit ?? cluster.taskHistoryRetentionLimit,
      heartbeatPeriodMs: heartbeatPeriodNanoseconds === null || heartbeatPeriodNanoseconds === 0 ? cluster.heartbeatPeriodMs : heartbeatPeriodNanoseconds / 1e6,
      raftSnapshotInterval: snapshotInterval === null || snapshotInterval === 0 ? cluster.raftSnapshotInterval : snapshotInterval,
      raftKeepOldSnapshots: keepOldSnapshots ?? cluster.raftKeepOldSnapshots,
      nodeCertificateExpiryMs,
      autoLockManagers,
    },
    warnings: [],
  };
}
