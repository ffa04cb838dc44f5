/**
 * The Engine API's swarm-mode routes on dockerd: `/swarm` (init, join, leave, inspect, update,
 * unlockkey, unlock: autolock as in `swarm/node/autolock.ts`),
 * `/nodes`, `/services` and `/tasks`. dockerd starts the node's swarm processes (a manager on
 * managers, an agent everywhere) and relays control requests to its local manager, which
 * forwards them to the leader. Errors use Docker's wording.
 */
import { call, sleep, RpcError, type Coroutine } from "../../sim/coroutine.js";
import { randomName } from "../../cli/ids.js";
import type { Dockerd } from "../dockerd/daemon.js";
import { dockerdProcessName, engineVersion } from "../dockerd/daemon.js";
import { ApiError, badRequest, notFound, type HttpRequest, type HttpResponse, type LogFrame } from "./http.js";
import type { Route, RouteRequest, RouteResult } from "./router.js";
import { parseFilters } from "./lookup.js";
import { ensureSwarmNetworks, gossipLeave, removeIngressNetwork } from "./networks.js";
import {
  clearLocalState,
  descriptionKey,
  joinToken,
  managerProcessName,
  randomBase36,
  readLocalState,
  swarmPort,
  writeLocalState,
} from "../../swarm/node/local-state.js";
import { newObjectId } from "../../swarm/identifiers.js";
import {
  invalidKeyStringMessage,
  invalidUnlockKeyMessage,
  lockedLeaveMessage,
  newUnlockKey,
  notLockedMessage,
  parseUnlockKey,
  readLockKey,
  sameUnlockKey,
  swarmLockedMessage,
} from "../../swarm/node/autolock.js";
import { isTaskDirty } from "../../swarm/orchestrator/task.js";
import { DiskRaftStorage } from "../../swarm/raft-driver/disk-storage.js";
import { createChange, deleteChange, updateChange, type StoreChange } from "../../swarm/store/index.js";
import { withRemovedNode, type ClusterState, type NodeDescription, type Service, type SwarmNode, type Task } from "../../swarm/types.js";
import { clusterSpecFromApi, nodeSpecFromApi, nodeToApi, serviceSpecFromApi, serviceToApi, swarmToApi, taskToApi, type ApiContext } from "../../swarm/api/index.js";
import type { ControlWrite } from "../../swarm/manager/manager.js";

/** Docker's error on a node outside any swarm. */
export const notInSwarmMessage = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
/** Docker's error on a worker. */
export const workerMessage =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
/** Docker's error when the node already is in a swarm. */
export const alreadyInSwarmMessage = 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
/** How often `swarm init` looks whether the new cluster is committed, ms (at most `initPollsMax` times). */
export const initPollMs = 50;
/** Bound `initPollsMax`: `swarm init` gives up waiting for its first commit after this many looks. */
export const initPollsMax = 600;
/** How long control requests wait for the manager, ms. */
export const controlTimeoutMs = 60_000;

function body(request: RouteRequest): Record<string, any> {
  return typeof request.body === "object" && request.body !== null ? (request.body as Record<string, any>) : {};
}

/** What this node reports about itself to the swarm. */
function describe(daemon: Dockerd): NodeDescription {
  const labels: Record<string, string> = {};
  for (const label of daemon.config.labels ?? []) {
    const [key, ...rest] = label.split("=");
    labels[key!] = rest.join("=");
  }
  return {
    hostname: daemon.hostName,
    platform: { architecture: "x86_64", os: "linux" },
    resources: { nanoCpus: daemon.machine.cpus * 1e9, memoryBytes: daemon.machine.memoryBytes },
    engine: { engineVersion, labels },
  };
}

function requireManager(daemon: Dockerd): void {
  const local = readLocalState(daemon.context.disk);
  if (local === null) throw new ApiError(503, notInSwarmMessage);
  // moby's errNoManager: a locked manager runs no swarm component.
  if (daemon.swarmLocked) throw new ApiError(503, swarmLockedMessage);
  if (local.role !== "manager") throw new ApiError(503, workerMessage);
}

function rpcToApi(error: unknown): never {
  if (error instanceof RpcError) {
    const status = error.code === "InvalidArgument" ? 400 : error.code === "NotFound" ? 404 : error.code === "FailedPrecondition" ? 400 : error.code === "PermissionDenied" ? 403 : 503;
    throw new ApiError(status, error.message);
  }
  throw error;
}

function* readState(daemon: Dockerd): Coroutine<ClusterState> {
  requireManager(daemon);
  try {
    const answer = (yield* call(daemon.hostName, managerProcessName, "read", {}, controlTimeoutMs)) as { state: ClusterState };
    return answer.state;
  } catch (error) {
    return rpcToApi(error);
  }
}

function* writeControl(daemon: Dockerd, request: ControlWrite): Coroutine<unknown> {
  requireManager(daemon);
  try {
    return yield* call(daemon.hostName, managerProcessName, "write", request, controlTimeoutMs);
  } catch (error) {
    return rpcToApi(error);
  }
}

function apiContext(daemon: Dockerd, state: ClusterState): ApiContext {
  return { startTimeMs: daemon.wallTimeMs - daemon.now, state };
}

// ---------------------------------------------------------------- swarm

function* init(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const disk = daemon.context.disk;
  const existing = readLocalState(disk);
  if (existing !== null && existing.role === "manager" && body(request).ForceNewCluster === true) {
    // moby's Init: a locked node runs no manager, so it is refused as one that is not a manager.
    if (daemon.swarmLocked) throw new ApiError(503, workerMessage);
    return yield* forceNewCluster(daemon, existing.nodeId);
  }
  if (existing !== null) throw new ApiError(503, alreadyInSwarmMessage);
  const random = daemon.context.random;
  const rootCaDigest = randomBase36(random, 50);
  const nodeId = newObjectId(random);
  const advertise = typeof body(request).AdvertiseAddr === "string" && body(request).AdvertiseAddr !== "" ? String(body(request).AdvertiseAddr) : daemon.context.address;
  const address = advertise.includes(":") ? advertise : `${advertise}:${swarmPort}`;
  disk.write(descriptionKey, describe(daemon));
  writeLocalState(disk, {
    nodeId,
    role: "manager",
    managers: [daemon.hostName],
    advertiseAddress: address,
    bootstrap: {
      clusterId: newObjectId(random),
      rootCaDigest,
      workerToken: joinToken(rootCaDigest, randomBase36(random, 25)),
      managerToken: joinToken(rootCaDigest, randomBase36(random, 25)),
      // A generator of its own, so that the ids drawn before and after stay as they were.
      ingressNetworkId: newObjectId(random.fork("ingress")),
    },
  });
  daemon.startSwarmProcesses([daemon.hostName]);
  // Ready when the cluster object and this node are committed.
  let ready: ClusterState | null = null;
  for (let attempt = 0; attempt < initPollsMax; attempt++) {
    const state = yield* readStateQuietly(daemon);
    if (state !== null && state.cluster !== null && state.nodes[nodeId] !== undefined) {
      ready = state;
      break;
    }
    yield* sleep(initPollMs);
  }
  ensureSwarmNetworks(daemon, readLocalState(disk)!.bootstrap!.ingressNetworkId);
  // moby's initClusterSpec merges the request's Spec into the new cluster, and its
  // EncryptionConfig.AutoLockManagers decides (the CLI sets it with the top-level AutoLockManagers).
  const spec = body(request).Spec as { EncryptionConfig?: { AutoLockManagers?: unknown } } | undefined;
  if (ready !== null && ready.cluster !== null && spec?.EncryptionConfig?.AutoLockManagers === true) {
    const cluster = { ...ready.cluster, managerUnlockKey: newUnlockKey(random) };
    yield* writeControl(daemon, { operation: "changes", changes: [updateChange("cluster", cluster)] });
  }
  return { statusCode: 200, body: nodeId };
}

/**
 * `docker swarm init --force-new-cluster` on a manager of a swarm that lost its quorum: the
 * manager starts a new Raft group of itself alone, keeping the cluster state it had (Docker's
 * admin guide); the other managers stay in the store as unreachable until demoted and removed.
 */
function* forceNewCluster(daemon: Dockerd, nodeId: string): Coroutine<RouteResult> {
  let kept: { state: ClusterState; index: number; term: number };
  try {
    kept = (yield* call(daemon.hostName, managerProcessName, "local-state", {}, controlTimeoutMs)) as typeof kept;
  } catch (error) {
    return rpcToApi(error);
  }
  daemon.stopSwarmProcesses();
  const self = daemon.hostName;
  new DiskRaftStorage(daemon.context.disk).reset(
    { index: kept.index, term: kept.term, members: [self], data: { state: kept.state, index: kept.index } },
    { term: kept.term, votedFor: null, commitIndex: kept.index },
  );
  const local = readLocalState(daemon.context.disk)!;
  writeLocalState(daemon.context.disk, { ...local, managers: [self] });
  daemon.startSwarmProcesses([self]);
  for (let attempt = 0; attempt < initPollsMax; attempt++) {
    if ((yield* readStateQuietly(daemon)) !== null) break;
    yield* sleep(initPollMs);
  }
  return { statusCode: 200, body: nodeId };
}

function* readStateQuietly(daemon: Dockerd): Coroutine<ClusterState | null> {
  try {
    const answer = (yield* call(daemon.hostName, managerProcessName, "read", {}, 1_000)) as { state: ClusterState };
    return answer.state;
  } catch (error) {
    if (error instanceof RpcError) return null;
    throw error;
  }
}

function* join(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const disk = daemon.context.disk;
  if (readLocalState(disk) !== null) throw new ApiError(503, alreadyInSwarmMessage);
  const json = body(request);
  const remotes: string[] = Array.isArray(json.RemoteAddrs) ? json.RemoteAddrs.map(String) : [];
  if (remotes.length === 0) throw badRequest("at least 1 RemoteAddr is required to join");
  const token = String(json.JoinToken ?? "");
  if (!/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/.test(token)) throw badRequest("invalid join token");
  const remoteHost = remotes[0]!.split(":")[0]!;
  const description = describe(daemon);
  const address = `${daemon.context.address}:${swarmPort}`;
  let answer: { nodeId: string; role: "manager" | "worker"; managers: string[]; ingressNetworkId: string };
  try {
    answer = (yield* call(remoteHost, managerProcessName, "write", { operation: "join", token, hostname: daemon.hostName, address, description } satisfies ControlWrite, controlTimeoutMs)) as typeof answer;
  } catch (error) {
    if (error instanceof RpcError && error.code === "DeadlineExceeded") throw new ApiError(503, "Timeout was reached before node joined. The attempt to join the swarm will continue in the background. Use the \"docker info\" command to see the current swarm status of your node.");
    // Nobody listens on the address (no manager runs there): gRPC's dial error, as moby relays it.
    if (error instanceof RpcError && error.code === "Unavailable" && error.message.startsWith(`connection to ${managerProcessName} refused`)) {
      throw new ApiError(503, `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp ${remotes[0]}: connect: connection refused"`);
    }
    return rpcToApi(error);
  }
  disk.write(descriptionKey, description);
  writeLocalState(disk, { nodeId: answer.nodeId, role: answer.role, managers: answer.managers, advertiseAddress: address, bootstrap: null });
  ensureSwarmNetworks(daemon, answer.ingressNetworkId);
  daemon.startSwarmProcesses([]);
  if (answer.role === "manager") {
    // Its Raft member runs (with no configuration); now the leader adds it to the group.
    try {
      yield* call(remoteHost, managerProcessName, "write", { operation: "add-member", hostname: daemon.hostName } satisfies ControlWrite, controlTimeoutMs);
    } catch (error) {
      return rpcToApi(error);
    }
  }
  return { statusCode: 200 };
}

function* leave(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const disk = daemon.context.disk;
  const local = readLocalState(disk);
  if (local === null) throw new ApiError(503, "This node is not part of a swarm");
  const force = request.query.force === "1" || request.query.force === "true";
  if (daemon.swarmLocked && !force) throw new ApiError(503, lockedLeaveMessage);
  if (local.role === "manager" && !force) {
    // moby's Leave: the message depends on what leaving would do to the Raft quorum.
    const state = yield* readStateQuietly(daemon);
    const managers = state === null ? [] : Object.values(state.nodes).filter((node) => node.role === "manager");
    const reachable = Math.max(1, managers.filter((node) => node.managerStatus?.reachability !== "unreachable").length);
    const unreachable = managers.length - reachable > 0 ? managers.length - reachable : 0;
    let message = "You are attempting to leave the swarm on a node that is participating as a manager. ";
    // moby's removingManagerCausesLossOfQuorum and isLastManager.
    if (reachable - 2 <= unreachable) {
      if (reachable === 1 && unreachable === 0) {
        throw new ApiError(503, `${message}Removing the last manager erases all current state of the swarm. Use \`--force\` to ignore this message. `);
      }
      message += `Removing this node leaves ${reachable - 1} managers out of ${reachable + unreachable}. Without a Raft quorum your swarm will be inaccessible. `;
    }
    throw new ApiError(503, `${message}The only way to restore a swarm that has lost consensus is to reinitialize it with \`--force-new-cluster\`. Use \`--force\` to suppress this message.`);
  }
  if (local.role === "manager" && local.managers.length > 1 && !daemon.swarmLocked) {
    // The others keep their quorum: this member is removed from the Raft group first (best effort).
    try {
      yield* call(daemon.hostName, managerProcessName, "write", { operation: "leave", hostname: daemon.hostName } satisfies ControlWrite, controlTimeoutMs);
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
    }
  }
  gossipLeave(daemon, local.nodeId, local.managers);
  daemon.stopSwarmProcesses();
  daemon.swarmLocked = false;
  clearLocalState(disk);
  removeIngressNetwork(daemon);
  return { statusCode: 200 };
}

function* inspectSwarm(daemon: Dockerd, _request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  if (state.cluster === null) throw new ApiError(503, notInSwarmMessage);
  return { statusCode: 200, body: swarmToApi(state.cluster, apiContext(daemon, state), { withJoinTokens: true }) };
}

/** moby's parsing of an optional boolean query parameter of `POST /swarm/update` (strconv.ParseBool). */
function rotationFlag(request: RouteRequest, name: string): boolean {
  const value = request.query[name];
  if (value === undefined || value === "") return false;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw badRequest(`invalid value for ${name}: ${value}`);
}

/**
 * `POST /swarm/update?version=N[&rotateWorkerToken=true][&rotateManagerToken=true]`: the
 * spec's settings, and new join tokens (the old one is refused from then on), as swarmkit's
 * UpdateCluster.
 */
function* updateSwarm(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const rawVersion = request.query.version ?? "";
  const version = /^[0-9]+$/.test(rawVersion) ? Number(rawVersion) : NaN;
  if (!Number.isSafeInteger(version)) throw badRequest(`invalid swarm version '${rawVersion}': strconv.ParseUint: parsing ${JSON.stringify(rawVersion)}: invalid syntax`);
  const rotateWorker = rotationFlag(request, "rotateWorkerToken");
  const rotateManager = rotationFlag(request, "rotateManagerToken");
  const rotateUnlockKey = rotationFlag(request, "rotateManagerUnlockKey");
  const state = yield* readState(daemon);
  const cluster = state.cluster;
  if (cluster === null) throw new ApiError(503, notInSwarmMessage);
  const parsed = clusterSpecFromApi(request.body, cluster);
  if (!parsed.ok) throw new ApiError(parsed.statusCode, parsed.message);
  if (version !== cluster.version) throw new ApiError(500, "rpc error: code = Unknown desc = update out of sequence");
  const random = daemon.context.random;
  const joinTokens = {
    worker: rotateWorker ? joinToken(cluster.rootCaDigest, randomBase36(random, 25)) : cluster.joinTokens.worker,
    manager: rotateManager ? joinToken(cluster.rootCaDigest, randomBase36(random, 25)) : cluster.joinTokens.manager,
  };
  const { autoLockManagers, ...settings } = parsed.value;
  // swarmkit's UpdateCluster: a key appears with autolock, goes without it, and is replaced on rotation.
  const managerUnlockKey = !autoLockManagers ? undefined : cluster.managerUnlockKey === undefined || rotateUnlockKey ? newUnlockKey(random) : cluster.managerUnlockKey;
  const { managerUnlockKey: _previousKey, ...unlocked } = cluster;
  const updated = { ...unlocked, ...settings, joinTokens, ...(managerUnlockKey === undefined ? {} : { managerUnlockKey }) };
  yield* writeControl(daemon, { operation: "changes", changes: [updateChange("cluster", updated)] });
  return { statusCode: 200 };
}

/** `GET /swarm/unlockkey`: the manager unlock key, `""` when autolock is off (moby's GetUnlockKey). */
function* unlockKey(daemon: Dockerd, _request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  if (state.cluster === null) throw new ApiError(503, notInSwarmMessage);
  return { statusCode: 200, body: { UnlockKey: state.cluster.managerUnlockKey ?? "" } };
}

/** Bound `unlockPollsMax`: after `swarm unlock`, looks (every `initPollMs`) this many times for the manager to answer. */
export const unlockPollsMax = 600;

/**
 * `POST /swarm/unlock` (moby's UnlockSwarm): only a locked manager is unlocked; the key must
 * parse (400 "invalid key string") and be the one its TLS key is encrypted with (401); then
 * its swarm components start, and the answer waits until its manager answers.
 */
function* unlock(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const local = readLocalState(daemon.context.disk);
  if (local === null) throw new ApiError(503, notInSwarmMessage);
  if (!daemon.swarmLocked) {
    if (local.role === "manager") throw new ApiError(409, notLockedMessage);
    throw new ApiError(503, workerMessage);
  }
  const given = typeof body(request).UnlockKey === "string" ? String(body(request).UnlockKey) : "";
  if (parseUnlockKey(given) === null) throw badRequest(invalidKeyStringMessage);
  const expected = readLockKey(daemon.context.disk);
  if (expected === null || !sameUnlockKey(given, expected)) throw new ApiError(401, invalidUnlockKeyMessage);
  daemon.swarmLocked = false;
  daemon.startSwarmProcesses([]);
  // moby waits for the node to be ready: its manager answers and its agent is registered.
  for (let attempt = 0; attempt < unlockPollsMax; attempt++) {
    const state = yield* readStateQuietly(daemon);
    if (state?.nodes[local.nodeId]?.status.state === "ready") break;
    yield* sleep(initPollMs);
  }
  return { statusCode: 200 };
}

// ---------------------------------------------------------------- nodes

/** A task by id or id prefix (the first match); 404 in Docker's words otherwise. */
function findTask(state: ClusterState, reference: string): Task {
  const task = state.tasks[reference] ?? Object.values(state.tasks).find((candidate) => candidate.id.startsWith(reference));
  if (task === undefined) throw notFound(`task ${reference} not found`);
  return task;
}

/** The one object whose id starts with `reference`, or undefined when none or several do (Docker's prefix rule). */
function byUniquePrefix<T extends { readonly id: string }>(objects: readonly T[], reference: string): T | undefined {
  const matches = objects.filter((object) => object.id.startsWith(reference));
  return matches.length === 1 ? matches[0] : undefined;
}

function findNode(state: ClusterState, reference: string, selfId: string): SwarmNode {
  const nodes = Object.values(state.nodes);
  const found =
    (reference === "self" ? state.nodes[selfId] : undefined) ??
    state.nodes[reference] ??
    nodes.find((node) => node.description.hostname === reference || node.spec.name === reference) ??
    byUniquePrefix(nodes, reference);
  if (found === undefined) throw notFound(`node ${reference} not found`);
  return found;
}

function* listNodes(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const filters = parseFilters(request.query.filters);
  const nodes = Object.values(state.nodes)
    .filter((node) => (filters.role ?? [node.role]).includes(node.role))
    .filter((node) => (filters.name ?? [""]).some((name) => node.description.hostname.includes(name)))
    .sort((left, right) => (left.id < right.id ? -1 : 1));
  const context = apiContext(daemon, state);
  return { statusCode: 200, body: nodes.map((node) => nodeToApi(node, context)) };
}

function* inspectNode(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const node = findNode(state, request.params.id!, readLocalState(daemon.context.disk)!.nodeId);
  return { statusCode: 200, body: nodeToApi(node, apiContext(daemon, state)) };
}

function* updateNode(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const node = findNode(state, request.params.id!, readLocalState(daemon.context.disk)!.nodeId);
  const version = Number(request.query.version);
  if (!Number.isInteger(version)) throw badRequest("invalid node version");
  if (version !== node.version) throw new ApiError(500, "rpc error: code = Unknown desc = update out of sequence");
  const parsed = nodeSpecFromApi(request.body, node);
  if (!parsed.ok) throw new ApiError(parsed.statusCode, parsed.message);
  yield* writeControl(daemon, { operation: "changes", changes: [updateChange("nodes", { ...node, spec: parsed.value })] });
  return { statusCode: 200 };
}

function* removeNode(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const node = findNode(state, request.params.id!, readLocalState(daemon.context.disk)!.nodeId);
  const force = request.query.force === "1" || request.query.force === "true";
  if (node.role === "manager") {
    throw new ApiError(400, `rpc error: code = FailedPrecondition desc = node ${node.id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`);
  }
  if (node.status.state !== "down" && !force) {
    throw new ApiError(400, `rpc error: code = FailedPrecondition desc = node ${node.id} is not down and can't be removed`);
  }
  const cluster = state.cluster!;
  // As swarmkit's RemoveNode: the node's certificate is refused from now on (until it would have expired).
  const removedNodes = withRemovedNode(cluster.removedNodes, node.id, daemon.now, cluster.nodeCertificateExpiryMs);
  yield* writeControl(daemon, { operation: "changes", changes: [deleteChange("nodes", node.id), updateChange("cluster", { ...cluster, removedNodes })] });
  return { statusCode: 200 };
}

// ---------------------------------------------------------------- services and tasks

function findService(state: ClusterState, reference: string): Service {
  const services = Object.values(state.services);
  const found =
    state.services[reference] ??
    services.find((service) => service.spec.name === reference) ??
    byUniquePrefix(services, reference);
  if (found === undefined) throw notFound(`service ${reference} not found`);
  return found;
}

function* createService(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const result = serviceSpecFromApi(request.body, null);
  if (!result.ok) throw new ApiError(result.statusCode, result.message);
  // An unnamed service gets a generated name, as moby gives one.
  const parsed = result.value.name !== "" ? result : { ...result, value: { ...result.value, name: randomName(daemon.context.random) } };
  if (Object.values(state.services).some((service) => service.spec.name === parsed.value.name)) {
    throw new ApiError(409, `rpc error: code = AlreadyExists desc = name conflicts with an existing object: service ${parsed.value.name} already exists`);
  }
  const id = newObjectId(daemon.context.random);
  const service: Service = {
    id,
    version: 0,
    createdAt: daemon.now,
    updatedAt: daemon.now,
    spec: parsed.value,
    previousSpec: null,
    endpoint: { ports: [], virtualIps: [] },
    updateStatus: null,
  };
  yield* writeControl(daemon, { operation: "changes", changes: [createChange("services", service)] });
  return { statusCode: 201, body: { ID: id, ...(parsed.warnings.length > 0 ? { Warnings: parsed.warnings } : {}) } };
}

function* listServices(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const filters = parseFilters(request.query.filters);
  const status = request.query.status === "1" || request.query.status === "true";
  const services = Object.values(state.services)
    .filter((service) => (filters.name ?? [""]).some((name) => service.spec.name.includes(name)))
    .filter((service) => (filters.id ?? [""]).some((id) => service.id.startsWith(id)))
    .sort((left, right) => (left.id < right.id ? -1 : 1));
  const context = apiContext(daemon, state);
  return { statusCode: 200, body: services.map((service) => serviceToApi(service, context, { status })) };
}

function* inspectService(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  // moby's httputils.BoolValue: anything but "", "0", "no", "false" and "none" is true.
  const insertDefaults = !["", "0", "no", "false", "none"].includes((request.query.insertDefaults ?? "").trim().toLowerCase());
  return { statusCode: 200, body: serviceToApi(findService(state, request.params.id!), apiContext(daemon, state), { insertDefaults }) };
}

function* updateService(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const service = findService(state, request.params.id!);
  const version = Number(request.query.version);
  if (!Number.isInteger(version)) throw badRequest("invalid service version");
  if (version !== service.version) throw new ApiError(500, "rpc error: code = Unknown desc = update out of sequence");
  const rollback = request.query.rollback === "previous";
  const parsed = rollback
    ? service.previousSpec === null
      ? ({ ok: false, statusCode: 500, message: "rpc error: code = FailedPrecondition desc = service " + service.id + " does not have a previous spec" } as const)
      : ({ ok: true, value: service.previousSpec, warnings: [] } as const)
    : serviceSpecFromApi(request.body, service.spec);
  if (!parsed.ok) throw new ApiError(parsed.statusCode, parsed.message);
  // swarmkit's controlapi UpdateService: a rollback swaps the specs and starts the rollback
  // (`ROLLBACK_STARTED`, "manually requested rollback"); any other update resets the status.
  const updateStatus: Service["updateStatus"] = rollback ? { state: "rollback_started", startedAt: daemon.now, completedAt: null, message: "manually requested rollback" } : null;
  const changes: StoreChange[] = [updateChange("services", { ...service, previousSpec: service.spec, spec: parsed.value, updateStatus })];
  yield* writeControl(daemon, { operation: "changes", changes });
  return { statusCode: 200, body: { Warnings: parsed.warnings.length > 0 ? parsed.warnings : null } };
}

function* removeService(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const service = findService(state, request.params.id!);
  yield* writeControl(daemon, { operation: "changes", changes: [deleteChange("services", service.id)] });
  return { statusCode: 200 };
}

function* listTasks(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const filters = parseFilters(request.query.filters);
  const selfId = readLocalState(daemon.context.disk)!.nodeId;
  const serviceIds = filters.service?.map((reference) => findService(state, reference).id);
  const nodeIds = filters.node?.map((reference) => findNode(state, reference, selfId).id);
  const tasks = Object.values(state.tasks)
    .filter((task) => serviceIds === undefined || serviceIds.includes(task.serviceId))
    .filter((task) => nodeIds === undefined || nodeIds.includes(task.nodeId))
    .filter((task) => filters["desired-state"] === undefined || filters["desired-state"].includes(task.desiredState))
    .filter((task) => filters.id === undefined || filters.id.some((id) => task.id.startsWith(id)))
    // moby's `_up-to-date` (the CLI's progress asks for it): only tasks whose spec matches their service's (swarmkit's IsTaskDirty).
    .filter((task) => filters["_up-to-date"] === undefined || isTaskUpToDate(state, task))
    .sort((left, right) => (left.id < right.id ? -1 : 1));
  const context = apiContext(daemon, state);
  return { statusCode: 200, body: tasks.map((task) => taskToApi(task, context)) };
}

/** Whether a task runs its service's current spec (a task of a removed service is not). */
function isTaskUpToDate(state: ClusterState, task: Task): boolean {
  const service = state.services[task.serviceId];
  return service !== undefined && !isTaskDirty(service, task, state.nodes[task.nodeId]);
}

function* inspectTask(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const task = findTask(state, request.params.id!);
  return { statusCode: 200, body: taskToApi(task, apiContext(daemon, state)) };
}

/** How long a manager waits for one node's logs, ms (a node that does not answer is left out). */
export const nodeLogsTimeoutMs = 5_000;

/** Logs of some tasks, fetched from their nodes' engines and merged by time, with moby's details prefix. */
function* tasksLogs(daemon: Dockerd, request: RouteRequest, state: ClusterState, tasks: readonly Task[]): Coroutine<RouteResult> {
  const wantTimestamps = request.query.timestamps === "1" || request.query.timestamps === "true";
  const wantDetails = request.query.details === "1" || request.query.details === "true";
  const lines: Array<{ time: string; order: number; frame: LogFrame }> = [];
  let order = 0;
  for (const task of tasks) {
    const node = state.nodes[task.nodeId];
    if (node === undefined || task.status.containerId === null) continue;
    let response: HttpResponse;
    try {
      response = (yield* call(node.description.hostname, dockerdProcessName, "http", {
        method: "GET",
        path: `/containers/${task.status.containerId}/logs`,
        query: { stdout: request.query.stdout ?? "1", stderr: request.query.stderr ?? "1", timestamps: "1", ...(request.query.tail === undefined ? {} : { tail: request.query.tail }) },
      } satisfies HttpRequest, nodeLogsTimeoutMs)) as HttpResponse;
    } catch (error) {
      if (error instanceof RpcError) continue;
      throw error;
    }
    if (response.statusCode !== 200) continue;
    const details = `com.docker.swarm.node.id=${node.id},com.docker.swarm.service.id=${task.serviceId},com.docker.swarm.task.id=${task.id}`;
    for (const frame of (response.body as { frames: LogFrame[] }).frames) {
      const space = frame.text.indexOf(" ");
      const time = frame.text.slice(0, space);
      const message = frame.text.slice(space + 1);
      const text = `${wantTimestamps ? `${time} ` : ""}${wantDetails ? `${details} ` : ""}${message}`;
      lines.push({ time, order: order++, frame: { stream: frame.stream, text } });
    }
  }
  lines.sort((left, right) => (left.time < right.time ? -1 : left.time > right.time ? 1 : left.order - right.order));
  return { statusCode: 200, body: { frames: lines.map((line) => line.frame) } };
}

function* serviceLogs(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const service = findService(state, request.params.id!);
  const tasks = Object.values(state.tasks)
    .filter((task) => task.serviceId === service.id)
    .sort((left, right) => left.slot - right.slot || (left.id < right.id ? -1 : 1));
  return yield* tasksLogs(daemon, request, state, tasks);
}

function* taskLogs(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const state = yield* readState(daemon);
  const task = findTask(state, request.params.id!);
  return yield* tasksLogs(daemon, request, state, [task]);
}

/** The swarm-mode routes. */
export const swarmRoutes: readonly Route<Dockerd>[] = [
  { method: "POST", pattern: "/swarm/init", handler: init },
  { method: "POST", pattern: "/swarm/join", handler: join },
  { method: "POST", pattern: "/swarm/leave", handler: leave },
  { method: "GET", pattern: "/swarm", handler: inspectSwarm },
  { method: "POST", pattern: "/swarm/update", handler: updateSwarm },
  { method: "GET", pattern: "/swarm/unlockkey", handler: unlockKey },
  { method: "POST", pattern: "/swarm/unlock", handler: unlock },
  { method: "GET", pattern: "/nodes", handler: listNodes },
  { method: "GET", pattern: "/nodes/{id}", handler: inspectNode },
  { method: "POST", pattern: "/nodes/{id}/update", handler: updateNode },
  { method: "DELETE", pattern: "/nodes/{id}", handler: removeNode },
  { method: "POST", pattern: "/services/create", handler: createService },
  { method: "GET", pattern: "/services", handler: listServices },
  { method: "GET", pattern: "/services/{id}", handler: inspectService },
  { method: "POST", pattern: "/services/{id}/update", handler: updateService },
  { method: "DELETE", pattern: "/services/{id}", handler: removeService },
  { method: "GET", pattern: "/services/{id}/logs", handler: serviceLogs },
  { method: "GET", pattern: "/tasks/{id}/logs", handler: taskLogs },
  { method: "GET", pattern: "/tasks", handler: listTasks },
  { method: "GET", pattern: "/tasks/{id}", handler: inspectTask },
];

