// The Engine API over real HTTP: the real `docker` CLI (28.2.2, installed on these machines)
// against simulated hosts, raw requests for the wire formats (ping headers, pull progress,
// multiplexed logs) and bad input (malformed JSON, a body too large, unknown routes, a client
// too new); live mode with a fault and a replay of its session log.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { listen, type EngineServer } from "../../src/node/http-server.js";
import { replaySession, startLiveSwarm } from "../../src/node/live.js";
import { realDocker, type DockerOutput } from "./real-docker.js";

/** Runs the real docker CLI against `server`. */
function docker(server: EngineServer, ...argumentsList: string[]): Promise<DockerOutput> {
  return realDocker(server.url, argumentsList);
}

describe("the Engine API over HTTP, with the real docker CLI", () => {
  let sim: Simulation;
  let server: EngineServer;

  beforeAll(async () => {
    sim = new Simulation({ seed: "http" });
    sim.addHost("host1");
    server = await listen(sim, "host1", { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers docker version and info as Docker 28.2.2", async () => {
    const version = await docker(server, "version", "--format", "{{.Server.Version}} {{.Server.APIVersion}} {{.Client.APIVersion}}");
    expect(version).toEqual({ stdout: "28.2.2 1.50 1.50\n", stderr: "", exitCode: 0 });
    const info = await docker(server, "info", "--format", "{{.Name}} {{.Swarm.LocalNodeState}} {{.ServerVersion}}");
    expect(info.stdout).toBe("host1 inactive 28.2.2\n");
  });

  it("runs a container: pull, create, start, ps, logs, stop, rm", async () => {
    const started = await docker(server, "run", "-d", "--name", "web", "nginx");
    expect(started.exitCode).toBe(0);
    expect(started.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(started.stderr).toContain("Status: Downloaded newer image for nginx:latest");
    expect((await docker(server, "ps", "--format", "{{.Names}} {{.Image}} {{.Status}}")).stdout).toMatch(/^web nginx Up /);
    sim.runFor(1_000);
    const logs = await docker(server, "logs", "web");
    expect(logs.stdout + logs.stderr).toContain("/docker-entrypoint.sh: Configuration complete; ready for start up");
    expect(logs.stdout + logs.stderr).toContain("[notice] 1#1: start worker processes");
    expect((await docker(server, "stop", "web")).stdout).toBe("web\n");
    expect((await docker(server, "rm", "web")).stdout).toBe("web\n");
    const missing = await docker(server, "inspect", "web");
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe("Error: No such object: web\n");
  });

  it("forms a swarm and creates a service through the real CLI", async () => {
    const init = await docker(server, "swarm", "init");
    expect(init.stderr).toBe("");
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toMatch(/^Swarm initialized: current node \([0-9a-z]{25}\) is now a manager\./);
    expect((await docker(server, "service", "create", "-d", "--name", "hello", "--replicas", "2", "alpine", "ping", "docker.com")).exitCode).toBe(0);
    sim.runFor(30_000);
    const services = await docker(server, "service", "ls", "--format", "{{.Name}} {{.Replicas}} {{.Image}}");
    expect(services.stdout).toBe("hello 2/2 alpine:latest\n");
  });

  it("writes Docker's wire formats: ping headers, pull progress as JSON lines, multiplexed logs", async () => {
    const base = server.url.replace("tcp://", "http://");
    const ping = await fetch(`${base}/_ping`);
    expect(await ping.text()).toBe("OK");
    expect(ping.headers.get("api-version")).toBe("1.50");
    expect(ping.headers.get("swarm")).toBe("active/manager");
    const pull = await fetch(`${base}/v1.50/images/create?fromImage=redis&tag=latest`, { method: "POST" });
    const lines = (await pull.text()).trim().split("\r\n").map((line) => JSON.parse(line) as { status: string });
    expect(lines.at(-1)!.status).toBe("Status: Downloaded newer image for redis:latest");
    const created = (await (await fetch(`${base}/v1.50/containers/create?name=talker`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ Image: "redis" }) })).json()) as { Id: string };
    await fetch(`${base}/v1.50/containers/${created.Id}/start`, { method: "POST" });
    sim.runFor(1_000);
    const logs = await fetch(`${base}/v1.50/containers/talker/logs?stdout=1&stderr=1`);
    expect(logs.headers.get("content-type")).toBe("application/vnd.docker.multiplexed-stream");
    const bytes = Buffer.from(await logs.arrayBuffer());
    expect([1, 2]).toContain(bytes[0]);
    expect(bytes.readUInt32BE(4)).toBeGreaterThan(0);
  });

  it("serves docker events: a container's life in moby's order, filtered by container", async () => {
    const base = server.url.replace("tcp://", "http://");
    const sinceSeconds = ((sim.startTimeMs + sim.now) / 1000).toFixed(9);
    expect((await docker(server, "run", "-d", "--name", "eventful", "nginx")).exitCode).toBe(0);
    sim.runFor(1_000);
    expect((await docker(server, "stop", "eventful")).exitCode).toBe(0);
    expect((await docker(server, "rm", "eventful")).exitCode).toBe(0);
    const untilSeconds = ((sim.startTimeMs + sim.now) / 1000).toFixed(9);
    const filters = encodeURIComponent(JSON.stringify({ container: ["eventful"] }));
    const response = await fetch(`${base}/v1.50/events?since=${sinceSeconds}&until=${untilSeconds}&filters=${filters}`);
    const messages = (await response.text()).trim().split("\n").map((line) => JSON.parse(line) as { Action: string; Actor: { Attributes: Record<string, string> } });
    expect(messages.map((message) => message.Action)).toEqual(["create", "start", "kill", "die", "stop", "destroy"]);
    expect(messages[2]!.Actor.Attributes).toMatchObject({ name: "eventful", image: "nginx", signal: "3" }); // nginx stops on SIGQUIT (its STOPSIGNAL)
    expect(messages[3]!.Actor.Attributes.exitCode).toBe("0");
    const printed = await docker(server, "events", "--since", sinceSeconds, "--until", untilSeconds, "--filter", "container=eventful", "--format", "{{.Type}} {{.Action}}");
    expect(printed.stdout).toBe("container create\ncontainer start\ncontainer kill\ncontainer die\ncontainer stop\ncontainer destroy\n");
  });

  it("answers bad requests with Docker's errors and changes nothing", async () => {
    const base = server.url.replace("tcp://", "http://");
    const before = (await docker(server, "ps", "-aq")).stdout;
    const malformed = await fetch(`${base}/v1.50/containers/create`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ message: "invalid JSON: unexpected end of JSON input" });
    const garbage = await fetch(`${base}/v1.50/containers/create`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "x" });
    expect(await garbage.json()).toEqual({ message: "invalid JSON: invalid character 'x' looking for beginning of value" });
    const tooLarge = await fetch(`${base}/v1.50/containers/create`, { method: "POST", headers: { "Content-Type": "application/json" }, body: `"${"a".repeat(17 * 1024 * 1024)}"` });
    expect(tooLarge.status).toBe(413);
    const unknown = await fetch(`${base}/v1.50/nowhere`);
    expect([unknown.status, await unknown.json()]).toEqual([404, { message: "page not found" }]);
    const tooNew = await fetch(`${base}/v9.99/info`);
    expect([tooNew.status, await tooNew.json()]).toEqual([400, { message: "client version 9.99 is too new. Maximum supported API version is 1.50" }]);
    expect((await docker(server, "ps", "-aq")).stdout).toBe(before);
  });
});

describe("live mode", () => {
  let directory = "";
  afterAll(async () => {
    if (directory !== "") await rm(directory, { recursive: true, force: true });
  });

  it("runs a swarm on the wall clock, takes a fault from the admin port, and replays from its log", async () => {
    directory = await mkdtemp(join(tmpdir(), "swarmsim-live-test-"));
    const logPath = join(directory, "session.ndjson");
    const live = await startLiveSwarm({ seed: "live-test", managers: 1, workers: 1, speed: 200, logPath });
    try {
      const manager = live.servers[0]!;
      expect(manager.host).toBe("manager1");
      expect((await docker(manager, "service", "create", "-d", "--name", "web", "--replicas", "2", "nginx")).exitCode).toBe(0);
      const fault = await fetch(`${live.adminUrl}/faults`, { method: "POST", body: JSON.stringify({ kind: "crash", host: "worker1" }) });
      expect(fault.status).toBe(200);
      const refused = await fetch(`${live.adminUrl}/faults`, { method: "POST", body: JSON.stringify({ kind: "crash", host: "nowhere" }) });
      expect([refused.status, await refused.json()]).toEqual([400, { message: "no such host: nowhere" }]);
      // At 200x, 30 virtual seconds (worker1 found down, its task replaced) pass in 150 ms of wall time.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const nodes = await docker(manager, "node", "ls", "--format", "{{.Hostname}} {{.Status}}");
      expect(nodes.stdout).toBe("manager1 Ready\nworker1 Down\n");
    } finally {
      await live.stop();
    }
    const log = await readFile(logPath, "utf8");
    const first = replaySession(log);
    expect(first.requests).toBeGreaterThan(3);
    expect(first.faults).toBe(1);
    expect(first.mismatches).toEqual([]);
    expect(replaySession(log).sim.traceHash()).toBe(first.sim.traceHash());
  });

  it("follows a container's logs as the live clock runs (docker logs -f)", async () => {
    const live = await startLiveSwarm({ seed: "follow-test", managers: 1, workers: 0, speed: 100 });
    try {
      const manager = live.servers[0]!;
      expect((await docker(manager, "run", "-d", "--name", "pinger", "alpine", "ping", "docker.com")).exitCode).toBe(0);
      const base = manager.url.replace("tcp://", "http://");
      const controller = new AbortController();
      const response = await fetch(`${base}/v1.50/containers/pinger/logs?stdout=1&stderr=1&follow=1&tail=1`, { signal: controller.signal });
      expect(response.headers.get("content-type")).toBe("application/vnd.docker.multiplexed-stream");
      const reader = response.body!.getReader();
      let received = Buffer.alloc(0);
      const deadline = performance.now() + 1_000;
      // ping prints a line a second; at 100x, a second of wall time brings about a hundred.
      while (performance.now() < deadline && received.length < 2_000) {
        const { value, done } = await reader.read();
        if (done) break;
        received = Buffer.concat([received, Buffer.from(value)]);
      }
      controller.abort();
      let lines = 0;
      for (let offset = 0; offset + 8 <= received.length; offset += 8 + received.readUInt32BE(offset + 4)) lines++;
      expect(lines).toBeGreaterThan(10);
      expect(received.toString("latin1")).toMatch(/64 bytes from [0-9.]+: seq=\d+ ttl=\d+ time=/);
    } finally {
      await live.stop();
    }
  });
});
