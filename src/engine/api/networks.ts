/**
 * The Engine API's network routes and the networks dockerd creates: the predefined bridge, host
 * and none on its first start, user-defined bridges, and in swarm mode `docker_gwbridge`, the
 * `ingress` overlay and the swarm's user-defined overlays.
 *
 * The swarm networks are shown as moby shows them. A manager lists every swarm network (the
 * cluster's view: `Containers` and `Labels` null, no `Peers`); a node shows the local view of a
 * network it is on (the ingress network always, a user overlay while a live task of the node uses
 * it, a worker no other): its `Containers` (the node's running task containers with their
 * addresses, the `ingress-sbox` endpoint on ingress, the `lb-<network>` load-balancer endpoint on
 * a user overlay) and `Peers` (the nodes on it). `docker_gwbridge` shows the gateway endpoints of
 * the ingress sandbox and of each task container on an overlay. Addresses come from the swarm's
 * network allocation (`swarm/network/`), which the engine reads from a manager (its own, or for
 * a worker one it knows: what its agent was told, in Docker), keeping the last answer for when
 * none answers.
 */
import { call, RpcError, type Coroutine } from "../../sim/coroutine.js";
import { hashText } from "../../sim/hash.js";
import { dockerdProcessName, type Dockerd } from "../dockerd/daemon.js";
import { recordKeys, type ContainerRecord, type NetworkRecord } from "../dockerd/records.js";
import { apiTime } from "./container-shapes.js";
import { ApiError, badRequest, conflict, notFound } from "./http.js";
import { parseFilters } from "./lookup.js";
import type { Route, RouteRequest, RouteResult } from "./router.js";
import { managerProcessName, readLocalState } from "../../swarm/node/local-state.js";
import { newObjectId } from "../../swarm/identifiers.js";
import { createChange, deleteChange } from "../../swarm/store/changes.js";
import { isTaskDead, nodeOwner, resolveNetworkId, taskNetworkIds } from "../../swarm/network/allocation.js";
import { hostAddress, macAddressOf, parseSubnet, prefixLengthOf } from "../../swarm/network/ipam.js";
import { addressOf, networkPeers, nodeNetworks, poolOf, taskAddresses } from "../../swarm/network/view.js";
import type { ClusterState, SwarmNetwork, SwarmNetworkSpec } from "../../swarm/types.js";
import type { ControlWrite } from "../../swarm/manager/manager.js";

/** How long the engine waits for a manager's answer about the swarm's networks, ms. */
export const swarmNetworkReadTimeoutMs = 2_000;
/** The label a swarm task's container carries (set by the agent). */
const taskIdLabel = "com.docker.swarm.task.id";

/** Names of the networks every engine has, which cannot be removed. */
export const predefinedNetworkNames: readonly string[] = ["none", "host", "bridge"];
/** Bound `userNetworksMax`: user-defined bridges take the /16 subnets 172.18-172.31 and 192.168.x as Docker's default pools do; this many fit. */
export const userNetworksMax = 14;

const defaultBridgeOptions: Readonly<Record<string, string>> = {
  "com.docker.network.bridge.default_bridge": "true",
  "com.docker.network.bridge.enable_icc": "true",
  "com.docker.network.bridge.enable_ip_masquerade": "true",
  "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
  "com.docker.network.bridge.name": "docker0",
  "com.docker.network.driver.mtu": "1500",
};

function saveNetwork(daemon: Dockerd, record: NetworkRecord): void {
  daemon.networks.set(record.id, record);
  daemon.context.disk.write(recordKeys.network(record.id), record);
}

/** Creates none, host and bridge when the engine has no networks yet (its first start). */
export function ensurePredefinedNetworks(daemon: Dockerd): void {
  if (daemon.networks.size > 0) return;
  for (const name of predefinedNetworkNames) {
    const bridge = name === "bridge";
    saveNetwork(daemon, {
      id: daemon.newId(),
      name,
      driver: bridge ? "bridge" : name === "host" ? "host" : "null",
      scope: "local",
      created: daemon.now,
      internal: false,
      attachable: false,
      ingress: false,
      subnet: bridge ? "172.17.0.0/16" : null,
      gateway: bridge ? "172.17.0.1" : null,
      labels: {},
      options: bridge ? defaultBridgeOptions : {},
    });
  }
}

/**
 * How long after a node enters a swarm `docker_gwbridge` appears, ms: moby creates it when it sets
 * up the node's ingress sandbox, which needs the node's ingress address from the managers (about
 * 1.5 s after `swarm init` or `join` in the recordings). Until then the record exists with its
 * future creation time and is not shown.
 */
export const gatewayBridgeSetupMs = 1_500;

/** Whether a network record is set up yet (see {@link gatewayBridgeSetupMs}). */
function isSetUp(daemon: Dockerd, record: NetworkRecord): boolean {
  return record.created <= daemon.now;
}

/**
 * A node entering a swarm gets, as with moby, the local `docker_gwbridge` bridge (its containers'
 * way out of the overlay networks, set up a moment later) and the swarm-scoped `ingress` overlay
 * of the routing mesh, with the swarm's ingress network id. Nothing is created twice.
 */
export function ensureSwarmNetworks(daemon: Dockerd, ingressNetworkId: string): void {
  // The records list their fields in full: a spread followed by new keys would give each its own hidden class in V8.
  if (![...daemon.networks.values()].some((record) => record.name === "docker_gwbridge")) {
    saveNetwork(daemon, {
      created: daemon.now + gatewayBridgeSetupMs,
      internal: false,
      attachable: false,
      labels: {},
      id: daemon.newId(),
      name: "docker_gwbridge",
      driver: "bridge",
      scope: "local",
      ingress: false,
      subnet: "172.18.0.0/16",
      gateway: "172.18.0.1",
      options: {
        "com.docker.network.bridge.enable_icc": "false",
        "com.docker.network.bridge.enable_ip_masquerade": "true",
        "com.docker.network.bridge.name": "docker_gwbridge",
      },
    });
  }
  if (!daemon.networks.has(ingressNetworkId)) {
    saveNetwork(daemon, {
      created: daemon.now,
      internal: false,
      attachable: false,
      labels: {},
      id: ingressNetworkId,
      name: "ingress",
      driver: "overlay",
      scope: "swarm",
      ingress: true,
      subnet: "10.0.0.0/24",
      gateway: "10.0.0.1",
      options: { "com.docker.network.driver.overlay.vxlanid_list": "4096" },
    });
  }
}

/** A node leaving its swarm loses the ingress network (`docker_gwbridge` stays, as with moby). */
export function removeIngressNetwork(daemon: Dockerd): void {
  for (const record of [...daemon.networks.values()]) {
    if (!record.ingress) continue;
    daemon.networks.delete(record.id);
    daemon.context.disk.delete(recordKeys.network(record.id));
  }
}


// ------------------------------------------------------------ the swarm's state

/** What this engine knows of its swarm's networks: the cluster state and its own node id. */
interface SwarmNetworking {
  readonly state: ClusterState;
  readonly nodeId: string;
  readonly manager: boolean;
}

/** The last cluster state each engine read, for when no manager answers. */
const lastSwarmState = new WeakMap<Dockerd, ClusterState>();

/** The nodes each engine heard leave the networks' gossip (moby's networkdb), by node id. */
const departedPeers = new WeakMap<Dockerd, Set<string>>();
/** The message a leaving node's engine gossips to the others. */
export interface PeerLeftMessage {
  readonly networkPeerLeft: string;
}

/**
 * A node leaving the swarm (`docker swarm leave`) tells the other nodes' engines at once, as
 * moby's networkdb does: they drop it from every network's `Peers` (the managers keep the node,
 * Ready, until its heartbeats expire). Sent to the nodes this engine last heard of and the
 * managers it knows.
 */
export function gossipLeave(daemon: Dockerd, nodeId: string, managers: readonly string[]): void {
  const hosts = new Set<string>(managers);
  for (const node of Object.values(lastSwarmState.get(daemon)?.nodes ?? {})) hosts.add(node.description.hostname);
  hosts.delete(daemon.hostName);
  for (const host of [...hosts].sort()) daemon.context.send(host, dockerdProcessName, { networkPeerLeft: nodeId } satisfies PeerLeftMessage);
}

/** Whether `message` is a {@link PeerLeftMessage}; if so this engine forgets that peer. */
export function handlePeerLeft(daemon: Dockerd, message: unknown): boolean {
  if (typeof message !== "object" || message === null || typeof (message as Partial<PeerLeftMessage>).networkPeerLeft !== "string") return false;
  let departed = departedPeers.get(daemon);
  if (departed === undefined) departedPeers.set(daemon, (departed = new Set()));
  departed.add((message as PeerLeftMessage).networkPeerLeft);
  return true;
}

/** A network's `Peers` as this engine shows them: the nodes on it, without those it heard leave. */
function peersOf(daemon: Dockerd, state: ClusterState, networkId: string, nodeId: string): { Name: string; IP: string }[] {
  const departed = departedPeers.get(daemon);
  return networkPeers(state, networkId, nodeId)
    .filter((peer) => departed === undefined || !departed.has(peer.node.id))
    .map((peer) => ({ Name: peer.name, IP: peer.ip }));
}

/**
 * The swarm's state as this engine can learn it, or null outside a swarm: a manager reads its
 * manager's (the leader's, or its own store without a leader), a worker asks the managers it
 * knows in turn; the last answer serves when none comes.
 */
function* swarmNetworking(daemon: Dockerd): Coroutine<SwarmNetworking | null> {
  const local = readLocalState(daemon.context.disk);
  if (local === null) return null;
  const manager = local.role === "manager";
  const attempts: [string, string][] = manager ? [[daemon.hostName, "read"], [daemon.hostName, "local-state"]] : local.managers.map((host) => [host, "read"]);
  let state: ClusterState | undefined;
  if (!daemon.swarmLocked) {
    for (const [host, method] of attempts) {
      try {
        state = ((yield* call(host, managerProcessName, method, {}, swarmNetworkReadTimeoutMs)) as { state: ClusterState }).state;
        break;
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
      }
    }
  }
  if (state !== undefined) lastSwarmState.set(daemon, state);
  state ??= lastSwarmState.get(daemon);
  return state === undefined ? null : { state, nodeId: local.nodeId, manager };
}

/** A stable 64-hex-digit endpoint id for `key` (moby's are random; these only need to stay the same). */
function endpointId(daemon: Dockerd, key: string): string {
  return [0, 1, 2, 3].map((lane) => hashText(`endpoint/${daemon.hostName}/${key}/${lane}`)).join("");
}

/** One entry of a network's `Containers`. */
function endpointEntry(daemon: Dockerd, key: string, name: string, cidr: string): Record<string, unknown> {
  return { Name: name, EndpointID: endpointId(daemon, key), MacAddress: macAddressOf(cidr.split("/")[0]!), IPv4Address: cidr, IPv6Address: "" };
}

/** The node's running containers of swarm tasks, oldest start first. */
function runningTaskContainers(daemon: Dockerd): ContainerRecord[] {
  return [...daemon.containers.values()]
    .filter((container) => container.state.running && container.config.Labels[taskIdLabel] !== undefined)
    .sort((left, right) => (left.state.startedAt ?? 0) - (right.state.startedAt ?? 0) || (left.id < right.id ? -1 : 1));
}

function sortedObject(entries: [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries(entries.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
}

// ------------------------------------------------------------ views

/** A network as one engine shows it. */
interface NetworkView {
  readonly id: string;
  readonly name: string;
  /** Virtual ms. */
  readonly created: number;
  readonly scope: "local" | "swarm";
  readonly driver: string;
  readonly ipv6: boolean;
  readonly ipamOptions: Record<string, string> | null;
  readonly ipamConfig: readonly Record<string, string>[];
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  /** Null: the cluster's view (moby sends `null`). */
  readonly containers: () => Record<string, unknown> | null;
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>> | null;
  /** Absent: no `Peers` key. */
  readonly peers?: readonly { readonly Name: string; readonly IP: string }[];
}

/** The swarm's networks as a manager's cluster view shows them, the ingress network first. */
function clusterViews(swarm: SwarmNetworking): NetworkView[] {
  const { state } = swarm;
  const cluster = state.cluster;
  if (cluster === null) return [];
  const views: NetworkView[] = [];
  const ingressPool = poolOf(state, cluster.ingressNetworkId);
  views.push({
    ...overlayBasics(cluster.ingressNetworkId, "ingress", cluster.createdAt, null, ingressPool?.subnet ?? "10.0.0.0/24", ingressPool?.gateway ?? "10.0.0.1", ingressPool?.vxlanId ?? 4096),
    containers: () => null,
    labels: null,
  });
  for (const network of swarmNetworksOf(state)) {
    const pool = poolOf(state, network.id);
    views.push({
      ...overlayBasics(network.id, network.spec.name, network.createdAt, network.spec, pool?.subnet ?? "", pool?.gateway ?? "", pool?.vxlanId ?? 0),
      containers: () => null,
      labels: Object.keys(network.spec.labels).length > 0 ? network.spec.labels : null,
    });
  }
  return views;
}

function swarmNetworksOf(state: ClusterState): SwarmNetwork[] {
  return Object.values(state.networks ?? {}).sort((left, right) => left.createdAt - right.createdAt || (left.id < right.id ? -1 : 1));
}

function overlayBasics(id: string, name: string, created: number, spec: SwarmNetworkSpec | null, subnet: string, gateway: string, vxlanId: number) {
  return {
    id,
    name,
    created,
    scope: "swarm" as const,
    driver: "overlay",
    ipv6: spec?.ipv6 ?? false,
    ipamOptions: null,
    ipamConfig: subnet === "" ? [] : [{ Subnet: subnet, Gateway: gateway }],
    internal: spec?.internal ?? false,
    attachable: spec?.attachable ?? false,
    ingress: spec === null,
    options: { ...(vxlanId === 0 ? {} : { "com.docker.network.driver.overlay.vxlanid_list": String(vxlanId) }), ...(spec?.options ?? {}) },
  };
}

/** The node's view of the swarm's ingress network (its local record, with endpoints and peers). */
function ingressView(daemon: Dockerd, record: NetworkRecord, swarm: SwarmNetworking | null): NetworkView {
  const base = localView(daemon, record, swarm);
  if (swarm === null) return { ...base, containers: () => ({}), labels: {} };
  const { state, nodeId } = swarm;
  return {
    ...base,
    containers: () => {
      const entries: [string, unknown][] = [];
      const sandbox = addressOf(state, record.id, nodeOwner(nodeId));
      if (sandbox !== null) entries.push(["ingress-sbox", endpointEntry(daemon, "ingress-sbox", "ingress-endpoint", sandbox)]);
      for (const container of runningTaskContainers(daemon)) {
        const address = taskAddresses(state, container.config.Labels[taskIdLabel]!).get(record.id);
        if (address !== undefined) entries.push([container.id, endpointEntry(daemon, `${container.id}/${record.id}`, container.name.slice(1), address)]);
      }
      return sortedObject(entries);
    },
    labels: {},
    peers: peersOf(daemon, state, record.id, nodeId),
  };
}

/** The node's own view of a user overlay it is on. */
function localOverlayView(daemon: Dockerd, network: SwarmNetwork, swarm: SwarmNetworking): NetworkView {
  const { state, nodeId } = swarm;
  const pool = poolOf(state, network.id);
  const loadBalancer = pool?.leases[nodeOwner(nodeId)];
  return {
    ...overlayBasics(network.id, network.spec.name, loadBalancer?.sinceMs ?? network.createdAt, network.spec, pool?.subnet ?? "", pool?.gateway ?? "", pool?.vxlanId ?? 0),
    containers: () => {
      const entries: [string, unknown][] = [];
      for (const container of runningTaskContainers(daemon)) {
        const address = taskAddresses(state, container.config.Labels[taskIdLabel]!).get(network.id);
        if (address !== undefined) entries.push([container.id, endpointEntry(daemon, `${container.id}/${network.id}`, container.name.slice(1), address)]);
      }
      const lb = addressOf(state, network.id, nodeOwner(nodeId));
      if (lb !== null) entries.push([`lb-${network.spec.name}`, endpointEntry(daemon, `lb/${network.id}`, `${network.spec.name}-endpoint`, lb)]);
      return sortedObject(entries);
    },
    labels: network.spec.labels,
    peers: peersOf(daemon, state, network.id, nodeId),
  };
}

/** The address each gateway endpoint has on `docker_gwbridge`: the ingress sandbox's first, then the task containers on an overlay, in start order. */
function gatewayEndpoints(daemon: Dockerd, record: NetworkRecord, swarm: SwarmNetworking | null): [string, unknown][] {
  if (record.subnet === null || ![...daemon.networks.values()].some((network) => network.ingress)) return [];
  const prefix = prefixLengthOf(record.subnet);
  let host = 2;
  const next = () => `${hostAddress(record.subnet!, host++)}/${prefix}`;
  const entries: [string, unknown][] = [["ingress-sbox", endpointEntry(daemon, "gateway/ingress-sbox", "gateway_ingress-sbox", next())]];
  if (swarm === null) return entries;
  for (const container of runningTaskContainers(daemon)) {
    if (taskAddresses(swarm.state, container.config.Labels[taskIdLabel]!).size === 0) continue;
    entries.push([container.id, endpointEntry(daemon, `gateway/${container.id}`, `gateway_${container.sandboxId.slice(0, 12)}`, next())]);
  }
  return entries;
}

/** A local network record as this engine shows it. */
function localView(daemon: Dockerd, record: NetworkRecord, swarm: SwarmNetworking | null): NetworkView {
  return {
    id: record.id,
    name: record.name,
    created: record.created,
    scope: record.scope,
    driver: record.driver,
    ipv6: false,
    // moby's own networks (bridge, docker_gwbridge, ingress) have no IPAM options; user-defined ones have those sent.
    ipamOptions: record.name === "bridge" || record.name === "docker_gwbridge" || record.ingress || record.subnet === null ? null : {},
    ipamConfig: record.subnet === null ? [] : [{ Subnet: record.subnet, Gateway: record.gateway ?? "" }],
    internal: record.internal,
    attachable: record.attachable,
    ingress: record.ingress,
    containers: () => {
      if (record.name === "docker_gwbridge") return sortedObject(gatewayEndpoints(daemon, record, swarm));
      const entries: [string, unknown][] = [];
      for (const container of daemon.containers.values()) {
        const endpoint = container.endpoint;
        if (endpoint === null || endpoint.networkId !== record.id || !container.state.running) continue;
        // A swarm task's container is on the swarm's networks, never on a local bridge.
        if (container.config.Labels[taskIdLabel] !== undefined) continue;
        entries.push([container.id, { Name: container.name.slice(1), EndpointID: endpoint.endpointId, MacAddress: endpoint.macAddress, IPv4Address: `${endpoint.ipAddress}/${endpoint.prefixLength}`, IPv6Address: "" }]);
      }
      return Object.fromEntries(entries);
    },
    options: record.options,
    labels: record.labels,
  };
}

/**
 * The networks this engine shows. `forList`: a manager lists the cluster's view of the swarm's
 * networks first, then its local networks (moby's network list); otherwise a network the node is
 * on comes in its local view.
 */
function visibleNetworks(daemon: Dockerd, swarm: SwarmNetworking | null, forList: boolean): NetworkView[] {
  const local = [...daemon.networks.values()]
    .filter((record) => isSetUp(daemon, record))
    .map((record) => (record.ingress ? ingressView(daemon, record, swarm) : localView(daemon, record, swarm)));
  if (swarm === null || swarm.state.cluster === null) return local;
  const onNetworks = nodeNetworks(swarm.state, swarm.nodeId);
  const attached = onNetworks.map((network) => localOverlayView(daemon, network, swarm));
  if (!swarm.manager) return [...local, ...attached];
  const cluster = clusterViews(swarm);
  if (forList) {
    const clusterIds = new Set(cluster.map((view) => view.id));
    return [...cluster, ...local.filter((view) => !clusterIds.has(view.id))];
  }
  const shown = new Set([...local, ...attached].map((view) => view.id));
  return [...local, ...attached, ...cluster.filter((view) => !shown.has(view.id))];
}

/** `Network` (in lists) or, with `withContainers`, `NetworkInspect` (its attached containers too). */
function networkShape(daemon: Dockerd, view: NetworkView, withContainers: boolean): Record<string, unknown> {
  return {
    Name: view.name,
    Id: view.id,
    Created: apiTime(view.created, daemon.wallTimeMs - daemon.now),
    Scope: view.scope,
    Driver: view.driver,
    EnableIPv4: true,
    EnableIPv6: view.ipv6,
    IPAM: { Driver: "default", Options: view.ipamOptions, Config: view.ipamConfig },
    Internal: view.internal,
    Attachable: view.attachable,
    Ingress: view.ingress,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    ...(withContainers ? { Containers: view.containers() } : {}),
    Options: view.options,
    Labels: view.labels,
    ...(view.peers !== undefined ? { Peers: view.peers } : {}),
  };
}

/** Finds a network by full id, exact name, or unique id prefix among `views`; 404 in Docker's words otherwise. */
function findView(views: readonly NetworkView[], reference: string): NetworkView {
  const exact = views.find((view) => view.id === reference) ?? views.find((view) => view.name === reference);
  if (exact) return exact;
  const matches = views.filter((view) => view.id.startsWith(reference));
  if (matches.length === 1) return matches[0]!;
  throw notFound(`network ${reference} not found`);
}

/** Finds a local network record by full id, exact name, or unique id prefix; 404 in Docker's words otherwise. */
export function findNetwork(daemon: Dockerd, reference: string): NetworkRecord {
  const exact = daemon.networks.get(reference) ?? [...daemon.networks.values()].find((record) => record.name === reference);
  if (exact) return exact;
  const matches = [...daemon.networks.values()].filter((record) => record.id.startsWith(reference));
  if (matches.length === 1) return matches[0]!;
  throw notFound(`network ${reference} not found`);
}

function* listNetworks(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const filters = parseFilters(request.query.filters);
  const views = visibleNetworks(daemon, yield* swarmNetworking(daemon), true).filter((view) =>
    Object.entries(filters).every(([key, values]) =>
      values.some((value) => (key === "name" ? view.name.includes(value) : key === "id" ? view.id.startsWith(value) : key === "driver" ? view.driver === value : key === "scope" ? view.scope === value : false)),
    ),
  );
  return { statusCode: 200, body: views.map((view) => networkShape(daemon, view, false)) };
}

function* inspectNetwork(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const scope = request.query.scope ?? "";
  const views = visibleNetworks(daemon, yield* swarmNetworking(daemon), false).filter((view) => scope === "" || view.scope === scope);
  return { statusCode: 200, body: networkShape(daemon, findView(views, request.params.id!), true) };
}

// ------------------------------------------------------------ create and remove

/** moby's refusal of an overlay network outside a swarm. */
export const overlayOutsideSwarmMessage = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
/** libnetwork's refusal of an overlay network on a worker. */
export const overlayOnWorkerMessage = "Cannot create a multi-host network from a worker node. Please create the network from a manager node.";
/** moby's refusal of a swarm network change on a worker. */
const workerNetworkMessage =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";

/** A control write to this manager's manager process, with moby's mapping of its errors. */
function* writeSwarm(daemon: Dockerd, request: ControlWrite): Coroutine<void> {
  try {
    yield* call(daemon.hostName, managerProcessName, "write", request, 60_000);
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    const status = error.code === "InvalidArgument" || error.code === "FailedPrecondition" ? 400 : error.code === "NotFound" ? 404 : error.code === "AlreadyExists" ? 409 : 503;
    throw new ApiError(status, error.message);
  }
}

function* createOverlayNetwork(daemon: Dockerd, body: Record<string, any>, name: string): Coroutine<RouteResult> {
  const local = readLocalState(daemon.context.disk);
  if (local === null) throw new ApiError(403, overlayOutsideSwarmMessage);
  if (local.role !== "manager") throw new ApiError(403, overlayOnWorkerMessage);
  const swarm = yield* swarmNetworking(daemon);
  if (swarm === null) throw new ApiError(503, "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.");
  if (name === "ingress" || swarmNetworksOf(swarm.state).some((network) => network.spec.name === name)) throw conflict(`network with name ${name} already exists`);
  const ipam: { subnet: string; gateway: string }[] = [];
  for (const config of (body.IPAM?.Config ?? []) as Record<string, unknown>[]) {
    const subnet = String(config.Subnet ?? "");
    if (parseSubnet(subnet) === null) throw badRequest(`rpc error: code = InvalidArgument desc = invalid subnet ${subnet}`);
    ipam.push({ subnet, gateway: String(config.Gateway ?? "") });
  }
  const spec: SwarmNetworkSpec = {
    name,
    labels: (body.Labels ?? {}) as Record<string, string>,
    driver: "overlay",
    options: (body.Options ?? {}) as Record<string, string>,
    attachable: body.Attachable === true,
    internal: body.Internal === true,
    ipv6: body.EnableIPv6 === true,
    ipam,
  };
  const network: SwarmNetwork = { id: newObjectId(daemon.context.random), version: 0, createdAt: 0, updatedAt: 0, spec };
  yield* writeSwarm(daemon, { operation: "changes", changes: [createChange("networks", network)] });
  return { statusCode: 201, body: { Id: network.id, Warning: "" } };
}

function* createNetwork(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const body = (typeof request.body === "object" && request.body !== null ? request.body : {}) as Record<string, any>;
  const name = body.Name;
  if (typeof name !== "string" || name === "") throw badRequest("network name must not be empty");
  if ([...daemon.networks.values()].some((record) => record.name === name)) throw conflict(`network with name ${name} already exists`);
  const driver = body.Driver === undefined || body.Driver === "" ? "bridge" : body.Driver;
  if (driver === "overlay") return yield* createOverlayNetwork(daemon, body, name);
  if (driver !== "bridge") throw new ApiError(400, `could not find plugin ${driver} in v1 plugin registry: plugin not found`);
  const used = new Set([...daemon.networks.values()].map((record) => record.subnet));
  let subnet: string | undefined;
  for (let block = 18; block <= 31 && subnet === undefined; block++) if (!used.has(`172.${block}.0.0/16`)) subnet = `172.${block}.0.0/16`;
  if (subnet === undefined) throw new ApiError(400, `all predefined address pools have been fully subnetted (bound userNetworksMax ${userNetworksMax})`);
  const record: NetworkRecord = {
    id: daemon.newId(),
    name,
    driver: "bridge",
    scope: "local",
    created: daemon.now,
    internal: body.Internal === true,
    attachable: body.Attachable === true,
    ingress: false,
    subnet,
    gateway: subnet.replace(/0\.0\/16$/, "0.1"),
    labels: (body.Labels ?? {}) as Record<string, string>,
    options: (body.Options ?? {}) as Record<string, string>,
  };
  saveNetwork(daemon, record);
  return { statusCode: 201, body: { Id: record.id, Warning: "" } };
}

/** swarmkit's `RemoveNetwork` checks: no service and no live task may use it. */
function* removeSwarmNetwork(daemon: Dockerd, swarm: SwarmNetworking, network: SwarmNetwork): Coroutine<RouteResult> {
  if (!swarm.manager) throw new ApiError(503, workerNetworkMessage);
  const { state } = swarm;
  for (const service of Object.values(state.services).sort((left, right) => (left.id < right.id ? -1 : 1))) {
    if ((service.spec.task.networks ?? []).some((attachment) => resolveNetworkId(state, attachment.target) === network.id)) {
      throw badRequest(`rpc error: code = FailedPrecondition desc = network ${network.id} is in use by service ${service.id}`);
    }
  }
  for (const task of Object.values(state.tasks).sort((left, right) => (left.id < right.id ? -1 : 1))) {
    if (!isTaskDead(task) && taskNetworkIds(state, task).includes(network.id)) {
      throw badRequest(`rpc error: code = FailedPrecondition desc = network ${network.id} is in use by task ${task.id}`);
    }
  }
  yield* writeSwarm(daemon, { operation: "changes", changes: [deleteChange("networks", network.id)] });
  return { statusCode: 204 };
}

function* removeNetwork(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const swarm = yield* swarmNetworking(daemon);
  const view = findView(visibleNetworks(daemon, swarm, false), request.params.id!);
  if (view.scope === "swarm") {
    if (view.ingress) throw new ApiError(403, "swarmsim does not simulate removing the ingress network");
    const network = swarm === null ? undefined : swarm.state.networks?.[view.id];
    if (swarm !== null && network !== undefined) return yield* removeSwarmNetwork(daemon, swarm, network);
    throw notFound(`network ${request.params.id!} not found`);
  }
  const record = findNetwork(daemon, view.id);
  if (predefinedNetworkNames.includes(record.name)) throw new ApiError(403, `${record.name} is a pre-defined network and cannot be removed`);
  const attached = [...daemon.containers.values()].some((container) => container.endpoint?.networkId === record.id && container.state.running);
  if (attached) throw new ApiError(403, `error while removing network: network ${record.name} id ${record.id} has active endpoints`);
  daemon.networks.delete(record.id);
  daemon.context.disk.delete(recordKeys.network(record.id));
  return { statusCode: 204 };
}

/** The network routes. */
export const networkRoutes: readonly Route<Dockerd>[] = [
  { method: "GET", pattern: "/networks", handler: listNetworks },
  { method: "POST", pattern: "/networks/create", handler: createNetwork },
  { method: "GET", pattern: "/networks/{id}", handler: inspectNetwork },
  { method: "DELETE", pattern: "/networks/{id}", handler: removeNetwork },
];
