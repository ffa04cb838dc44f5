// Property over the Raft group inside the simulation (kernel network, disk persistence with
// fsync delay, crashes and restarts of hosts): no safety checker fires, every proposal known
// committed stays in every later leader's log, and after the faults stop a leader is elected.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { propertyOptions } from "../../helpers/property.js";

type Fault =
  | { kind: "crash" | "restart" | "isolate"; member: number }
  | { kind: "partition"; cut: number }
  | { kind: "heal" }
  | { kind: "lossy"; from: number; to: number; lossRate: number }
  | { kind: "propose"; count: number }
  | { kind: "wait"; durationMs: number };

const faultArbitrary: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constantFrom("crash" as const, "restart" as const, "isolate" as const), member: fc.nat(6) }),
  fc.record({ kind: fc.constant("partition" as const), cut: fc.nat(6) }),
  fc.record({ kind: fc.constant("heal" as const) }),
  fc.record({ kind: fc.constant("lossy" as const), from: fc.nat(6), to: fc.nat(6), lossRate: fc.double({ min: 0, max: 0.8, noNaN: true }) }),
  fc.record({ kind: fc.constant("propose" as const), count: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("wait" as const), durationMs: fc.integer({ min: 0, max: 2_000 }) }),
);

describe("Raft group in the simulation under faults", () => {
  it("stays safe, keeps committed proposals, and recovers a leader after heal", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.string({ maxLength: 6 }), fc.boolean(), fc.array(faultArbitrary, { maxLength: 30 }), (managers, seed, preVote, faults) => {
        const sim = Simulation.swarm({
          seed,
          managers,
          engine: false,
          trace: { level: "off" },
          network: { latencyMs: [1, 15], duplicateRate: 0.02 },
          raft: { electionTimeoutMs: [150, 300], heartbeatIntervalMs: 50, preVote, snapshotIntervalEntries: 20, logEntriesForSlowFollowers: 5 },
        });
        const checker = sim.watchRaftSafety();
        const hosts = Array.from({ length: managers }, (_, index) => `manager${index + 1}`);
        const acknowledged = new Map<number, unknown>();
        const proposed: Array<{ host: string; index: number; term: number; data: unknown }> = [];
        let counter = 0;
        for (const fault of faults) {
          const host = hosts[("member" in fault ? fault.member : 0) % managers]!;
          switch (fault.kind) {
            case "crash":
              if (sim.host(host).up) sim.faults.crash(host);
              break;
            case "restart":
              sim.faults.restart(host);
              break;
            case "isolate":
              if (managers > 1) sim.faults.isolate(host);
              break;
            case "partition": {
              const cut = 1 + (fault.cut % Math.max(1, managers - 1));
              if (managers > 1) sim.faults.partition(hosts.slice(0, cut), hosts.slice(cut));
              break;
            }
            case "heal":
              sim.faults.heal();
              break;
            case "lossy": {
              const from = hosts[fault.from % managers]!;
              const to = hosts[fault.to % managers]!;
              if (from !== to) sim.faults.setLink(from, to, { lossRate: fault.lossRate });
              break;
            }
            case "propose": {
              const leader = sim.leader();
              if (leader === undefined) break;
              for (let index = 0; index < fault.count; index++) {
                const data = `p${counter++}`;
                const result = sim.raftPropose(leader.host, data);
                if (result.ok) proposed.push({ host: leader.host, index: result.index, term: result.term, data });
              }
              break;
            }
            case "wait":
              sim.runFor(fault.durationMs);
              break;
          }
          // A proposal is acknowledged once its proposer has applied it at its index and term.
          for (const proposal of proposed) {
            if (acknowledged.has(proposal.index) || !sim.host(proposal.host).up) continue;
            const applied = sim.raftApplied(proposal.host).find((entry) => entry.index === proposal.index);
            if (applied !== undefined && applied.term === proposal.term) acknowledged.set(proposal.index, proposal.data);
          }
        }
        sim.faults.heal();
        for (const from of hosts) for (const to of hosts) if (from !== to) sim.faults.resetLink(from, to, { oneWay: true });
        for (const host of hosts) if (!sim.host(host).up) sim.faults.restart(host);
        expect(sim.runUntil(() => sim.leader() !== undefined, { timeoutMs: 30_000 })).toBe(true);
        sim.runFor(3_000);
        expect(checker.violations).toEqual([]);
        const leader = sim.leader()!.host;
        const leaderLog = new Map(sim.raftApplied(leader).map((entry) => [entry.index, entry.data]));
        // Entries compacted into the snapshot are in the applied list too (it is the state machine).
        for (const [index, data] of acknowledged) expect(leaderLog.get(index), `acknowledged entry ${index}`).toBe(data);
      }),
      propertyOptions("raft group under faults", 60),
    );
  });
});
