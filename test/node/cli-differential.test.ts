// Differential test of swarmsim's docker CLI against the real one: twin simulations (same seed)
// get the same command lines, one through `sim.exec` (swarmsim's CLI), the other through the real
// docker 28.2.2 binary talking to the simulated Engine API over HTTP. Both must print the same
// bytes and exit codes, after normalising only times (the real CLI reads the real clock, `sim.exec`
// the simulated one, and its extra requests move simulated time by milliseconds; column widths
// follow) and the order of `Runtimes:` (a Go map).
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { listen } from "../../src/node/http-server.js";
import { realDocker, type DockerOutput as Output } from "./real-docker.js";

/** Relative times as docker/go-units print them, then runs of spaces (table columns follow the widest cell). */
function normalize(output: Output): Output {
  const text = (value: string) =>
    value
      .replace(/\b(Less than a second|About a minute|About an hour|\d+ (second|minute|hour|day|week|month|year)s?)( ago)?\b/g, "<time>")
      .replace(/\d\d:\d\d:\d\d\.\d+/g, "<clock>") // log lines' own clocks: the real CLI's extra requests (/_ping) move time a little
      .replace(/^( Runtimes:) (.*)$/gm, (_line, label: string, names: string) => `${label} ${names.split(" ").sort().join(" ")}`)
      .replace(/ {2,}/g, "  ");
  return { stdout: text(output.stdout), stderr: text(output.stderr), exitCode: output.exitCode };
}

/** Command lines as word lists (the real CLI gets them as arguments; `sim.exec` as one quoted line). */
const scenario: readonly (readonly string[])[] = [
  ["version"],
  ["info"],
  ["node", "ls"],
  ["node", "inspect", "--pretty", "self"],
  ["swarm", "join-token", "worker"],
  ["service", "create", "-d", "--name", "web", "--replicas", "2", "--publish", "8080:80", "nginx"],
  ["service", "create", "-d", "--name", "pinger", "--mode", "global", "alpine", "ping", "docker.com"],
  ["service", "ls"],
  ["service", "ps", "web"],
  ["service", "inspect", "--pretty", "web"],
  ["service", "scale", "-d", "web=3"],
  ["service", "ps", "--no-trunc", "web"],
  ["node", "update", "--availability", "drain", "worker1"],
  ["node", "ls"],
  ["service", "ps", "-f", "desired-state=running", "pinger"],
  ["network", "ls"],
  ["ps", "-a"],
  ["images"],
  ["run", "-d", "--name", "cache", "redis"],
  ["logs", "--tail", "3", "cache"],
  ["inspect", "--format", "{{.State.Status}} {{.Config.Image}}", "cache"],
  ["stop", "cache"],
  ["rm", "cache"],
  ["volume", "create", "data"],
  ["volume", "ls"],
  ["service", "rm", "web", "nosuch"],
  // Refusals, in Docker's words.
  ["service", "create", "--name", "x"],
  ["service", "scale", "pinger=2"],
  ["node", "update", "--availability", "bogus", "worker1"],
  ["node", "demote", "manager1"],
  ["node", "rm", "manager1"],
  ["swarm", "init"],
  ["inspect", "nosuch"],
  ["bogus"],
];

describe("swarmsim's docker CLI against the real docker CLI on the same simulated API", () => {
  it("prints the same output for every command of a swarm session", async () => {
    const viaExec = Simulation.swarm({ seed: "differential", managers: 1, workers: 1 });
    const viaHttp = Simulation.swarm({ seed: "differential", managers: 1, workers: 1 });
    const server = await listen(viaHttp, "manager1", { port: 0 });
    try {
      for (const words of scenario) {
        const line = `docker ${words.map((word) => (/[\s{}']/.test(word) ? `'${word}'` : word)).join(" ")}`;
        const expected = normalize(await realDocker(server.url, words));
        const actual = normalize(viaExec.exec("manager1", line));
        expect(actual, line).toEqual(expected);
        viaExec.runFor(3_000);
        viaHttp.runFor(3_000);
      }
    } finally {
      await server.close();
    }
  }, 120_000);
});
