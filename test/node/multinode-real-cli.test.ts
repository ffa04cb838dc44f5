// The multi-node recordings (test/fixtures/docker/multinode/) replayed through the REAL docker CLI
// (28.2.2, the recorder's) against the simulated Engine API: one `listen` per simulated host, each
// recorded command run with `-H` set to its host's server. The replay is the one
// test/swarm/multinode-differential.test.ts drives through `sim.exec` (./multinode-replay.ts: the
// same seeds, simulated time advancing as the recording's clock did, the recorder's polls and
// faults), and each output is compared with the recorded one by the same normalisation and
// comparison that test uses: tables cell by cell, `service ps` / `node ps` by slot groups, text
// after normalising IDs, tokens and relative times.
import { describe, expect, it } from "vitest";
import { listen, type EngineServer } from "../../src/node/http-server.js";
import {
  comparePlacement,
  compareTable,
  compareText,
  containerLines,
  hostNames,
  normaliseNodeInspectWithTls,
  recordedNodeNames,
  recording,
  replayAsync,
  simulatedNodeNames,
  startScenario,
  type Output,
  type Step,
} from "../swarm/multinode-replay.js";
import { dockerWords, convergenceWait, realDocker } from "./real-docker.js";

/** The scenarios test/swarm/multinode-differential.test.ts replays. */
const scenarios = ["cluster-formation", "node-roles", "service-replicated", "drain", "service-global", "constraints", "worker-down", "leave", "errors"] as const;

/**
 * Steps the real CLI does not replay, and why. They run through `sim.exec` on the same simulation
 * instead, so the scenario goes on as recorded; the recorder's unrecorded polls (`event` steps) are
 * checked through `sim.exec` too, as in the `sim.exec` replay.
 */
const notThroughRealCli: Readonly<Record<string, string>> = {
  "docker service create --name web --replicas 3 nginx": convergenceWait,
  "docker service scale web=6": convergenceWait,
  "docker service update --image nginx:alpine web": convergenceWait,
  "docker service rollback web": convergenceWait,
  "docker service create --mode global --name cache redis:3.0.6": convergenceWait,
  "docker service create --name pinned --replicas 2 --constraint node.hostname==worker2 nginx": convergenceWait,
  "docker service create --name mgr --replicas 2 --constraint node.role==manager nginx": convergenceWait,
};

/** Compares one output with the recorded step, as the `sim.exec` replay compares that kind of output. */
function compare(actual: Output, step: Step, nodeNames: ReadonlyMap<string, string>): void {
  const command = step.command!;
  const recordedLines = (step.stdout ?? "").split("\n").filter((line) => line !== "").length;
  // errors.json: a failing task's node is the scheduler's free choice; the departed node's ID is a different one.
  if (/^docker service ps (fail|flap)$/.test(command)) compareTable(actual, step, nodeNames, command, ["NODE"]);
  else if (/^docker node rm [0-9a-z]{25}$/.test(command)) compareText(actual, step, new Map(), command);
  else if (/^docker (service|node) ps /.test(command) && step.exitCode === 0 && recordedLines > 1) comparePlacement(actual, step, nodeNames, command);
  else if (/^docker (node|service) ls$/.test(command) && step.exitCode === 0) compareTable(actual, step, nodeNames, command);
  else if (command.startsWith("docker node inspect --pretty ")) {
    expect(actual.exitCode, command).toBe(step.exitCode);
    expect(normaliseNodeInspectWithTls(actual.stdout, nodeNames), command).toBe(normaliseNodeInspectWithTls(step.stdout!, recordedNodeNames));
  } else if (command.startsWith("docker ps -a --format ")) {
    expect(actual.exitCode, command).toBe(step.exitCode);
    expect(containerLines(actual.stdout), command).toEqual(containerLines(step.stdout!));
  } else compareText(actual, step, nodeNames, command);
}

/** Replays a scenario through the real CLI; the differences found, one message per differing step. */
async function replayThroughRealCli(scenario: string): Promise<{ readonly compared: number; readonly differences: string[] }> {
  const { sim, rewrite, namesAtStart } = startScenario(scenario);
  const servers = new Map<string, EngineServer>();
  try {
    for (const host of hostNames) servers.set(host, await listen(sim, host, { port: 0 }));
    const steps = await replayAsync(
      sim,
      recording(scenario),
      async ({ host, command }) => (command in notThroughRealCli || !servers.has(host) ? sim.exec(host, command) : realDocker(servers.get(host)!.url, dockerWords(command))),
      rewrite,
    );
    const nodeNames = new Map([...namesAtStart, ...simulatedNodeNames(sim)]);
    const differences: string[] = [];
    let compared = 0;
    for (const [index, { step, actual }] of steps.entries()) {
      if (actual === undefined || step.command === undefined || step.command in notThroughRealCli) continue;
      compared += 1;
      try {
        compare(actual, step, nodeNames);
      } catch (error) {
        differences.push(`${scenario}.json step ${index} (${step.host}) ${step.command}:\n${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { compared, differences };
  } finally {
    for (const server of servers.values()) await server.close();
  }
}

describe("the multi-node recordings through the real docker CLI on the simulated API", () => {
  for (const scenario of scenarios) {
    it(`${scenario}.json: every replayable step prints what Docker printed`, async () => {
      const { compared, differences } = await replayThroughRealCli(scenario);
      expect(compared).toBeGreaterThan(0);
      expect(differences, differences.join("\n\n")).toEqual([]);
    }, 60_000);
  }
});
