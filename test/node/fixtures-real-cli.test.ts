// The single-node swarm recordings (test/fixtures/docker/swarm/) replayed through the REAL docker
// CLI (28.2.2, the recorder's) against the simulated Engine API served by `listen`, and their raw
// API steps as HTTP requests to the same server. The replay is the one
// test/swarm/single-node-differential.test.ts drives through `sim.exec` (../swarm/single-node-replay.ts:
// the machine set up as the recording machine was, simulated time moved by what each recorded step
// took and by the recorder's unrecorded waits, dockerd restarted where the recorder restarted it),
// and each output is compared with the recorded one by the same normalisation: ids, tokens and keys
// as placeholders in order of appearance, the recording's address and engine version as the
// simulation's, times, relative times (the real CLI computes them against the real clock) and the
// column widths that follow them, and what docs/differences.md lists.
//
// The steps in `notThroughRealCli` run through `sim.exec` instead, and are not compared here.
import { describe, expect, it } from "vitest";
import type { Simulation } from "swarmsim";
import { listen } from "../../src/node/http-server.js";
import { hostname, replaySingleNode, singleNodeScenarios, startSingleNode, type DriverAnswer, type ReplayResult, type Runnable } from "../swarm/single-node-replay.js";
import { dockerWords, convergenceWait, realDocker } from "./real-docker.js";

/**
 * Steps the real CLI does not replay (`scenario: command`), and why. They run through `sim.exec` on
 * the same simulation instead, so the scenario goes on as recorded.
 */
const notThroughRealCli: Readonly<Record<string, string>> = {
  "service-lifecycle: docker service create --name helloworld alpine ping 127.0.0.1": convergenceWait,
  "service-lifecycle: docker service scale helloworld=3": convergenceWait,
  "service-lifecycle: docker service update --image busybox helloworld": convergenceWait,
  "service-global: docker service create --mode global --name g alpine sleep 3600": convergenceWait,
  "service-errors: docker service update dup": convergenceWait,
};

/** Runs one step: a command through the real CLI (or `sim.exec`, see above), a raw request over HTTP. */
async function run(sim: Simulation, url: string, scenario: string, runnable: Runnable): Promise<DriverAnswer> {
  if (runnable.kind === "api") {
    const response = await fetch(`${url.replace(/^tcp:/, "http:")}${runnable.path}`, {
      method: runnable.method,
      ...(runnable.body === undefined ? {} : { body: JSON.stringify(runnable.body), headers: { "Content-Type": "application/json" } }),
    });
    const text = await response.text();
    const json = response.headers.get("content-type")?.startsWith("application/json") === true;
    return { api: { statusCode: response.status, body: text === "" ? null : json ? (JSON.parse(text) as unknown) : text } };
  }
  const reason = notThroughRealCli[`${scenario}: ${runnable.step.command}`];
  if (reason !== undefined) return { cli: sim.exec(hostname, runnable.command, runnable.stdin === undefined ? {} : { stdin: runnable.stdin }), notCompared: reason };
  return { cli: await realDocker(url, dockerWords(runnable.command), runnable.stdin) };
}

/** Replays a scenario through the real CLI; the steps compared and the differences found. */
async function replayThroughRealCli(scenario: string): Promise<ReplayResult> {
  const sim = startSingleNode(scenario, "fixtures-real-cli");
  const server = await listen(sim, hostname, { port: 0 });
  try {
    const steps = replaySingleNode(sim, scenario);
    let next = steps.next();
    while (next.done !== true) next = steps.next(await run(sim, server.url, scenario, next.value));
    return next.value;
  } finally {
    await server.close();
  }
}

describe("the single-node swarm recordings through the real docker CLI on the simulated API", () => {
  for (const scenario of singleNodeScenarios) {
    it(`${scenario}.json: every replayable step prints and answers what Docker did`, async () => {
      const { compared, differences } = await replayThroughRealCli(scenario);
      expect(compared).toBeGreaterThan(0);
      expect(differences, differences.join("\n\n")).toEqual([]);
    }, 60_000);
  }
});
