// The swarm's network allocation (src/swarm/network): the IPAM arithmetic, and the addresses the
// store gives nodes, services and tasks as it applies change sets, checked against what a real
// swarm showed (test/fixtures/docker/multinode/networks.json: sandboxes .2-.4, the published
// service's VIP .5, its tasks .6-.8; appnet 10.0.1.0/24 with VIP .2, tasks .3-.4, load balancers
// .5-.6; attnet 10.0.2.0/24; VXLAN 4096, 4097, 4098).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applyChanges } from "../../../src/swarm/store/apply.js";
import { createChange, deleteChange, updateChange, type StoreChange } from "../../../src/swarm/store/changes.js";
import { nodeOwner, serviceOwner, taskOwner } from "../../../src/swarm/network/allocation.js";
import { formatAddress, hostNumber, nextDefaultSubnet, nextHost, overlaps, parseAddress, parseSubnet } from "../../../src/swarm/network/ipam.js";
import { addressOf, networkPeers, nodeNetworks, serviceVirtualIps, taskAddresses } from "../../../src/swarm/network/view.js";
import { emptyClusterState, type ClusterState, type Service, type SwarmNetwork, type Task } from "../../../src/swarm/types.js";
import { ingressNetworkId, makeCluster, makeNode, makeService, makeTask } from "../orchestrator/fixtures.js";

/** A store advanced entry by entry, as the managers apply Raft entries. */
class Store {
  state: ClusterState = emptyClusterState;
  private index = 0;
  apply(...changes: StoreChange[]): this {
    this.index += 1;
    this.state = applyChanges(this.state, changes, this.index, this.index * 100).state;
    return this;
  }
}

function network(id: string, name: string, options: Partial<SwarmNetwork["spec"]> = {}): SwarmNetwork {
  return { id, version: 0, createdAt: 0, updatedAt: 0, spec: { name, labels: {}, driver: "overlay", options: {}, attachable: false, internal: false, ipv6: false, ipam: [], ...options } };
}

function withNetworks(service: Service, ...targets: string[]): Service {
  return { ...service, spec: { ...service.spec, task: { ...service.spec.task, networks: targets.map((target) => ({ target, aliases: [] })) } } };
}

const published = [{ name: "", protocol: "tcp" as const, targetPort: 80, publishedPort: 8080, publishMode: "ingress" as const }];

/** The recorded cluster: three nodes joining one after the other. */
function threeNodes(): Store {
  return new Store()
    .apply(createChange("cluster", makeCluster()), createChange("nodes", makeNode("manager1")))
    .apply(createChange("nodes", { ...makeNode("worker1"), status: { state: "ready", message: "", address: "10.0.0.2" } }))
    .apply(createChange("nodes", { ...makeNode("worker2"), status: { state: "ready", message: "", address: "10.0.0.3" } }));
}

function tasksOf(service: Service, count: number, prefix: string): Task[] {
  return Array.from({ length: count }, (_, index) => makeTask(`${prefix}${index + 1}`, service, { slot: index + 1, state: "new" }));
}

describe("IPAM arithmetic", () => {
  it("parses and formats addresses and subnets", () => {
    expect(parseAddress("10.0.1.5")).toBe(167772421);
    expect(formatAddress(167772421)).toBe("10.0.1.5");
    expect(parseAddress("10.0.1")).toBeNull();
    expect(parseAddress("10.0.1.256")).toBeNull();
    expect(parseSubnet("10.0.1.7/24")).toEqual({ base: parseAddress("10.0.1.0"), prefixLength: 24, lastHost: 254 });
    expect(parseSubnet("10.0.1.0/31")).toBeNull();
    expect(hostNumber("10.0.1.0/24", "10.0.1.5")).toBe(5);
    expect(hostNumber("10.0.1.0/24", "10.0.2.5")).toBeNull();
    expect(overlaps(parseSubnet("10.0.0.0/16")!, parseSubnet("10.0.3.0/24")!)).toBe(true);
    expect(overlaps(parseSubnet("10.0.0.0/24")!, parseSubnet("10.0.1.0/24")!)).toBe(false);
  });

  it("hands addresses out serially, skipping the gateway, wrapping once", () => {
    const pool = { subnet: "10.0.0.0/29", gateway: "10.0.0.1", vxlanId: 4096, cursor: 0, sequence: 0, leases: {} };
    expect(nextHost(pool, new Set())).toBe(2);
    expect(nextHost({ ...pool, cursor: 4 }, new Set([2, 3]))).toBe(5);
    expect(nextHost({ ...pool, cursor: 6 }, new Set([3]))).toBe(2); // wrapped: .7 is the broadcast address
    expect(nextHost({ ...pool, cursor: 6 }, new Set([2, 3, 4, 5, 6]))).toBeNull();
  });

  it("takes the lowest free /24 of 10.0.0.0/8", () => {
    expect(nextDefaultSubnet([])).toBe("10.0.0.0/24");
    expect(nextDefaultSubnet([parseSubnet("10.0.0.0/24")!, parseSubnet("10.0.2.0/24")!])).toBe("10.0.1.0/24");
    expect(nextDefaultSubnet([parseSubnet("10.0.0.0/23")!])).toBe("10.0.2.0/24");
  });

  it("never hands out the gateway or a taken address (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253 }), fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { maxLength: 60 }), (cursor, taken) => {
        const host = nextHost({ subnet: "10.0.0.0/24", gateway: "10.0.0.1", vxlanId: 4096, cursor, sequence: 0, leases: {} }, new Set(taken));
        if (host === null) return [...Array(253).keys()].every((index) => taken.includes(index + 2));
        return host !== 1 && !taken.includes(host) && host >= 2 && host <= 254;
      }),
    );
  });
});

describe("the network allocation kept by the store", () => {
  it("gives every node an ingress sandbox address as it joins: .2, .3, .4", () => {
    const { state } = threeNodes();
    expect(state.networkAllocations!.pools[ingressNetworkId]).toMatchObject({ subnet: "10.0.0.0/24", gateway: "10.0.0.1", vxlanId: 4096 });
    expect(["manager1", "worker1", "worker2"].map((id) => addressOf(state, ingressNetworkId, nodeOwner(id)))).toEqual(["10.0.0.2/24", "10.0.0.3/24", "10.0.0.4/24"]);
    expect(Object.isFrozen(state.networkAllocations!.pools[ingressNetworkId]!.leases)).toBe(true);
  });

  it("a published service: its VIP after the sandboxes, its tasks after it in slot order", () => {
    const store = threeNodes();
    const web = makeService("web", { replicas: 3, ports: published });
    store.apply(createChange("services", web)).apply(...tasksOf(web, 3, "web").map((task) => createChange("tasks", task)));
    expect(serviceVirtualIps(store.state, store.state.services.web!)).toEqual([{ networkId: ingressNetworkId, address: "10.0.0.5/24" }]);
    expect(["web1", "web2", "web3"].map((id) => taskAddresses(store.state, id).get(ingressNetworkId))).toEqual(["10.0.0.6/24", "10.0.0.7/24", "10.0.0.8/24"]);
  });

  it("user overlays: the next /24 and VXLAN id; VIP, tasks, then a load balancer per node once a task is assigned there", () => {
    const store = threeNodes().apply(createChange("networks", network("appnet", "appnet"))).apply(createChange("networks", network("attnet", "attnet", { attachable: true })));
    expect(store.state.networkAllocations!.pools.appnet).toMatchObject({ subnet: "10.0.1.0/24", gateway: "10.0.1.1", vxlanId: 4097 });
    expect(store.state.networkAllocations!.pools.attnet).toMatchObject({ subnet: "10.0.2.0/24", gateway: "10.0.2.1", vxlanId: 4098 });
    const api = withNetworks(makeService("api", { replicas: 2 }), "appnet");
    const [first, second] = tasksOf(api, 2, "api");
    store.apply(createChange("services", api)).apply(createChange("tasks", first!), createChange("tasks", second!));
    expect(serviceVirtualIps(store.state, store.state.services.api!)).toEqual([{ networkId: "appnet", address: "10.0.1.2/24" }]);
    expect(taskAddresses(store.state, "api1").get("appnet")).toBe("10.0.1.3/24");
    expect(nodeNetworks(store.state, "worker1")).toEqual([]);
    store.apply(updateChange("tasks", { ...first!, nodeId: "worker1", status: { ...first!.status, state: "assigned" } }), updateChange("tasks", { ...second!, nodeId: "manager1", status: { ...second!.status, state: "assigned" } }));
    expect(addressOf(store.state, "appnet", nodeOwner("worker1"))).toBe("10.0.1.5/24");
    expect(addressOf(store.state, "appnet", nodeOwner("manager1"))).toBe("10.0.1.6/24");
    expect(nodeNetworks(store.state, "worker1").map((item) => item.id)).toEqual(["appnet"]);
    expect(nodeNetworks(store.state, "worker2")).toEqual([]);
    // Each node lists itself first.
    expect(networkPeers(store.state, "appnet", "manager1").map((peer) => peer.node.id)).toEqual(["manager1", "worker1"]);
    expect(networkPeers(store.state, "appnet", "worker1").map((peer) => peer.node.id)).toEqual(["worker1", "manager1"]);
    expect(networkPeers(store.state, ingressNetworkId, "worker1").map((peer) => peer.node.id)).toEqual(["manager1", "worker1", "worker2"]);
  });

  it("a dead task gives its address back and its node leaves the network with its last task", () => {
    const store = threeNodes().apply(createChange("networks", network("appnet", "appnet")));
    const api = withNetworks(makeService("api", { replicas: 2 }), "appnet");
    const tasks = tasksOf(api, 2, "api").map((task) => ({ ...task, nodeId: "worker1" }));
    store.apply(createChange("services", api)).apply(...tasks.map((task) => createChange("tasks", task)));
    expect(store.state.networkAllocations!.pools.appnet!.leases[nodeOwner("worker1")]!.tasks).toBe(2);
    const dead = (task: Task): Task => ({ ...task, desiredState: "shutdown", status: { ...task.status, state: "shutdown" } });
    store.apply(updateChange("tasks", dead(tasks[0]!)));
    expect(taskAddresses(store.state, "api1").size).toBe(0);
    expect(nodeNetworks(store.state, "worker1").map((item) => item.id)).toEqual(["appnet"]);
    // Desired shutdown but still running: still on the network.
    store.apply(updateChange("tasks", { ...tasks[1]!, desiredState: "shutdown" }));
    expect(nodeNetworks(store.state, "worker1").map((item) => item.id)).toEqual(["appnet"]);
    store.apply(deleteChange("tasks", "api2"));
    expect(nodeNetworks(store.state, "worker1")).toEqual([]);
    expect(store.state.networkAllocations!.pools.appnet!.leases[taskOwner("api2")]).toBeUndefined();
    // Serial: the next task does not get a released address back.
    const next = { ...makeTask("api3", api, { slot: 1, state: "new" }) };
    store.apply(createChange("tasks", next));
    expect(taskAddresses(store.state, "api3").get("appnet")).toBe("10.0.1.6/24");
  });

  it("a removed service or node gives its addresses back; a removed network its pool", () => {
    const store = threeNodes().apply(createChange("networks", network("appnet", "appnet")));
    const both = withNetworks(makeService("both", { ports: published }), "appnet");
    store.apply(createChange("services", both));
    expect(serviceVirtualIps(store.state, store.state.services.both!).map((ip) => ip.networkId)).toEqual([ingressNetworkId, "appnet"]);
    store.apply(deleteChange("services", "both"));
    expect(store.state.networkAllocations!.pools.appnet!.leases[serviceOwner("both")]).toBeUndefined();
    expect(store.state.networkAllocations!.pools[ingressNetworkId]!.leases[serviceOwner("both")]).toBeUndefined();
    store.apply(deleteChange("nodes", "worker2"));
    expect(addressOf(store.state, ingressNetworkId, nodeOwner("worker2"))).toBeNull();
    store.apply(deleteChange("networks", "appnet"));
    expect(store.state.networkAllocations!.pools.appnet).toBeUndefined();
  });

  it("a user-given subnet and gateway are kept; a name as target is resolved", () => {
    const store = threeNodes().apply(createChange("networks", network("custom", "custom", { ipam: [{ subnet: "192.168.50.0/24", gateway: "192.168.50.254" }] })));
    expect(store.state.networkAllocations!.pools.custom).toMatchObject({ subnet: "192.168.50.0/24", gateway: "192.168.50.254" });
    store.apply(createChange("services", withNetworks(makeService("svc"), "custom")));
    expect(serviceVirtualIps(store.state, store.state.services.svc!)).toEqual([{ networkId: "custom", address: "192.168.50.1/24" }]);
  });

  it("leaves the state untouched when nothing concerns networks", () => {
    const store = threeNodes();
    const before = store.state;
    const plain = makeService("plain");
    store.apply(createChange("services", plain)).apply(createChange("tasks", makeTask("plain1", plain, { state: "new" })));
    expect(store.state.networkAllocations).toBe(before.networkAllocations);
  });

  it("is the same on every manager: the same entries give the same addresses (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 25 }), (script) => {
        const run = () => {
          const store = threeNodes().apply(createChange("networks", network("appnet", "appnet")));
          const service = withNetworks(makeService("svc", { ports: published }), "appnet");
          store.apply(createChange("services", service));
          let counter = 0;
          for (const operation of script) {
            const live = Object.values(store.state.tasks);
            if (operation <= 2 || live.length === 0) store.apply(createChange("tasks", makeTask(`t${++counter}`, service, { state: "new", nodeId: ["manager1", "worker1", "worker2"][operation % 3]! })));
            else if (operation === 3) store.apply(deleteChange("tasks", live[0]!.id));
            else store.apply(updateChange("tasks", { ...live.at(-1)!, desiredState: "shutdown", status: { ...live.at(-1)!.status, state: "complete" } }));
          }
          return store.state;
        };
        const left = run();
        const right = run();
        expect(left.networkAllocations).toEqual(right.networkAllocations);
        // No two owners share an address in a pool, and no live task lacks one.
        for (const pool of Object.values(left.networkAllocations!.pools)) {
          const hosts = Object.values(pool.leases).map((lease) => lease.host);
          expect(new Set(hosts).size).toBe(hosts.length);
        }
        for (const task of Object.values(left.tasks)) {
          if (task.desiredState === "running") expect(taskAddresses(left, task.id).size).toBe(2);
        }
        // A node holds a load balancer on appnet exactly while a live task of it uses the network.
        for (const node of ["manager1", "worker1", "worker2"]) {
          const live = Object.values(left.tasks).filter((task) => task.nodeId === node && task.desiredState === "running").length;
          expect(addressOf(left, "appnet", nodeOwner(node)) !== null, node).toBe(live > 0);
        }
      }),
    );
  });
});
