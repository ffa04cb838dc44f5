// PENDING, NOT RUN (named .pending.ts so vitest skips it): 10 of its 12 scenarios still fail,
// mostly on comparison artefacts, and it lands here so the next session starts from it. Found:
// the recording's hostname `vm` is mapped only when followed by 9 spaces (NODE columns, `@vm` in
// logs); `Version.Index` and times in inspect JSON; the recording's digest warning (no registry
// there) and digests in `ps --no-trunc`; tasks not yet Running after the recorded 31-35 ms;
// `ping docker.com` failing in the recording (no DNS); `docker info` host facts; and two real
// differences: `Placement.Platforms` added by swarmsim, and `swarm-init`, `swarm-join-unreachable`,
// `service-errors` not yet read. Rename to .test.ts once it passes.
//
// The single-node swarm recordings (test/fixtures/docker/swarm/) replayed through the REAL docker
// CLI (28.2.2, the recorder's) against the simulated Engine API served by `listen`: a one-host
// simulation set up as test/swarm/autolock.test.ts sets it up (manager1, booted; already in a swarm
// for the scenarios recorded in one), each recorded command run with `-H` set to the server,
// simulated time moved by what the recorded step took, dockerd restarted where the recorder did,
// and each output compared with the recorded one after the same normalisation as the `sim.exec`
// replay (./single-node-replay.ts: ids, tokens and keys as placeholders in order of appearance, the
// recording's address, hostname and engine version as the simulation's), plus relative times.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "shell-quote";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { swarmBootMs } from "../../src/simulation.js";
import { listen } from "../../src/node/http-server.js";
import { asSimulated, Placeholders } from "../swarm/single-node-replay.js";
import { realDocker, type DockerOutput } from "./real-docker.js";

const fixtureDirectory = fileURLToPath(new URL("../fixtures/docker/swarm/", import.meta.url));

interface CliStep {
  readonly command: string;
  readonly stdin?: string;
  readonly note?: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

const scenarios = readdirSync(fixtureDirectory)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.replace(/\.json$/, ""))
  .sort();

/** Scenarios recorded on a node that was already a swarm's only manager. */
const startsInSwarm = new Set(["node", "service-detached", "service-errors", "service-global", "service-lifecycle", "service-options", "service-pending", "swarm-leave"]);

const convergenceWait = "waits for convergence: the real CLI polls and counts its 5 s verification on the wall clock, which the simulated API does not move";

/**
 * Steps the real CLI does not replay (`scenario: command`; `<<< stdin` marks a step fed on stdin),
 * and why. They run through `sim.exec` on the same simulation instead, so the scenario goes on as recorded.
 */
const notThroughRealCli: Readonly<Record<string, string>> = {
  "service-lifecycle: docker service create --name helloworld alpine ping 127.0.0.1": convergenceWait,
  "service-lifecycle: docker service scale helloworld=3": convergenceWait,
  "service-lifecycle: docker service update --image busybox helloworld": convergenceWait,
  "service-global: docker service create --mode global --name g alpine sleep 3600": convergenceWait,
  "service-errors: docker service update dup": convergenceWait,
};

function skipKey(scenario: string, step: CliStep): string {
  return `${scenario}: ${step.command}${step.stdin === undefined ? "" : " <<< stdin"}`;
}

/** A command line as the real CLI's arguments (without `docker`). */
function words(command: string): string[] {
  const parsed = parse(command).map((entry) => {
    if (typeof entry !== "string") throw new Error(`not a plain command line: ${command}`);
    return entry;
  });
  if (parsed[0] !== "docker") throw new Error(`not a docker command: ${command}`);
  return parsed.slice(1);
}

/** docker's `HumanDuration` followed by "ago", and 12-character (truncated) ids at a table row's start. */
function withoutTimes(text: string): string {
  return text.replace(/ (?:less than a second|about an? \w+|\d+ \w+) ago/gi, " <ago>").replace(/^[0-9a-z]{12}(?= )/gm, "<short id>");
}

/** Replays a scenario's CLI steps through the real CLI; the differences found, one message per differing step. */
async function replayThroughRealCli(scenario: string): Promise<{ readonly compared: number; readonly differences: string[] }> {
  const steps = (JSON.parse(readFileSync(`${fixtureDirectory}${scenario}.json`, "utf8")) as { steps: (CliStep | { request: string })[] }).steps.filter(
    (step): step is CliStep => "command" in step,
  );
  const sim = new Simulation({ seed: `fixtures-real-cli-${scenario}` });
  sim.addHost("manager1");
  sim.runFor(swarmBootMs);
  if (startsInSwarm.has(scenario)) expect(sim.exec("manager1", "docker swarm init --advertise-addr 10.0.0.1").exitCode).toBe(0);
  const recorded = new Placeholders();
  const simulated = new Placeholders();
  const server = await listen(sim, "manager1", { port: 0 });
  const differences: string[] = [];
  let compared = 0;
  try {
    for (const [index, step] of steps.entries()) {
      if (step.note?.startsWith("dockerd restarted") === true) {
        sim.faults.restart("manager1", "dockerd");
        sim.runFor(2_000);
      }
      const command = simulated.translate(asSimulated(step.command), recorded);
      const key = skipKey(scenario, step);
      const stdin = step.stdin === undefined ? undefined : simulated.translate(step.stdin, recorded);
      if (key in notThroughRealCli) {
        sim.exec("manager1", command, stdin === undefined ? {} : { stdin });
        continue;
      }
      const actual: DockerOutput = await realDocker(server.url, words(command), stdin);
      sim.runFor(step.durationMs);
      compared += 1;
      const expected = { exitCode: step.exitCode, stdout: withoutTimes(recorded.normalise(asSimulated(step.stdout))), stderr: withoutTimes(recorded.normalise(step.stderr)) };
      const got = { exitCode: actual.exitCode, stdout: withoutTimes(simulated.normalise(actual.stdout)), stderr: withoutTimes(simulated.normalise(actual.stderr)) };
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        differences.push(`${scenario}.json step ${index} ${step.command}:\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(got)}`);
      }
    }
  } finally {
    await server.close();
  }
  return { compared, differences };
}

describe("the single-node swarm recordings through the real docker CLI on the simulated API", () => {
  for (const scenario of scenarios) {
    it(`${scenario}.json: every replayable step prints what Docker printed`, async () => {
      const { compared, differences } = await replayThroughRealCli(scenario);
      expect(compared).toBeGreaterThan(0);
      expect(differences, differences.join("\n\n")).toEqual([]);
    }, 60_000);
  }
});
