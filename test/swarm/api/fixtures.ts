// Small builders of swarm objects for the Engine API conversion tests.
import type { ApiContext } from "../../../src/swarm/api/index.js";
import type { Cluster, ClusterState, Service, ServiceSpec, SwarmNode, Task } from "../../../src/swarm/types.js";

/** 2025-01-01T00:00:00Z. */
export const startTimeMs = Date.UTC(2025, 0, 1);

export function context(state: Partial<ClusterState> = {}): ApiContext {
  return { startTimeMs, state: { cluster: null, nodes: {}, services: {}, tasks: {}, ...state } };
}

export function cluster(overrides: Partial<Cluster> = {}): Cluster {
  return {
    id: "kzwu8nacjr2vyk0dwrkkjb1cn",
    version: 10,
    createdAt: 0,
    updatedAt: 1_250,
    name: "default",
    taskHistoryRetentionLimit: 5,
    joinTokens: { worker: "SWMTKN-1-abc-worker", manager: "SWMTKN-1-abc-manager" },
    removedNodes: {},
    ingressNetworkId: "ingress0000000000000000000",
    raftSnapshotInterval: 10_000,
    raftKeepOldSnapshots: 0,
    nodeCertificateExpiryMs: 7_776_000_000,
    rootCaDigest: "sha256:0123",
    heartbeatPeriodMs: 5_000,
    ...overrides,
  };
}

export function node(overrides: Partial<SwarmNode> = {}): SwarmNode {
  return {
    id: "p0yd3yiv9cm4g1fd1nnq5ft3w",
    version: 9,
    createdAt: 100,
    updatedAt: 2_000,
    spec: { name: "", labels: { zone: "a" }, desiredRole: "manager", availability: "active" },
    role: "manager",
    description: {
      hostname: "manager1",
      platform: { architecture: "x86_64", os: "linux" },
      resources: { nanoCpus: 4_000_000_000, memoryBytes: 8 * 2 ** 30 },
      engine: { engineVersion: "28.0.1", labels: {} },
    },
    status: { state: "ready", message: "", address: "10.0.0.2" },
    managerStatus: { leader: true, reachability: "reachable", address: "10.0.0.2:2377" },
    ...overrides,
  };
}

export function spec(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: "web",
    labels: {},
    task: {
      container: { image: "nginx:1.27", command: null, args: null, env: [], labels: {}, stopGracePeriodMs: null },
      resources: { limits: { nanoCpus: 0, memoryBytes: 0 }, reservations: { nanoCpus: 0, memoryBytes: 0 } },
      restartPolicy: { condition: "any", delayMs: 5_000, maxAttempts: 0, windowMs: 0 },
      placement: { constraints: [], preferences: [], maxReplicas: 0, platforms: [] },
      forceUpdate: 0,
    },
    mode: { kind: "replicated", replicas: 1 },
    update: { parallelism: 1, delayMs: 0, failureAction: "pause", monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" },
    rollback: { parallelism: 1, delayMs: 0, failureAction: "pause", monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" },
    endpoint: { mode: "vip", ports: [] },
    ...overrides,
  };
}

/** A spec using every field the model has, with non-default values. */
export function fullSpec(): ServiceSpec {
  return spec({
    name: "api",
    labels: { tier: "front" },
    task: {
      container: {
        image: "registry.example.com:5000/team/api:2.1",
        command: ["/bin/api"],
        args: ["--port", "8080"],
        env: ["MODE=prod"],
        labels: { "com.example": "x" },
        stopGracePeriodMs: 30_000,
      },
      resources: { limits: { nanoCpus: 500_000_000, memoryBytes: 256 * 2 ** 20 }, reservations: { nanoCpus: 250_000_000, memoryBytes: 64 * 2 ** 20 } },
      restartPolicy: { condition: "on-failure", delayMs: 2_500, maxAttempts: 3, windowMs: 60_000 },
      placement: {
        constraints: ["node.role==worker", "node.labels.zone!=b"],
        preferences: [{ spreadDescriptor: "node.labels.zone" }],
        maxReplicas: 2,
        platforms: [{ architecture: "amd64", os: "linux" }],
      },
      forceUpdate: 2,
    },
    mode: { kind: "replicated", replicas: 3 },
    update: { parallelism: 2, delayMs: 10_000, failureAction: "rollback", monitorMs: 15_000, maxFailureRatio: 0.1, order: "start-first" },
    rollback: { parallelism: 0, delayMs: 1_000, failureAction: "continue", monitorMs: 7_000, maxFailureRatio: 0.5, order: "stop-first" },
    endpoint: {
      mode: "vip",
      ports: [
        { name: "http", protocol: "tcp", targetPort: 8080, publishedPort: 80, publishMode: "ingress" },
        { name: "", protocol: "udp", targetPort: 53, publishedPort: 53, publishMode: "host" },
      ],
    },
  });
}

export function service(overrides: Partial<Service> = {}): Service {
  return {
    id: "9mnpnzenvg8p8tdbtq4wvbkcz",
    version: 12,
    createdAt: 1_000,
    updatedAt: 3_500,
    spec: spec(),
    previousSpec: null,
    endpoint: { ports: [], virtualIps: [] },
    updateStatus: null,
    ...overrides,
  };
}

export function task(overrides: Partial<Task> = {}): Task {
  return {
    id: "8eaxrb2fqpbnv9x30vr06i6vh",
    version: 15,
    createdAt: 1_100,
    updatedAt: 4_000,
    serviceId: "9mnpnzenvg8p8tdbtq4wvbkcz",
    slot: 1,
    nodeId: "p0yd3yiv9cm4g1fd1nnq5ft3w",
    spec: spec().task,
    serviceVersion: 12,
    status: { timestamp: 3_900, state: "running", message: "started", error: "", containerId: "a".repeat(64), pid: 4242, exitCode: 0 },
    desiredState: "running",
    name: "",
    ...overrides,
  };
}
