// The single-node swarm recordings (test/fixtures/docker/swarm/) replayed through the REAL docker
// CLI (28.2.2, the recorder's) against the simulated Engine API served by `listen`: a one-host
// simulation set up as test/swarm/autolock.test.ts sets it up (host `vm`, booted; already in a swarm
// for the scenarios recorded in one), each recorded command run with `-H` set to the server,
// simulated time moved by what the recorded step took, dockerd restarted where the recorder did,
// and each output compared with the recorded one after the same normalisation as the `sim.exec`
// replay (./single-node-replay.ts: ids, tokens and keys as placeholders in order of appearance, the
// recording's address, hostname and engine version as the simulation's), plus relative times.
//
// Four scenarios pass (autolock, not-in-swarm, service-errors, swarm-leave); the others are listed
// in `pendingScenarios` below with why, and skipped. The simulated host is named `vm` as the
// recording machine, the digest warning of the registry-less recording is dropped as in
// ../swarm/multinode-replay.ts, and `docker info` is compared as test/swarm/autolock.test.ts does.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "shell-quote";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { swarmBootMs } from "../../src/simulation.js";
import { listen } from "../../src/node/http-server.js";
import { asSimulated, Placeholders } from "../swarm/single-node-replay.js";
import { digestWarning } from "../swarm/multinode-replay.js";
import { convergenceWait, realDocker, type DockerOutput } from "./real-docker.js";

/** The simulated host is named as the recording machine was, so NODE columns and `@vm` match. */
const hostname = "vm";

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
  const host = hostname;
  sim.addHost(hostname);
  sim.runFor(swarmBootMs);
  if (startsInSwarm.has(scenario)) expect(sim.exec(host, "docker swarm init --advertise-addr 10.0.0.1").exitCode).toBe(0);
  const recorded = new Placeholders();
  const simulated = new Placeholders();
  const server = await listen(sim, host, { port: 0 });
  const differences: string[] = [];
  let compared = 0;
  try {
    for (const [index, step] of steps.entries()) {
      if (step.note?.startsWith("dockerd restarted") === true) {
        sim.faults.restart(host, "dockerd");
        sim.runFor(2_000);
      }
      const command = simulated.translate(asSimulated(step.command, hostname), recorded);
      const key = skipKey(scenario, step);
      const stdin = step.stdin === undefined ? undefined : simulated.translate(step.stdin, recorded);
      if (key in notThroughRealCli) {
        sim.exec(host, command, stdin === undefined ? {} : { stdin });
        continue;
      }
      const actual: DockerOutput = await realDocker(server.url, words(command), stdin);
      sim.runFor(step.durationMs);
      compared += 1;
      const expected = {
        exitCode: step.exitCode,
        stdout: withoutTimes(recorded.normalise(asSimulated(step.stdout, hostname))),
        stderr: withoutTimes(recorded.normalise(step.stderr.replace(digestWarning, ""))),
      };
      const got = { exitCode: actual.exitCode, stdout: withoutTimes(simulated.normalise(actual.stdout)), stderr: withoutTimes(simulated.normalise(actual.stderr)) };
      if (command === "docker info") {
        // As test/swarm/autolock.test.ts: host facts differ (kernel, storage, plugins); the swarm part is one line when locked.
        if (!(actual.stdout.includes("\n Swarm: locked\n Runtimes:") && step.stdout.includes("\n Swarm: locked\n Runtimes:"))) differences.push(`${scenario}.json step ${index} ${step.command}: not locked`);
      } else if (command === "docker info --format '{{json .Swarm}}'" && step.stdout.includes('"LocalNodeState":"active"')) {
        // As test/swarm/autolock.test.ts: an active node's cluster object carries certificates swarmsim does not model.
        const actualSwarm = JSON.parse(actual.stdout) as { LocalNodeState: string; Cluster: { Spec: { EncryptionConfig: unknown } } };
        const expectedSwarm = JSON.parse(step.stdout) as typeof actualSwarm;
        if (actualSwarm.LocalNodeState !== "active" || JSON.stringify(actualSwarm.Cluster.Spec.EncryptionConfig) !== JSON.stringify(expectedSwarm.Cluster.Spec.EncryptionConfig)) {
          differences.push(`${scenario}.json step ${index} ${step.command}: ${actual.stdout}`);
        }
      } else if (JSON.stringify(got) !== JSON.stringify(expected)) {
        differences.push(`${scenario}.json step ${index} ${step.command}:\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(got)}`);
      }
    }
  } finally {
    await server.close();
  }
  return { compared, differences };
}

/** Scenarios that still fail, skipped: why. */
const pendingScenarios: Readonly<Record<string, string>> = {
  node: "`node inspect` JSON (Version.Index, times) and `--pretty` host facts (Joined at, Memory, plugins) compared verbatim by swarm.test.ts; no normaliser yet",
  "service-detached": "the recording's task failed (`ping docker.com`, no DNS) and was Ready again; the simulated one is still Pending after the recorded ms",
  "service-global": "image pinned by digest (the recording had no registry)",
  "service-lifecycle": "digests, Version.Index and times in inspect, log line content, and CURRENT STATE widths (service.test.ts searches for a matching time)",
  "service-options": "tasks still Assigned (0/2) after the recorded ms; digest pinned; Placement.Platforms added by swarmsim (real difference)",
  "service-pending": "scheduler error not yet on the task at the recorded time; digest pinned in --no-trunc and --pretty",
  "swarm-init": "not yet read",
  "swarm-join-unreachable": "the dial error is Docker's now, but the replay maps the recording's 127.0.0.1 to the simulated 10.0.0.1 in the command and not in the expected error text",
};

describe("the single-node swarm recordings through the real docker CLI on the simulated API", () => {
  for (const scenario of scenarios) {
    it.skipIf(scenario in pendingScenarios)(`${scenario}.json: every replayable step prints what Docker printed`, async () => {
      const { compared, differences } = await replayThroughRealCli(scenario);
      expect(compared).toBeGreaterThan(0);
      expect(differences, differences.join("\n\n")).toEqual([]);
    }, 60_000);
  }
});
