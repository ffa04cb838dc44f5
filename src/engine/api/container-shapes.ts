/**
 * The Engine API's JSON for containers, built from dockerd's records: `ContainerSummary`
 * (`GET /containers/json`) and `ContainerInspectResponse` (`GET /containers/{id}/json`), with
 * the fields, defaults and nulls a real Docker 28 daemon sends (see the recorded fixtures).
 */
import { formatRfc3339Nano } from "../../cli/times.js";
import type { ContainerRecord, NetworkRecord, SwarmEndpointRecord } from "../dockerd/records.js";
import { hashText } from "../../sim/hash.js";
import { macAddressOf } from "../../swarm/network/ipam.js";
import { dockerRoot, recordKeys } from "../dockerd/records.js";
import { containerStatus, type ContainerStatusState } from "../../cli/units.js";

/** Docker's zero time, shown for times that never happened. */
export const zeroTime = "0001-01-01T00:00:00Z";

/** Formats a virtual time for the API (RFC 3339 with nanoseconds), or the zero time. */
export function apiTime(virtualMs: number | null, startTimeMs: number): string {
  return virtualMs === null ? zeroTime : formatRfc3339Nano(startTimeMs + virtualMs);
}

/** The command as `docker ps` shows it: path and args joined, quoting args with spaces. */
export function commandText(record: ContainerRecord): string {
  return [record.path, ...record.args].map((word) => (/[\s'"]/.test(word) ? `'${word.replace(/'/g, "'\\''")}'` : word)).join(" ");
}

interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: "tcp" | "udp" | "sctp";
}

/** The `Ports` of a summary: exposed ports, and published bindings for running containers. */
function summaryPorts(record: ContainerRecord): PortSummary[] {
  const ports: PortSummary[] = [];
  const exposed = new Set([...Object.keys(record.config.ExposedPorts ?? {}), ...Object.keys(record.hostConfig.PortBindings)]);
  for (const key of [...exposed].sort()) {
    const [portText, protocol = "tcp"] = key.split("/");
    const privatePort = Number(portText);
    const type = protocol as PortSummary["Type"];
    const bindings = record.state.running ? record.hostConfig.PortBindings[key] ?? [] : [];
    if (bindings.length === 0) {
      if (record.state.running) ports.push({ PrivatePort: privatePort, Type: type });
      continue;
    }
    for (const binding of bindings) {
      const publicPort = Number(binding.HostPort);
      ports.push({ IP: binding.HostIp || "0.0.0.0", PrivatePort: privatePort, PublicPort: publicPort, Type: type });
      if (binding.HostIp === "") ports.push({ IP: "::", PrivatePort: privatePort, PublicPort: publicPort, Type: type });
    }
  }
  return ports;
}

function endpointSettings(record: ContainerRecord, networkName: string): Record<string, unknown> {
  const endpoint = record.state.running || record.state.restarting ? record.endpoint : null;
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: endpoint?.macAddress ?? "",
    DriverOpts: null,
    GwPriority: 0,
    // moby's cleanOperationalData clears the endpoint's addresses when the container stops, not the network it is on.
    NetworkID: record.endpoint?.networkId ?? "",
    EndpointID: endpoint?.endpointId ?? "",
    Gateway: endpoint?.gateway ?? "",
    IPAddress: endpoint?.ipAddress ?? "",
    IPPrefixLen: endpoint?.prefixLength ?? 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    DNSNames: endpoint ? [record.name.slice(1), record.id.slice(0, 12)].filter(() => networkName !== "bridge") : null,
  };
}

/**
 * A swarm task container's endpoint on one of its swarm networks, as moby 20.10 shows it: the
 * address the agent asked for (also as `IPAMConfig`), no gateway, the container's short id as
 * alias while it runs.
 */
function swarmEndpointSettings(record: ContainerRecord, endpoint: SwarmEndpointRecord): Record<string, unknown> {
  const running = record.state.running || record.state.restarting;
  return {
    IPAMConfig: { IPv4Address: endpoint.ipAddress },
    Links: null,
    Aliases: [record.id.slice(0, 12)],
    MacAddress: running ? macAddressOf(endpoint.ipAddress) : "",
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: endpoint.networkId,
    EndpointID: running ? endpointIdOf(record, endpoint) : "",
    Gateway: "",
    IPAddress: running ? endpoint.ipAddress : "",
    IPPrefixLen: running ? endpoint.prefixLength : 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

/** A stable 64-hex-digit endpoint id (moby's are random). */
function endpointIdOf(record: ContainerRecord, endpoint: SwarmEndpointRecord): string {
  return [0, 1, 2, 3].map((lane) => hashText(`container-endpoint/${record.id}/${endpoint.networkId}/${lane}`)).join("");
}

/** `NetworkSettings.Networks`: the swarm endpoints of a task container (by name, sorted as Go writes a map), else its NetworkMode's network. */
function networksOf(record: ContainerRecord): Record<string, unknown> {
  if (record.swarmEndpoints !== undefined && record.swarmEndpoints.length > 0) {
    const sorted = [...record.swarmEndpoints].sort((left, right) => (left.networkName < right.networkName ? -1 : left.networkName > right.networkName ? 1 : 0));
    return Object.fromEntries(sorted.map((endpoint) => [endpoint.networkName, swarmEndpointSettings(record, endpoint)]));
  }
  const name = networkName(record);
  return { [name]: endpointSettings(record, name) };
}

function networkName(record: ContainerRecord): string {
  const mode = record.hostConfig.NetworkMode;
  return mode === "default" ? "bridge" : mode;
}

/** The state as the STATUS column needs it, in wall-clock ms. */
export function statusState(record: ContainerRecord, startTimeMs: number): ContainerStatusState {
  const { state } = record;
  return {
    running: state.running,
    paused: false,
    restarting: state.restarting,
    removalInProgress: state.status === "removing",
    dead: state.dead,
    startedAtMs: state.startedAt === null ? null : startTimeMs + state.startedAt,
    finishedAtMs: state.finishedAt === null ? null : startTimeMs + state.finishedAt,
    exitCode: state.exitCode,
    health: null,
  };
}

/** `ContainerSummary`, one entry of `GET /containers/json`. */
export function containerSummary(record: ContainerRecord, startTimeMs: number, nowMs: number): Record<string, unknown> {
  return {
    Id: record.id,
    Names: [record.name],
    Image: record.imageName,
    ImageID: record.imageId,
    Command: commandText(record),
    Created: Math.floor((startTimeMs + record.created) / 1000),
    Ports: summaryPorts(record),
    Labels: record.config.Labels,
    State: record.state.status,
    Status: containerStatus(statusState(record, startTimeMs), startTimeMs + nowMs),
    HostConfig: { NetworkMode: record.hostConfig.NetworkMode },
    NetworkSettings: { Networks: networksOf(record) },
    Mounts: [],
  };
}

/**
 * The directory name of a layer in overlay2's store (its "cache id"). moby draws it at random
 * when the layer is created, distinct from the layer's digest and from any container or image id;
 * here it is a stable hash of what it stands for (`image-layer/<diff id>`, `container/<id>`).
 */
export function overlayCacheId(kind: "image-layer" | "container", id: string): string {
  // Remembered by the id itself, so a lookup builds no key (an image's layer digests are the same
  // strings at every inspect of its containers, and a string keeps its hash once computed).
  const remembered = kind === "container" ? containerCacheIds : layerCacheIds;
  let cacheId = remembered.get(id);
  if (cacheId === undefined) {
    cacheId = [0, 1, 2, 3].map((lane) => hashText(`overlay2-cache/${kind}/${id}/${lane}`)).join("");
    // A pure function of the kind and id: remembered (every inspect of a container asks again for its
    // layers, shared by all containers of an image), forgotten wholesale at the bound.
    if (remembered.size >= overlayCacheIdsMax) remembered.clear();
    remembered.set(id, cacheId);
  }
  return cacheId;
}

/** Bound `overlayCacheIdsMax`: cache ids {@link overlayCacheId} remembers, of layers and of containers each. */
const overlayCacheIdsMax = 4_096;
const layerCacheIds = new Map<string, string>();
const containerCacheIds = new Map<string, string>();

/**
 * `GraphDriver.Data` of overlay2 for a layer stack, top first: the top layer's merged, diff
 * and work directories, and the lower layers' diff directories joined with `:` (absent for a
 * single layer), the keys sorted as Go writes a map.
 */
export function overlayGraphDriverData(cacheIdsTopFirst: readonly string[]): Record<string, string> {
  const [top, ...lower] = cacheIdsTopFirst;
  const directory = (cacheId: string) => `${dockerRoot}/overlay2/${cacheId}`;
  // Built key by key: a literal starting with a spread gives each object a hidden class of its own in V8.
  const data: Record<string, string> = {};
  if (lower.length > 0) data.LowerDir = lower.map((cacheId) => `${directory(cacheId)}/diff`).join(":");
  data.MergedDir = `${directory(top!)}/merged`;
  data.UpperDir = `${directory(top!)}/diff`;
  data.WorkDir = `${directory(top!)}/work`;
  return data;
}

/** `ContainerInspectResponse`, `GET /containers/{id}/json`. */
export function containerInspect(
  record: ContainerRecord,
  networks: ReadonlyMap<string, NetworkRecord>,
  startTimeMs: number,
  /** The ids of the container's exec processes that have not exited (null when none, as Go writes a nil slice). */
  execIds: readonly string[] | null = null,
  /** The diff ids of the container's image's layers, bottom first (its `RootFS.Layers`). */
  imageLayerDigests: readonly string[] = [],
): Record<string, unknown> {
  const { state, hostConfig } = record;
  const directory = `${dockerRoot}/containers/${record.id}`;
  const containerCacheId = overlayCacheId("container", record.id);
  const running = state.running || state.restarting;
  const ports: Record<string, unknown> = {};
  for (const key of Object.keys(record.config.ExposedPorts ?? {}).sort()) {
    const bindings = hostConfig.PortBindings[key];
    ports[key] = running && bindings ? bindings.flatMap((binding) => (binding.HostIp === "" ? [{ HostIp: "0.0.0.0", HostPort: binding.HostPort }, { HostIp: "::", HostPort: binding.HostPort }] : [binding])) : null;
  }
  void networks;
  return {
    Id: record.id,
    Created: apiTime(record.created, startTimeMs),
    Path: record.path,
    Args: record.args,
    State: {
      Status: state.status,
      Running: state.running,
      Paused: false,
      Restarting: state.restarting,
      OOMKilled: state.oomKilled,
      Dead: state.dead,
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: apiTime(state.startedAt, startTimeMs),
      FinishedAt: apiTime(state.finishedAt, startTimeMs),
    },
    Image: record.imageId,
    ResolvConfPath: `${directory}/resolv.conf`,
    HostnamePath: `${directory}/hostname`,
    HostsPath: `${directory}/hosts`,
    LogPath: recordKeys.containerLog(record.id),
    Name: record.name,
    RestartCount: record.restartCount,
    Driver: "overlay2",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: execIds === null || execIds.length === 0 ? null : [...execIds],
    HostConfig: hostConfigShape(record),
    GraphDriver: {
      // The container's read-write layer on its `-init` layer (hostname, resolv.conf...) on the image's layers.
      Data: overlayGraphDriverData([containerCacheId, `${containerCacheId}-init`, ...[...imageLayerDigests].reverse().map((digest) => overlayCacheId("image-layer", digest))]),
      Name: "overlay2",
    },
    Mounts: [],
    Config: { ...record.config, ExposedPorts: record.config.ExposedPorts },
    NetworkSettings: {
      // The sandbox a container got when it first started stays named once it stops (moby's releaseNetwork keeps SandboxID).
      SandboxID: running || record.endpoint !== null ? record.sandboxId : "",
      SandboxKey: running || record.endpoint !== null ? `/var/run/docker/netns/${record.sandboxId.slice(0, 12)}` : "",
      Ports: ports,
      Networks: networksOf(record),
    },
  };
}

/** The full `HostConfig` with Docker's defaults for the fields swarmsim does not model. */
function hostConfigShape(record: ContainerRecord): Record<string, unknown> {
  const hostConfig = record.hostConfig;
  return {
    Binds: hostConfig.Binds,
    ContainerIDFile: "",
    LogConfig: { Type: "json-file", Config: {} },
    NetworkMode: hostConfig.NetworkMode,
    PortBindings: hostConfig.PortBindings,
    RestartPolicy: hostConfig.RestartPolicy,
    AutoRemove: hostConfig.AutoRemove,
    VolumeDriver: "",
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: "private",
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: "private",
    Cgroup: "",
    Links: null,
    OomScoreAdj: 0,
    PidMode: "",
    Privileged: hostConfig.Privileged,
    PublishAllPorts: hostConfig.PublishAllPorts,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: "",
    UsernsMode: "",
    ShmSize: 67108864,
    Runtime: "runc",
    Isolation: "",
    CpuShares: hostConfig.CpuShares,
    Memory: hostConfig.Memory,
    NanoCpus: hostConfig.NanoCpus,
    CgroupParent: "",
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: hostConfig.CpuPeriod,
    CpuQuota: hostConfig.CpuQuota,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: "",
    CpusetMems: "",
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: hostConfig.Memory > 0 ? hostConfig.Memory * 2 : 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: null,
    Ulimits: [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: ["/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"],
    ReadonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
  };
}
