/**
 * What changed between two world states, as a list of readable changes: hosts crashed or
 * booted, processes started or stopped, partitions made or healed and links changed, Raft roles,
 * terms and the leader, and store objects (nodes, services, tasks, the cluster) created, updated
 * or deleted. It compares the two states only: a host that crashed and came back between them
 * shows as booted again, a partition made and healed between them not at all.
 */
import type { RaftRole } from "../swarm/raft/index.js";
import type { ClusterState, Service, SwarmNode, Task } from "../swarm/types.js";
import type { HostState, LinkState, NetworkState, RaftMemberState, WorldState } from "./world-state.js";

/** A store collection as `diff` names it. */
export type StoreCollectionName = "cluster" | "nodes" | "services" | "tasks";

/** One change between two world states; `summary` is a readable line. */
export type WorldChange =
  | { readonly kind: "host.add"; readonly host: string; readonly summary: string }
  | { readonly kind: "host.remove"; readonly host: string; readonly summary: string }
  | { readonly kind: "host.crash"; readonly host: string; readonly summary: string }
  | { readonly kind: "host.boot"; readonly host: string; readonly bootCount: number; readonly summary: string }
  | { readonly kind: "process.start"; readonly host: string; readonly process: string; readonly pid: number; readonly summary: string }
  | { readonly kind: "process.stop"; readonly host: string; readonly process: string; readonly pid: number; readonly summary: string }
  | { readonly kind: "network.partition" | "network.heal"; readonly groups: readonly [readonly string[], readonly string[]]; readonly summary: string }
  | { readonly kind: "network.link"; readonly from: string; readonly to: string; readonly settings: LinkState; readonly summary: string }
  | { readonly kind: "network.link.reset"; readonly from: string; readonly to: string; readonly summary: string }
  | { readonly kind: "raft.member.add"; readonly host: string; readonly summary: string }
  | { readonly kind: "raft.member.remove"; readonly host: string; readonly summary: string }
  | { readonly kind: "raft.role"; readonly host: string; readonly from: RaftRole; readonly to: RaftRole; readonly term: number; readonly summary: string }
  | { readonly kind: "raft.term"; readonly host: string; readonly from: number; readonly to: number; readonly summary: string }
  | {
      readonly kind: "raft.leader";
      readonly from: { readonly host: string; readonly term: number } | null;
      readonly to: { readonly host: string; readonly term: number } | null;
      readonly summary: string;
    }
  | {
      readonly kind: "store.create" | "store.update" | "store.delete";
      readonly collection: StoreCollectionName;
      readonly id: string;
      /** A readable name: the node's hostname, the service's name, `web.2` for a task. */
      readonly name: string;
      /** What changed, e.g. `state running -> shutdown`; empty when nothing shown changed. */
      readonly detail: string;
      readonly summary: string;
    };

/** The changes from state `before` to state `after`, in a stable order: hosts, processes, network, Raft, store. */
export function diffWorldStates(before: WorldState, after: WorldState): WorldChange[] {
  const changes: WorldChange[] = [];
  diffHosts(before.hosts, after.hosts, changes);
  diffNetwork(before.network, after.network, changes);
  diffRaft(before, after, changes);
  diffStore(before.store, after.store, changes);
  return changes;
}

function diffHosts(before: readonly HostState[], after: readonly HostState[], changes: WorldChange[]): void {
  const beforeByName = new Map(before.map((host) => [host.name, host]));
  const afterNames = new Set(after.map((host) => host.name));
  for (const host of after) {
    const old = beforeByName.get(host.name);
    if (old === undefined) {
      changes.push({ kind: "host.add", host: host.name, summary: `host ${host.name} added (${host.address})` });
    } else if (old !== host) {
      if (old.up && !host.up) changes.push({ kind: "host.crash", host: host.name, summary: `host ${host.name} crashed (powered off)` });
      else if (host.up && (!old.up || host.bootCount !== old.bootCount)) {
        changes.push({ kind: "host.boot", host: host.name, bootCount: host.bootCount, summary: `host ${host.name} booted (boot ${host.bootCount})` });
      }
    }
    if (old === host) continue;
    // Pids start again at each boot: after a reboot every process is a new one.
    const rebooted = old !== undefined && old.bootCount !== host.bootCount;
    const oldProcesses = new Map((old?.processes ?? []).map((process) => [process.name, process.pid]));
    const newProcesses = new Map(host.processes.map((process) => [process.name, process.pid]));
    for (const [name, pid] of oldProcesses) {
      if (rebooted || newProcesses.get(name) !== pid) {
        changes.push({ kind: "process.stop", host: host.name, process: name, pid, summary: `process ${name} (pid ${pid}) stopped on ${host.name}` });
      }
    }
    for (const [name, pid] of newProcesses) {
      if (rebooted || oldProcesses.get(name) !== pid) {
        changes.push({ kind: "process.start", host: host.name, process: name, pid, summary: `process ${name} (pid ${pid}) started on ${host.name}` });
      }
    }
  }
  for (const host of before) {
    if (!afterNames.has(host.name)) changes.push({ kind: "host.remove", host: host.name, summary: `host ${host.name} is not in the later state` });
  }
}

/** A partition's readable form and identity: `[a, b] | [c]`. */
function partitionText(groups: readonly [readonly string[], readonly string[]]): string {
  return `[${groups[0].join(", ")}] | [${groups[1].join(", ")}]`;
}

function linkText(link: LinkState): string {
  return `latency ${link.latencyMs[0]}-${link.latencyMs[1]} ms, loss ${link.lossRate}, duplicates ${link.duplicateRate}`;
}

function diffNetwork(before: NetworkState, after: NetworkState, changes: WorldChange[]): void {
  if (before === after) return;
  // Partitions are compared as a multiset of their readable forms (the same groups twice count twice).
  const remaining = new Map<string, number>();
  for (const groups of before.partitions) remaining.set(partitionText(groups), (remaining.get(partitionText(groups)) ?? 0) + 1);
  const made: Array<readonly [readonly string[], readonly string[]]> = [];
  for (const groups of after.partitions) {
    const text = partitionText(groups);
    const count = remaining.get(text) ?? 0;
    if (count > 0) remaining.set(text, count - 1);
    else made.push(groups);
  }
  for (const groups of before.partitions) {
    const text = partitionText(groups);
    const count = remaining.get(text) ?? 0;
    if (count === 0) continue;
    remaining.set(text, count - 1);
    changes.push({ kind: "network.heal", groups, summary: `partition ${text} healed` });
  }
  for (const groups of made) changes.push({ kind: "network.partition", groups, summary: `partition ${partitionText(groups)} made` });
  const oldLinks = new Map(before.links.map((link) => [`${link.from}\u0000${link.to}`, link]));
  const newKeys = new Set<string>();
  for (const link of after.links) {
    const key = `${link.from}\u0000${link.to}`;
    newKeys.add(key);
    const old = oldLinks.get(key);
    if (old !== undefined && linkText(old) === linkText(link)) continue;
    changes.push({ kind: "network.link", from: link.from, to: link.to, settings: link, summary: `link ${link.from} -> ${link.to}: ${linkText(link)}` });
  }
  for (const link of before.links) {
    if (newKeys.has(`${link.from}\u0000${link.to}`)) continue;
    changes.push({ kind: "network.link.reset", from: link.from, to: link.to, summary: `link ${link.from} -> ${link.to} back to the defaults` });
  }
}

function diffRaft(before: WorldState, after: WorldState, changes: WorldChange[]): void {
  const beforeByHost = new Map<string, RaftMemberState>(before.raft.map((member) => [member.host, member]));
  const afterHosts = new Set(after.raft.map((member) => member.host));
  for (const member of before.raft) {
    if (!afterHosts.has(member.host)) {
      changes.push({ kind: "raft.member.remove", host: member.host, summary: `Raft member on ${member.host} no longer runs (was ${member.role}, term ${member.term})` });
    }
  }
  for (const member of after.raft) {
    const old = beforeByHost.get(member.host);
    if (old === undefined) {
      changes.push({ kind: "raft.member.add", host: member.host, summary: `Raft member on ${member.host} runs (${member.role}, term ${member.term})` });
      continue;
    }
    if (old.term !== member.term) {
      changes.push({ kind: "raft.term", host: member.host, from: old.term, to: member.term, summary: `Raft member on ${member.host}: term ${old.term} -> ${member.term}` });
    }
    if (old.role !== member.role) {
      changes.push({
        kind: "raft.role",
        host: member.host,
        from: old.role,
        to: member.role,
        term: member.term,
        summary: `Raft member on ${member.host}: ${old.role} -> ${member.role} (term ${member.term})`,
      });
    }
  }
  const from = before.leader;
  const to = after.leader;
  if (from?.host !== to?.host || from?.term !== to?.term) {
    const show = (leader: { host: string; term: number } | null) => (leader === null ? "none" : `${leader.host} (term ${leader.term})`);
    changes.push({ kind: "raft.leader", from, to, summary: `leader ${show(from)} -> ${show(to)}` });
  }
}

type AnyStored = SwarmNode | Service | Task;

function diffStore(before: ClusterState | null, after: ClusterState | null, changes: WorldChange[]): void {
  if (before === after) return;
  const empty: ClusterState = { cluster: null, nodes: {}, services: {}, tasks: {} };
  const old = before ?? empty;
  const next = after ?? empty;
  if (old.cluster !== next.cluster && old.cluster?.version !== next.cluster?.version) {
    const cluster = next.cluster ?? old.cluster!;
    const kind = old.cluster === null ? "store.create" : next.cluster === null ? "store.delete" : "store.update";
    changes.push({ kind, collection: "cluster", id: cluster.id, name: cluster.name, detail: "", summary: `cluster ${cluster.name} ${verb(kind)}` });
  }
  const namer = (collection: StoreCollectionName, object: AnyStored): string => displayName(collection, object, old, next);
  for (const collection of ["nodes", "services", "tasks"] as const) {
    const oldObjects = old[collection] as Readonly<Record<string, AnyStored>>;
    const newObjects = next[collection] as Readonly<Record<string, AnyStored>>;
    if (oldObjects === newObjects) continue;
    for (const [id, object] of Object.entries(newObjects)) {
      const previous = oldObjects[id];
      if (previous === object) continue;
      const name = namer(collection, object);
      if (previous === undefined) {
        const detail = describeNew(collection, object);
        changes.push({ kind: "store.create", collection, id, name, detail, summary: `${singular(collection)} ${name} created${detail === "" ? "" : `: ${detail}`}` });
      } else if (previous.version !== object.version) {
        // Managers keep equal copies of each object: only a new version (Raft index) is a change.
        const detail = describeUpdate(collection, previous, object);
        changes.push({ kind: "store.update", collection, id, name, detail, summary: `${singular(collection)} ${name} updated${detail === "" ? "" : `: ${detail}`}` });
      }
    }
    for (const [id, object] of Object.entries(oldObjects)) {
      if (newObjects[id] !== undefined) continue;
      const name = namer(collection, object);
      changes.push({ kind: "store.delete", collection, id, name, detail: "", summary: `${singular(collection)} ${name} deleted` });
    }
  }
}

function verb(kind: "store.create" | "store.update" | "store.delete"): string {
  return kind === "store.create" ? "created" : kind === "store.update" ? "updated" : "deleted";
}

function singular(collection: StoreCollectionName): string {
  return collection === "nodes" ? "node" : collection === "services" ? "service" : collection === "tasks" ? "task" : "cluster";
}

function displayName(collection: StoreCollectionName, object: AnyStored, before: ClusterState, after: ClusterState): string {
  if (collection === "nodes") return (object as SwarmNode).description.hostname || object.id;
  if (collection === "services") return (object as Service).spec.name;
  const task = object as Task;
  const service = after.services[task.serviceId] ?? before.services[task.serviceId];
  const serviceName = service?.spec.name ?? task.serviceId;
  const node = task.nodeId === "" ? undefined : after.nodes[task.nodeId] ?? before.nodes[task.nodeId];
  const where = node === undefined ? "" : ` on ${node.description.hostname}`;
  const slot = task.slot > 0 ? String(task.slot) : task.nodeId;
  return `${serviceName}.${slot} (${task.id.slice(0, 12)})${where}`;
}

function describeNew(collection: StoreCollectionName, object: AnyStored): string {
  if (collection === "tasks") {
    const task = object as Task;
    return `state ${task.status.state}, desired ${task.desiredState}`;
  }
  if (collection === "nodes") {
    const node = object as SwarmNode;
    return `${node.role}, ${node.status.state}`;
  }
  const service = object as Service;
  return service.spec.mode.kind === "replicated" ? `${service.spec.mode.replicas} replicas` : "global";
}

function describeUpdate(collection: StoreCollectionName, previous: AnyStored, object: AnyStored): string {
  const parts: string[] = [];
  const change = (label: string, from: string | number | boolean, to: string | number | boolean) => {
    if (from !== to) parts.push(`${label} ${String(from)} -> ${String(to)}`);
  };
  if (collection === "tasks") {
    const before = previous as Task;
    const after = object as Task;
    change("state", before.status.state, after.status.state);
    change("desired", before.desiredState, after.desiredState);
    if (before.nodeId === "" && after.nodeId !== "") parts.push("assigned to a node");
  } else if (collection === "nodes") {
    const before = previous as SwarmNode;
    const after = object as SwarmNode;
    change("status", before.status.state, after.status.state);
    change("role", before.role, after.role);
    change("availability", before.spec.availability, after.spec.availability);
    change("leader", before.managerStatus?.leader ?? false, after.managerStatus?.leader ?? false);
    change("reachability", before.managerStatus?.reachability ?? "none", after.managerStatus?.reachability ?? "none");
  } else {
    const before = previous as Service;
    const after = object as Service;
    const replicas = (service: Service) => (service.spec.mode.kind === "replicated" ? service.spec.mode.replicas : "global");
    change("replicas", replicas(before), replicas(after));
    change("image", before.spec.task.container.image, after.spec.task.container.image);
    change("update", before.updateStatus?.state ?? "none", after.updateStatus?.state ?? "none");
  }
  return parts.join(", ");
}
