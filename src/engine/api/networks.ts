/**
 * The Engine API's network routes (local networks: the predefined bridge, host and none, and
 * user-defined bridges) and the predefined networks dockerd creates on its first start.
 */
import type { Coroutine } from "../../sim/coroutine.js";
import type { Dockerd } from "../dockerd/daemon.js";
import { recordKeys, type NetworkRecord } from "../dockerd/records.js";
import { apiTime } from "./container-shapes.js";
import { ApiError, badRequest, conflict, notFound } from "./http.js";
import { parseFilters } from "./lookup.js";
import type { Route, RouteRequest, RouteResult } from "./router.js";

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
 * A node entering a swarm gets, as with moby, the local `docker_gwbridge` bridge (its containers'
 * way out of the overlay networks) and the swarm-scoped `ingress` overlay of the routing mesh,
 * with the swarm's ingress network id. Nothing is created twice.
 */
export function ensureSwarmNetworks(daemon: Dockerd, ingressNetworkId: string): void {
  const common = { created: daemon.now, internal: false, attachable: false, labels: {} } as const;
  if (![...daemon.networks.values()].some((record) => record.name === "docker_gwbridge")) {
    saveNetwork(daemon, {
      ...common,
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
      ...common,
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

/** Finds a network by full id, exact name, or unique id prefix; 404 in Docker's words otherwise. */
export function findNetwork(daemon: Dockerd, reference: string): NetworkRecord {
  const exact = daemon.networks.get(reference) ?? [...daemon.networks.values()].find((record) => record.name === reference);
  if (exact) return exact;
  const matches = [...daemon.networks.values()].filter((record) => record.id.startsWith(reference));
  if (matches.length === 1) return matches[0]!;
  throw notFound(`network ${reference} not found`);
}

/** `Network` (in lists) or, with `withContainers`, `NetworkInspect` (its attached containers too). */
function networkShape(daemon: Dockerd, record: NetworkRecord, withContainers = false): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const container of daemon.containers.values()) {
    const endpoint = container.endpoint;
    if (endpoint === null || endpoint.networkId !== record.id || !container.state.running) continue;
    containers[container.id] = {
      Name: container.name.slice(1),
      EndpointID: endpoint.endpointId,
      MacAddress: endpoint.macAddress,
      IPv4Address: `${endpoint.ipAddress}/${endpoint.prefixLength}`,
      IPv6Address: "",
    };
  }
  return {
    Name: record.name,
    Id: record.id,
    Created: apiTime(record.created, daemon.wallTimeMs - daemon.now),
    Scope: record.scope,
    Driver: record.driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: {
      Driver: "default",
      Options: record.name === "bridge" || record.subnet === null ? null : {},
      Config: record.subnet === null ? [] : [record.name === "bridge" ? { Subnet: record.subnet, Gateway: record.gateway } : { Subnet: record.subnet, Gateway: record.gateway }],
    },
    Internal: record.internal,
    Attachable: record.attachable,
    Ingress: record.ingress,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    ...(withContainers ? { Containers: containers } : {}),
    Options: record.options,
    Labels: record.labels,
  };
}

function* listNetworks(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const filters = parseFilters(request.query.filters);
  const records = [...daemon.networks.values()].filter((record) =>
    Object.entries(filters).every(([key, values]) =>
      values.some((value) => (key === "name" ? record.name.includes(value) : key === "id" ? record.id.startsWith(value) : key === "driver" ? record.driver === value : key === "scope" ? record.scope === value : false)),
    ),
  );
  return { statusCode: 200, body: records.map((record) => networkShape(daemon, record)) };
}

function* inspectNetwork(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  return { statusCode: 200, body: networkShape(daemon, findNetwork(daemon, request.params.id!), true) };
}

function* createNetwork(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const body = (typeof request.body === "object" && request.body !== null ? request.body : {}) as Record<string, any>;
  const name = body.Name;
  if (typeof name !== "string" || name === "") throw badRequest("network name must not be empty");
  if ([...daemon.networks.values()].some((record) => record.name === name)) throw conflict(`network with name ${name} already exists`);
  const driver = body.Driver ?? "bridge";
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

function* removeNetwork(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const record = findNetwork(daemon, request.params.id!);
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
