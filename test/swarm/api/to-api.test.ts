// The managers' objects as Engine API JSON: every output validates against swagger.yaml (strict),
// with the field shapes moby's convert package gives them.
import { describe, expect, it } from "vitest";
import { nodeToApi, serviceToApi, swarmInfoToApi, swarmToApi, taskToApi } from "../../../src/swarm/api/index.js";
import { expectEngineApi } from "../../support/engine-api-schema.js";
import { cluster, context, fullSpec, node, service, spec, task } from "./fixtures.js";

describe("nodeToApi", () => {
  it("writes a manager node as the Engine API's Node", () => {
    const json = nodeToApi(node(), context());
    expectEngineApi("Node", json);
    expect(json).toMatchObject({
      ID: "p0yd3yiv9cm4g1fd1nnq5ft3w",
      Version: { Index: 9 },
      CreatedAt: "2025-01-01T00:00:00.1Z",
      UpdatedAt: "2025-01-01T00:00:02Z",
      Spec: { Labels: { zone: "a" }, Role: "manager", Availability: "active" },
      Description: {
        Hostname: "manager1",
        Platform: { Architecture: "x86_64", OS: "linux" },
        Resources: { NanoCPUs: 4_000_000_000, MemoryBytes: 8 * 2 ** 30 },
        Engine: { EngineVersion: "28.0.1" },
        TLSInfo: {},
      },
      Status: { State: "ready", Addr: "10.0.0.2" },
      ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "10.0.0.2:2377" },
    });
    expect(json.Spec).not.toHaveProperty("Name");
    expect((json.Description as { Engine: { Plugins: unknown[] } }).Engine.Plugins).toContainEqual({ Type: "Network", Name: "overlay" });
  });

  it("leaves out ManagerStatus for a worker and Leader when false", () => {
    const worker = nodeToApi(node({ role: "worker", managerStatus: null, spec: { name: "w1", labels: {}, desiredRole: "worker", availability: "drain" } }), context());
    expectEngineApi("Node", worker);
    expect(worker).not.toHaveProperty("ManagerStatus");
    expect(worker.Spec).toEqual({ Name: "w1", Labels: {}, Role: "worker", Availability: "drain" });
    const follower = nodeToApi(node({ managerStatus: { leader: false, reachability: "unreachable", address: "10.0.0.3:2377" } }), context());
    expectEngineApi("Node", follower);
    expect(follower.ManagerStatus).toEqual({ Reachability: "unreachable", Addr: "10.0.0.3:2377" });
  });
});

describe("serviceToApi", () => {
  it("writes a default service the way docker service inspect shows it", () => {
    const json = serviceToApi(service(), context());
    expectEngineApi("Service", json);
    expect(json.Spec).toEqual({
      Name: "web",
      Labels: {},
      TaskTemplate: {
        ContainerSpec: { Image: "nginx:1.27", DNSConfig: {}, Isolation: "default" },
        Resources: { Limits: {}, Reservations: {} },
        RestartPolicy: { Condition: "any", Delay: 5_000_000_000, MaxAttempts: 0 },
        Placement: {},
        ForceUpdate: 0,
        Runtime: "container",
      },
      Mode: { Replicated: { Replicas: 1 } },
      UpdateConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: "stop-first" },
      RollbackConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: "stop-first" },
      EndpointSpec: { Mode: "vip" },
    });
    // Neither ports nor networks: swarmkit's allocator never allocates it, so its endpoint has no spec.
    expect(json.Endpoint).toEqual({ Spec: {} });
    expect(json).not.toHaveProperty("PreviousSpec");
    expect(json).not.toHaveProperty("UpdateStatus");
    expect(json).not.toHaveProperty("ServiceStatus");
  });

  it("leaves out what the client left out, unless asked to insert swarmkit's defaults", () => {
    const base = service().spec;
    const omitting = service({ spec: { ...base, task: { ...base.task, omitted: ["restartPolicy", "dnsConfig"] }, omitted: ["update", "rollback"] } });
    const raw = serviceToApi(omitting, context()).Spec as Record<string, Record<string, unknown>>;
    expect(raw).not.toHaveProperty("UpdateConfig");
    expect(raw).not.toHaveProperty("RollbackConfig");
    expect(raw.TaskTemplate).not.toHaveProperty("RestartPolicy");
    expect(raw.TaskTemplate!.ContainerSpec).toEqual({ Image: "nginx:1.27", Isolation: "default" });
    const filled = serviceToApi(omitting, context(), { insertDefaults: true });
    expectEngineApi("Service", filled);
    const spec = filled.Spec as Record<string, Record<string, unknown>>;
    expect(spec.TaskTemplate!.ContainerSpec).toEqual({ Image: "nginx:1.27", StopGracePeriod: 10_000_000_000, DNSConfig: {}, Isolation: "default" });
    expect(spec.TaskTemplate!.RestartPolicy).toEqual({ Condition: "any", Delay: 5_000_000_000, MaxAttempts: 0 });
    expect(spec.UpdateConfig).toEqual({ Parallelism: 1, FailureAction: "pause", Monitor: 5_000_000_000, MaxFailureRatio: 0, Order: "stop-first" });
    expect(spec.RollbackConfig).toEqual(spec.UpdateConfig);
  });

  it("writes every modelled field, the previous spec, the endpoint and the update status", () => {
    const json = serviceToApi(
      service({
        spec: fullSpec(),
        previousSpec: spec({ name: "api" }),
        endpoint: {
          ports: [{ name: "http", protocol: "tcp", targetPort: 8080, publishedPort: 80, publishMode: "ingress" }],
          virtualIps: [{ networkId: "ingressnetwork00000000000", address: "10.0.0.5/24" }],
        },
        updateStatus: { state: "rollback_completed", startedAt: 2_000, completedAt: 9_000, message: "rollback completed" },
      }),
      context(),
    );
    expectEngineApi("Service", json);
    const template = (json.Spec as { TaskTemplate: Record<string, unknown> }).TaskTemplate;
    expect(template.ContainerSpec).toEqual({
      Image: "registry.example.com:5000/team/api:2.1",
      Labels: { "com.example": "x" },
      Command: ["/bin/api"],
      Args: ["--port", "8080"],
      Env: ["MODE=prod"],
      StopGracePeriod: 30_000_000_000,
      DNSConfig: {},
      Isolation: "default",
    });
    expect(template.RestartPolicy).toEqual({ Condition: "on-failure", Delay: 2_500_000_000, MaxAttempts: 3, Window: 60_000_000_000 });
    expect(template.Placement).toEqual({
      Constraints: ["node.role==worker", "node.labels.zone!=b"],
      Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }],
      MaxReplicas: 2,
      Platforms: [{ Architecture: "amd64", OS: "linux" }],
    });
    expect((json.Spec as Record<string, unknown>).EndpointSpec).toEqual({
      Mode: "vip",
      Ports: [
        { Name: "http", Protocol: "tcp", TargetPort: 8080, PublishedPort: 80, PublishMode: "ingress" },
        { Protocol: "udp", TargetPort: 53, PublishedPort: 53, PublishMode: "host" },
      ],
    });
    expect(json.Endpoint).toMatchObject({ VirtualIPs: [{ NetworkID: "ingressnetwork00000000000", Addr: "10.0.0.5/24" }] });
    expect(json.UpdateStatus).toEqual({
      State: "rollback_completed",
      StartedAt: "2025-01-01T00:00:02Z",
      CompletedAt: "2025-01-01T00:00:09Z",
      Message: "rollback completed",
    });
    expect((json.PreviousSpec as { Name: string }).Name).toBe("api");
  });

  it("adds ServiceStatus from the tasks in the state", () => {
    const web = service();
    const tasks = {
      a: task({ id: "a" }),
      b: task({ id: "b", status: { ...task().status, state: "starting" } }),
      c: task({ id: "c", serviceId: "other" }),
    };
    const json = serviceToApi(service({ spec: spec({ mode: { kind: "replicated", replicas: 3 } }) }), context({ services: { [web.id]: web }, tasks }), { status: true });
    expectEngineApi("Service", json);
    expect(json.ServiceStatus).toEqual({ RunningTasks: 1, DesiredTasks: 3, CompletedTasks: 0 });
  });

  it("counts desired tasks of a global service by desired state", () => {
    const tasks = {
      a: task({ id: "a" }),
      b: task({ id: "b", desiredState: "shutdown", status: { ...task().status, state: "shutdown" } }),
      c: task({ id: "c", status: { ...task().status, state: "preparing" } }),
    };
    const json = serviceToApi(service({ spec: spec({ mode: { kind: "global" } }) }), context({ tasks }), { status: true });
    expectEngineApi("Service", json);
    expect((json.Spec as Record<string, unknown>).Mode).toEqual({ Global: {} });
    expect(json.ServiceStatus).toEqual({ RunningTasks: 1, DesiredTasks: 2, CompletedTasks: 0 });
  });
});

describe("taskToApi", () => {
  it("writes a running task", () => {
    const json = taskToApi(task(), context());
    expectEngineApi("Task", json);
    expect(json).toMatchObject({
      ID: "8eaxrb2fqpbnv9x30vr06i6vh",
      Version: { Index: 15 },
      Labels: {},
      ServiceID: "9mnpnzenvg8p8tdbtq4wvbkcz",
      Slot: 1,
      NodeID: "p0yd3yiv9cm4g1fd1nnq5ft3w",
      Status: {
        Timestamp: "2025-01-01T00:00:03.9Z",
        State: "running",
        Message: "started",
        ContainerStatus: { ContainerID: "a".repeat(64), PID: 4242, ExitCode: 0 },
        PortStatus: {},
      },
      DesiredState: "running",
      Volumes: null,
    });
    expect(json).not.toHaveProperty("Name");
    expect(json.Spec).not.toHaveProperty("Runtime");
  });

  it("writes a pending task of a global service without node, slot or container", () => {
    const json = taskToApi(
      task({ slot: 0, nodeId: "", name: "web.p0yd3yiv9cm4g1fd1nnq5ft3w", status: { timestamp: 0, state: "pending", message: "pending task scheduling", error: "no suitable node", containerId: null, pid: 0, exitCode: null } }),
      context(),
    );
    expectEngineApi("Task", json);
    expect(json).not.toHaveProperty("Slot");
    expect(json).not.toHaveProperty("NodeID");
    expect(json).not.toHaveProperty("Name"); // swarmkit's NewTask sets no task annotations
    expect(json.Status).toEqual({ Timestamp: "2025-01-01T00:00:00Z", State: "pending", Message: "pending task scheduling", Err: "no suitable node", PortStatus: {} });
  });
});

describe("swarmToApi", () => {
  it("writes the cluster with swarm init's settings and the join tokens", () => {
    const json = swarmToApi(cluster(), context(), { withJoinTokens: true });
    expectEngineApi("Swarm", json);
    expect(json).toMatchObject({
      ID: "kzwu8nacjr2vyk0dwrkkjb1cn",
      Version: { Index: 10 },
      CreatedAt: "2025-01-01T00:00:00Z",
      UpdatedAt: "2025-01-01T00:00:01.25Z",
      Spec: {
        Name: "default",
        Labels: {},
        Orchestration: { TaskHistoryRetentionLimit: 5 },
        Raft: { SnapshotInterval: 10_000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
        Dispatcher: { HeartbeatPeriod: 5_000_000_000 },
        CAConfig: { NodeCertExpiry: 7_776_000_000_000_000 },
        TaskDefaults: {},
        EncryptionConfig: { AutoLockManagers: false },
      },
      RootRotationInProgress: false,
      DefaultAddrPool: ["10.0.0.0/8"],
      SubnetSize: 24,
      DataPathPort: 4789,
      JoinTokens: { Worker: "SWMTKN-1-abc-worker", Manager: "SWMTKN-1-abc-manager" },
    });
  });

  it("sends empty join tokens without withJoinTokens", () => {
    const json = swarmToApi(cluster(), context(), { withJoinTokens: false });
    expectEngineApi("Swarm", json);
    expect(json.JoinTokens).toEqual({ Worker: "", Manager: "" });
  });
});

describe("swarmInfoToApi", () => {
  const inactive = { nodeId: "", nodeAddress: "", state: "inactive", controlAvailable: false, error: "", remoteManagers: [], nodes: 0, managers: 0, cluster: null } as const;

  it("writes an inactive node as docker info shows it", () => {
    const json = swarmInfoToApi({ ...inactive, remoteManagers: [] }, null);
    expectEngineApi("SwarmInfo", json);
    expect(json).toEqual({ NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "", RemoteManagers: null });
  });

  it("writes a manager with the cluster, counts and remote managers", () => {
    const json = swarmInfoToApi(
      {
        nodeId: "p0yd3yiv9cm4g1fd1nnq5ft3w",
        nodeAddress: "10.0.0.2",
        state: "active",
        controlAvailable: true,
        error: "",
        remoteManagers: [{ NodeID: "p0yd3yiv9cm4g1fd1nnq5ft3w", Addr: "10.0.0.2:2377" }],
        nodes: 3,
        managers: 1,
        cluster: cluster(),
      },
      context(),
    );
    expectEngineApi("SwarmInfo", json);
    expect(json).toMatchObject({ Nodes: 3, Managers: 1, RemoteManagers: [{ NodeID: "p0yd3yiv9cm4g1fd1nnq5ft3w", Addr: "10.0.0.2:2377" }] });
    expect(json.Cluster).not.toHaveProperty("JoinTokens");
    expect((json.Cluster as { ID: string }).ID).toBe("kzwu8nacjr2vyk0dwrkkjb1cn");
    expect(json).not.toHaveProperty("Warnings");
  });

  it("writes a worker without Cluster, and moby's warning for two managers", () => {
    const worker = swarmInfoToApi({ ...inactive, nodeId: "x", nodeAddress: "10.0.0.4", state: "active", remoteManagers: [{ NodeID: "m", Addr: "10.0.0.2:2377" }] }, context());
    expectEngineApi("SwarmInfo", worker);
    expect(worker).not.toHaveProperty("Cluster");
    expect(worker).not.toHaveProperty("Nodes");
    const twoManagers = swarmInfoToApi({ ...inactive, state: "active", controlAvailable: true, nodes: 2, managers: 2, cluster: cluster() }, context());
    // swagger.yaml's SwarmInfo does not list Warnings, which moby's swarm.Info has (omitempty).
    expectEngineApi("SwarmInfo", twoManagers, { strict: false });
    expect(twoManagers.Warnings).toEqual([expect.stringMatching(/^WARNING: Running Swarm in a two-manager configuration\./)]);
  });
});
