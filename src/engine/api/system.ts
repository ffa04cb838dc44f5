/**
 * The Engine API's system routes: `/_ping`, `/version` and `/info`, with the fields a Docker
 * 28.2.2 engine on Linux reports, filled from the simulated host (its name, CPUs, memory,
 * labels) and dockerd's state.
 */
import { call, RpcError, type Coroutine } from "../../sim/coroutine.js";
import { managerProcessName, readLocalState } from "../../swarm/node/local-state.js";
import { swarmLockedMessage } from "../../swarm/node/autolock.js";
import { swarmInfoToApi } from "../../swarm/api/index.js";
import type { ClusterState } from "../../swarm/types.js";
import { engineVersion, type Dockerd } from "../dockerd/daemon.js";
import { apiTime } from "./container-shapes.js";
import { apiVersion, minimumApiVersion, type Route, type RouteRequest, type RouteResult } from "./router.js";
import { badRequest } from "./http.js";
import { parseFilters } from "./lookup.js";

/** Versions of the components swarmsim presents, as Docker 28.2.2's static packages ship them. */
export const componentVersions = {
  containerd: { version: "1.7.27", commit: "05044ec0a9a75232cad458027ca83437aae3f4da" },
  runc: { version: "1.2.5", commit: "v1.2.5-0-g59923ef" },
  dockerInit: { version: "0.19.0", commit: "de40ad0" },
  goVersion: "go1.24.3",
  gitCommit: "45873be",
  kernelVersion: "6.8.0-swarmsim",
  buildTime: "2025-05-30T12:07:26.000000000+00:00",
} as const;

/** moby's `Swarm` header of `/_ping`: `inactive`, or `active/manager` / `active/worker`. */
function swarmPingStatus(daemon: Dockerd): string {
  const local = readLocalState(daemon.context.disk);
  if (local === null) return "inactive";
  return daemon.swarmLocked ? "locked" : `active/${local.role}`;
}

function* ping(daemon: Dockerd, _request: RouteRequest): Coroutine<RouteResult> {
  return {
    statusCode: 200,
    body: "OK",
    headers: {
      "Builder-Version": "2",
      "Cache-Control": "no-cache, no-store, must-revalidate",
      Pragma: "no-cache",
      Swarm: swarmPingStatus(daemon),
      "Content-Type": "text/plain; charset=utf-8",
    },
  };
}

/** A `since`/`until` of `/events`: Unix seconds, possibly with a fraction; null when absent. */
function eventTimeMs(value: string | undefined, name: string): number | null {
  if (value === undefined || value === "") return null;
  if (!/^\d+(\.\d+)?$/.test(value)) throw badRequest(`invalid value for ${name}: ${value}`);
  return Number(value) * 1000;
}

/**
 * `GET /events?since=&until=&filters=`: the events dockerd kept (the last 256) between `since`
 * (default: now, as moby streams only new events) and `until` (default: now), filtered by
 * `type`, `event`, `container` (id or name) and `image`. The HTTP server streams them, one JSON
 * message per line, and keeps following while `until` is absent.
 */
function* events(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const nowMs = daemon.wallTimeMs;
  const sinceMs = eventTimeMs(request.query.since, "since") ?? nowMs;
  const untilMs = Math.min(eventTimeMs(request.query.until, "until") ?? nowMs, nowMs);
  const filters = parseFilters(request.query.filters);
  const matches = (wanted: readonly string[] | undefined, ...values: readonly (string | undefined)[]): boolean =>
    wanted === undefined || wanted.some((value) => values.some((candidate) => candidate !== undefined && (candidate === value || (value.length >= 12 && candidate.startsWith(value)))));
  // moby's `matchEvent`: a filter naming exec_create, exec_start or health_status matches the actions
  // they begin (`exec_create: echo hi`), by prefix; otherwise actions match exactly.
  const fuzzy = (filters.event ?? []).some((value) => value === "exec_create" || value === "exec_start" || value === "health_status");
  const matchesAction = (wanted: readonly string[] | undefined, action: string): boolean =>
    wanted === undefined || wanted.some((value) => (fuzzy ? action.startsWith(value) : action === value));
  const messages = daemon.events
    .between(sinceMs, untilMs)
    .filter(
      (message) =>
        matches(filters.type, message.Type) &&
        matchesAction(filters.event, message.Action) &&
        matches(filters.container, ...(message.Type === "container" ? [message.Actor.ID, message.Actor.Attributes.name] : [])) &&
        matches(filters.image, message.Actor.Attributes.image),
    );
  return { statusCode: 200, body: { events: messages } };
}

function* version(_daemon: Dockerd, _request: RouteRequest): Coroutine<RouteResult> {
  const { containerd, runc, dockerInit, goVersion, gitCommit, kernelVersion, buildTime } = componentVersions;
  return {
    statusCode: 200,
    body: {
      Platform: { Name: "Docker Engine - Community" },
      Components: [
        {
          Name: "Engine",
          Version: engineVersion,
          Details: { ApiVersion: apiVersion, Arch: "amd64", BuildTime: buildTime, Experimental: "false", GitCommit: gitCommit, GoVersion: goVersion, KernelVersion: kernelVersion, MinAPIVersion: minimumApiVersion, Os: "linux" },
        },
        { Name: "containerd", Version: containerd.version, Details: { GitCommit: containerd.commit } },
        { Name: "runc", Version: runc.version, Details: { GitCommit: runc.commit } },
        { Name: "docker-init", Version: dockerInit.version, Details: { GitCommit: dockerInit.commit } },
      ],
      Version: engineVersion,
      ApiVersion: apiVersion,
      MinAPIVersion: minimumApiVersion,
      GitCommit: gitCommit,
      GoVersion: goVersion,
      Os: "linux",
      Arch: "amd64",
      KernelVersion: kernelVersion,
      BuildTime: buildTime,
    },
  };
}

/** The `Swarm` field of `/info`: this node's membership, and the cluster as its manager sees it. */
function* swarmInfo(daemon: Dockerd): Coroutine<Record<string, unknown>> {
  const local = readLocalState(daemon.context.disk);
  const inactive = { nodeId: "", nodeAddress: "", state: "inactive" as const, controlAvailable: false, error: "", remoteManagers: [], nodes: 0, managers: 0, cluster: null };
  if (local === null) return swarmInfoToApi(inactive, null);
  // moby's Info for a locked node: no swarm node runs, so no node id, managers or cluster.
  if (daemon.swarmLocked) return swarmInfoToApi({ ...inactive, nodeAddress: local.advertiseAddress.split(":")[0]!, state: "locked", error: swarmLockedMessage }, null);
  let state: ClusterState | null = null;
  if (local.role === "manager") {
    try {
      state = ((yield* call(daemon.hostName, managerProcessName, "read", {}, swarmInfoTimeoutMs)) as { state: ClusterState }).state;
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
    }
  }
  const nodes = state === null ? [] : Object.values(state.nodes);
  const managers = nodes.filter((node) => node.role === "manager");
  const remoteManagers =
    managers.length > 0
      ? managers.map((node) => ({ NodeID: node.id, Addr: node.managerStatus?.address ?? `${node.status.address}:2377` })).sort((left, right) => (left.NodeID < right.NodeID ? -1 : 1))
      : local.managers.map((host) => ({ NodeID: "", Addr: `${host}:2377` }));
  const context = state === null ? null : { startTimeMs: daemon.wallTimeMs - daemon.now, state };
  return swarmInfoToApi(
    {
      nodeId: local.nodeId,
      nodeAddress: local.advertiseAddress.split(":")[0]!,
      state: "active",
      controlAvailable: local.role === "manager",
      error: "",
      remoteManagers,
      nodes: nodes.length,
      managers: managers.length,
      cluster: state?.cluster ?? null,
    },
    context,
  );
}

/** How long `/info` waits for the local manager's view of the cluster, ms. */
export const swarmInfoTimeoutMs = 5_000;

function* info(daemon: Dockerd, _request: RouteRequest): Coroutine<RouteResult> {
  const swarm = yield* swarmInfo(daemon);
  const containers = [...daemon.containers.values()];
  const running = containers.filter((record) => record.state.running).length;
  const { containerd, runc, dockerInit, kernelVersion } = componentVersions;
  const labels = [...(daemon.config.labels ?? [])];
  return {
    statusCode: 200,
    body: {
      ID: daemon.engineId,
      Containers: containers.length,
      ContainersRunning: running,
      ContainersPaused: 0,
      ContainersStopped: containers.length - running,
      Images: daemon.images.size,
      Driver: "overlay2",
      DriverStatus: [["Backing Filesystem", "extfs"], ["Supports d_type", "true"], ["Using metacopy", "false"], ["Native Overlay Diff", "true"], ["userxattr", "false"]],
      Plugins: {
        Volume: ["local"],
        Network: ["bridge", "host", "ipvlan", "macvlan", "null", "overlay"],
        Authorization: null,
        Log: ["awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "splunk", "syslog"],
      },
      MemoryLimit: true,
      SwapLimit: true,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: true,
      Debug: false,
      NFd: 29 + 2 * running,
      OomKillDisable: false,
      NGoroutines: 45 + 3 * running,
      SystemTime: apiTime(daemon.now, daemon.wallTimeMs - daemon.now),
      LoggingDriver: "json-file",
      CgroupDriver: "systemd",
      CgroupVersion: "2",
      NEventsListener: 0,
      KernelVersion: kernelVersion,
      OperatingSystem: "Ubuntu 24.04.2 LTS",
      OSVersion: "24.04",
      OSType: "linux",
      Architecture: "x86_64",
      IndexServerAddress: "https://index.docker.io/v1/",
      RegistryConfig: {
        InsecureRegistryCIDRs: ["::1/128", "127.0.0.0/8"],
        IndexConfigs: { "docker.io": { Name: "docker.io", Mirrors: [], Secure: true, Official: true } },
        Mirrors: null,
      },
      NCPU: daemon.machine.cpus,
      MemTotal: daemon.machine.memoryBytes,
      GenericResources: null,
      DockerRootDir: "/var/lib/docker",
      HttpProxy: "",
      HttpsProxy: "",
      NoProxy: "",
      Name: daemon.hostName,
      Labels: labels,
      ExperimentalBuild: false,
      ServerVersion: engineVersion,
      Runtimes: { "io.containerd.runc.v2": { path: "runc", status: { "org.opencontainers.runtime-spec.features": "{}" } }, runc: { path: "runc", status: { "org.opencontainers.runtime-spec.features": "{}" } } },
      DefaultRuntime: "runc",
      Swarm: swarm,
      LiveRestoreEnabled: daemon.config["live-restore"] === true,
      Isolation: "",
      InitBinary: "docker-init",
      ContainerdCommit: { ID: containerd.commit },
      RuncCommit: { ID: runc.commit },
      InitCommit: { ID: dockerInit.commit },
      SecurityOptions: ["name=seccomp,profile=builtin", "name=cgroupns"],
      CDISpecDirs: ["/etc/cdi", "/var/run/cdi"],
      Containerd: { Address: "/run/containerd/containerd.sock", Namespaces: { Containers: "moby", Plugins: "plugins.moby" } },
      Warnings: null,
    },
  };
}

/** The system routes. */
export const systemRoutes: readonly Route<Dockerd>[] = [
  { method: "GET", pattern: "/_ping", handler: ping },
  { method: "GET", pattern: "/events", handler: events },
  { method: "GET", pattern: "/version", handler: version },
  { method: "GET", pattern: "/info", handler: info },
];
