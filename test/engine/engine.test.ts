// The Docker Engine layering end to end through the typed Engine API client: one `run`
// goes dockerd -> containerd -> shim -> runC -> container; faults at each layer keep or
// lose what real Docker keeps or loses; API JSON validates against the real swagger.
import { describe, expect, it } from "vitest";
import { EngineApiError, Simulation } from "swarmsim";
import { expectEngineApi, expectEngineApiResponse } from "../support/engine-api-schema.js";

function engineHost(options: { liveRestore?: boolean } = {}): Simulation {
  const sim = new Simulation({ seed: "engine", engine: options });
  sim.addHost("node1", { cpus: 4, memoryBytes: 8 * 2 ** 30 });
  sim.runFor(100);
  return sim;
}

function runDetached(sim: Simulation, image: string, name: string, extra: Record<string, unknown> = {}): string {
  const engine = sim.engine("node1");
  engine.imageCreate({ fromImage: image });
  const { Id } = engine.containerCreate({ Image: image, ...extra }, { name });
  engine.containerStart(Id);
  return Id;
}

describe("engine layering", () => {
  it("runs one container through containerd, a shim and runC, in order, with the shim as its parent", () => {
    const sim = engineHost();
    const id = runDetached(sim, "nginx", "web");
    const chain = sim.trace
      .map((event) => event.type)
      .filter((type) => /^(engine\.container\.(create|start)|containerd\.(container\.create|task\.(create|start))|shim\.start|runc\.(create|start|exit))$/.test(type));
    expect(chain).toEqual([
      "engine.container.create",
      "containerd.container.create",
      "containerd.task.create",
      "shim.start",
      "runc.create",
      "runc.exit",
      "runc.start",
      "runc.exit",
      "containerd.task.start",
      "engine.container.start",
    ]);
    const processes = sim.host("node1").processes();
    const short = id.slice(0, 12);
    expect(processes.find((process) => process.name === `container:${short}`)?.parent).toBe(`shim:${short}`);
    const inspect = sim.engine("node1").containerInspect("web");
    expect(inspect.State.Running).toBe(true);
    expect(inspect.State.Pid).toBe(processes.find((process) => process.name === `container:${short}`)?.pid);
  });

  it("answers with JSON that validates against the Engine API definitions", () => {
    const sim = engineHost();
    runDetached(sim, "nginx", "web", { HostConfig: { PortBindings: { "80/tcp": [{ HostPort: "8080" }] }, RestartPolicy: { Name: "always" } } });
    const engine = sim.engine("node1");
    expectEngineApi("SystemVersion", engine.systemVersion());
    expectEngineApi("SystemInfo", engine.systemInfo());
    expectEngineApi("ContainerInspectResponse", engine.containerInspect("web"));
    expectEngineApiResponse("GET", "/containers/json", 200, engine.containerList({ all: true }));
    expectEngineApiResponse("GET", "/images/json", 200, engine.imageList());
    expectEngineApi("ImageInspect", engine.imageInspect("nginx"));
    expectEngineApiResponse("GET", "/networks", 200, engine.networkList());
    expectEngineApiResponse("GET", "/networks/{id}", 200, engine.networkInspect("bridge"));
    expectEngineApi("Volume", engine.volumeCreate({ Name: "data" }));
    expectEngineApiResponse("GET", "/volumes", 200, engine.volumeList());
  });

  it("uses Docker's errors and changes nothing on bad requests", () => {
    const sim = engineHost();
    runDetached(sim, "nginx", "web");
    const engine = sim.engine("node1");
    const fail = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        expect(error).toBeInstanceOf(EngineApiError);
        return [(error as EngineApiError).statusCode, (error as EngineApiError).message];
      }
      throw new Error("expected an EngineApiError");
    };
    const before = engine.containerList({ all: true });
    expect(fail(() => engine.containerInspect("nosuch"))).toEqual([404, "No such container: nosuch"]);
    expect(fail(() => engine.containerCreate({ Image: "nginx" }, { name: "web" }))[1]).toMatch(/^Conflict\. The container name "\/web" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.$/);
    expect(fail(() => engine.containerCreate({ Image: "doesnotexist/nope:1" }))).toEqual([404, "No such image: doesnotexist/nope:1"]);
    expect(fail(() => engine.containerDelete("web"))[1]).toMatch(/^You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove$/);
    expect(fail(() => engine.imageCreate({ fromImage: "doesnotexist/nope", tag: "1" }))[0]).toBe(404);
    expect(fail(() => engine.networkDelete("bridge"))).toEqual([403, "bridge is a pre-defined network and cannot be removed"]);
    expect(fail(() => engine.volumeInspect("nosuch"))).toEqual([404, "get nosuch: no such volume"]);
    expect(engine.containerList({ all: true })).toEqual(before);
  });

  it("stops a program that handles SIGTERM at once, and waits the grace period for one that ignores it", () => {
    const sim = engineHost();
    runDetached(sim, "nginx", "web");
    runDetached(sim, "alpine", "sleeper", { Cmd: ["sleep", "3600"] });
    const engine = sim.engine("node1");
    let start = sim.now;
    engine.containerStop("web");
    expect(sim.now - start).toBeLessThan(1_000);
    expect(engine.containerInspect("web").State.ExitCode).toBe(0);
    start = sim.now;
    engine.containerStop("sleeper");
    expect(sim.now - start).toBeGreaterThanOrEqual(10_000);
    expect(sim.now - start).toBeLessThan(11_000);
    expect(engine.containerInspect("sleeper").State.ExitCode).toBe(137);
    runDetached(sim, "alpine", "sleeper2", { Cmd: ["sleep", "3600"] });
    start = sim.now;
    engine.containerStop("sleeper2", { t: 2 });
    expect(sim.now - start).toBeGreaterThanOrEqual(2_000);
    expect(sim.now - start).toBeLessThan(3_000);
  });

  it("keeps containers running when dockerd is killed; without live-restore dockerd stops them when it returns", () => {
    const sim = engineHost({ liveRestore: false });
    const id = runDetached(sim, "nginx", "web");
    sim.faults.kill("node1", "dockerd");
    sim.runFor(5_000);
    expect(sim.host("node1").isRunning(`container:${id.slice(0, 12)}`)).toBe(true);
    sim.faults.restart("node1", "dockerd");
    sim.runFor(15_000);
    expect(sim.host("node1").isRunning(`container:${id.slice(0, 12)}`)).toBe(false);
    expect(sim.engine("node1").containerInspect("web").State.Running).toBe(false);
  });

  it("reattaches running containers after a dockerd restart with live-restore", () => {
    const sim = engineHost({ liveRestore: true });
    const id = runDetached(sim, "nginx", "web");
    sim.faults.kill("node1", "dockerd");
    sim.runFor(5_000);
    sim.faults.restart("node1", "dockerd");
    sim.runFor(5_000);
    expect(sim.host("node1").isRunning(`container:${id.slice(0, 12)}`)).toBe(true);
    const engine = sim.engine("node1");
    expect(engine.containerInspect("web").State.Running).toBe(true);
    engine.containerStop("web");
    expect(engine.containerInspect("web").State.Running).toBe(false);
  });

  it("keeps containers running when containerd is killed, and sees their exits after it restarts", () => {
    const sim = engineHost();
    const id = runDetached(sim, "alpine", "short", { Cmd: ["sh", "-c", "sleep 10; exit 3"] });
    sim.faults.kill("node1", "containerd");
    sim.runFor(2_000);
    expect(sim.host("node1").isRunning(`container:${id.slice(0, 12)}`)).toBe(true);
    sim.runFor(10_000);
    sim.faults.restart("node1", "containerd");
    sim.runFor(5_000);
    const state = sim.engine("node1").containerInspect("short").State;
    expect(state.Running).toBe(false);
    expect(state.ExitCode).toBe(3);
  });

  it("reports a killed shim or container up the chain, and the restart policy acts on it", () => {
    const sim = engineHost();
    runDetached(sim, "nginx", "web", { HostConfig: { RestartPolicy: { Name: "always" } } });
    runDetached(sim, "nginx", "once");
    sim.faults.kill("node1", "shim:once");
    sim.faults.kill("node1", "container:web");
    sim.runFor(5_000);
    const engine = sim.engine("node1");
    const once = engine.containerInspect("once");
    expect(once.State.Running).toBe(false);
    expect(once.State.ExitCode).toBe(137);
    const web = engine.containerInspect("web");
    expect(web.State.Running).toBe(true);
    expect(web.RestartCount).toBe(1);
  });

  it("after a host crash, dockerd starts the containers whose restart policy says so", () => {
    const sim = engineHost();
    runDetached(sim, "nginx", "always", { HostConfig: { RestartPolicy: { Name: "always" } } });
    runDetached(sim, "nginx", "never");
    sim.faults.crash("node1");
    sim.runFor(1_000);
    sim.faults.restart("node1");
    sim.runFor(10_000);
    const engine = sim.engine("node1");
    expect(engine.containerInspect("always").State.Running).toBe(true);
    const never = engine.containerInspect("never").State;
    expect(never.Running).toBe(false);
    expect(never.ExitCode).toBe(255);
  });

  it("OOM-kills a container over its memory limit with exit code 137", () => {
    const sim = engineHost();
    runDetached(sim, "progrium/stress", "hog", { Cmd: ["--vm", "1", "--vm-bytes", "256M"], HostConfig: { Memory: 64 * 1024 * 1024 } });
    sim.runFor(5_000);
    const state = sim.engine("node1").containerInspect("hog").State;
    expect(state.ExitCode).toBe(137);
    expect(state.OOMKilled).toBe(true);
  });

  it("serves logs produced on the simulated clock", () => {
    const sim = engineHost();
    runDetached(sim, "alpine", "pinger", { Cmd: ["ping", "docker.com"] });
    sim.runFor(3_500);
    const frames = sim.engine("node1").containerLogs("pinger", { stdout: true, stderr: true });
    expect(frames[0]?.text).toMatch(/^PING docker\.com \(/);
    expect(frames.length).toBeGreaterThanOrEqual(4);
  });
});
