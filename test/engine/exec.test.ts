// Exec and attach through the typed Engine API client and swarmsim's CLI: an exec'd command is a
// new process of the container (containerd's Task.Exec, the shim, `runc exec`), its output and
// exit code come back, its answers match the swagger, failures change nothing, the container's
// end kills it, a dockerd restarted with live-restore still execs, and the same seed gives the
// same run. Attach streams what the container writes from then on.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EngineApiError, Simulation } from "swarmsim";
import { expectEngineApi, expectEngineApiResponse } from "../support/engine-api-schema.js";

function engineHost(options: { liveRestore?: boolean; seed?: string } = {}): Simulation {
  const sim = new Simulation({ seed: options.seed ?? "exec", engine: options.liveRestore === undefined ? {} : { liveRestore: options.liveRestore } });
  sim.addHost("node1");
  sim.runFor(100);
  return sim;
}

/** Runs `alpine <cmd>` detached as `name`; returns its id. */
function runAlpine(sim: Simulation, name: string, cmd: readonly string[]): string {
  const engine = sim.engine("node1");
  engine.imageCreate({ fromImage: "alpine" });
  const { Id } = engine.containerCreate({ Image: "alpine", Cmd: cmd }, { name });
  engine.containerStart(Id);
  return Id;
}

/** The status and message of a failing call. */
function failure(call: () => unknown): { statusCode: number; message: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof EngineApiError) return { statusCode: error.statusCode, message: error.message };
    throw error;
  }
  throw new Error("the call did not fail");
}

/** The exec events dockerd logged, as `Action {attributes}`. */
function execEvents(sim: Simulation): string[] {
  const answer = sim.engine("node1").request({ method: "GET", path: "/events", query: { since: "0", filters: JSON.stringify({ event: ["exec_create", "exec_start", "exec_die"] }) } });
  return (answer.body as { events: { Action: string; Actor: { Attributes: Record<string, string> } }[] }).events.map(
    (event) => `${event.Action} ${event.Actor.Attributes.execID?.slice(0, 12)}${event.Actor.Attributes.exitCode === undefined ? "" : ` exitCode=${event.Actor.Attributes.exitCode}`}`,
  );
}

describe("exec through the Engine API", () => {
  it("runs the command as a new process of the container, through containerd, the shim and runc exec", () => {
    const sim = engineHost();
    const id = runAlpine(sim, "web", ["sleep", "3600"]);
    const engine = sim.engine("node1");
    const created = engine.containerExec("web", { Cmd: ["sh", "-c", "echo out; echo err >&2; hostname; exit 3"], AttachStdout: true, AttachStderr: true });
    expectEngineApiResponse("post", "/containers/{id}/exec", 201, created);
    const before = sim.trace.length;
    const frames = engine.execStart(created.Id);
    expect(frames).toEqual([
      { stream: 1, text: "out\n" },
      { stream: 2, text: "err\n" },
      { stream: 1, text: `${id.slice(0, 12)}\n` },
    ]);
    const chain = sim.trace
      .slice(before)
      .map((event) => event.type)
      .filter((type) => /^(engine\.exec|containerd\.task\.(exec|exit)|runc\.(exec|exit))/.test(type));
    expect(chain).toEqual(["engine.exec.start", "containerd.task.exec-added", "runc.exec", "runc.exit", "containerd.task.exec-started", "containerd.task.exit", "engine.exec.die"]);
    const inspected = engine.execInspect(created.Id);
    expectEngineApiResponse("get", "/exec/{id}/json", 200, inspected);
    expect(inspected).toMatchObject({
      ID: created.Id,
      Running: false,
      ExitCode: 3,
      ProcessConfig: { tty: false, entrypoint: "sh", arguments: ["-c", "echo out; echo err >&2; hostname; exit 3"], privileged: false },
      OpenStdin: false,
      OpenStderr: true,
      OpenStdout: true,
      CanRemove: false,
      ContainerID: id,
      DetachKeys: "",
    });
    expect(inspected.Pid).toBeGreaterThan(0);
    expect(Object.keys(inspected)).toEqual(["ID", "Running", "ExitCode", "ProcessConfig", "OpenStdin", "OpenStderr", "OpenStdout", "CanRemove", "ContainerID", "DetachKeys", "Pid"]);
  });

  it("keeps a created or running exec in ExecIDs until it exits; a running one shows in ps", () => {
    const sim = engineHost();
    runAlpine(sim, "web", ["sleep", "3600"]);
    const engine = sim.engine("node1");
    expect(engine.containerInspect("web").ExecIDs).toBeNull();
    const idle = engine.containerExec("web", { Cmd: ["true"] });
    const sleeper = engine.containerExec("web", { Cmd: ["sleep", "2"], DetachKeys: "ctrl-p,ctrl-q" });
    engine.execStart(sleeper.Id, { Detach: true });
    const running = engine.execInspect(sleeper.Id);
    // ExitCode is Go's *int: null until the process exits (the swagger says integer).
    expect(running).toMatchObject({ Running: true, ExitCode: null, DetachKeys: "EBE=" });
    expectEngineApiResponse("get", "/exec/{id}/json", 200, { ...running, ExitCode: 0 });
    const inspect = engine.containerInspect("web");
    expectEngineApi("ContainerInspectResponse", inspect);
    expect(inspect.ExecIDs).toEqual([idle.Id, sleeper.Id]);
    const ps = engine.containerExec("web", { Cmd: ["ps"], AttachStdout: true });
    expect(engine.execStart(ps.Id).map((frame) => frame.text).join("")).toBe(
      ["PID   USER     TIME  COMMAND", "    1 root      0:00 sleep 3600", "    7 root      0:00 sleep 2", "   13 root      0:00 ps", ""].join("\n"),
    );
    sim.runFor(3_000);
    expect(engine.execInspect(sleeper.Id)).toMatchObject({ Running: false, ExitCode: 0 });
    expect(engine.containerInspect("web").ExecIDs).toEqual([idle.Id]);
    expect(execEvents(sim)).toEqual([
      `exec_create: true  ${idle.Id.slice(0, 12)}`,
      `exec_create: sleep 2 ${sleeper.Id.slice(0, 12)}`,
      `exec_start: sleep 2 ${sleeper.Id.slice(0, 12)}`,
      `exec_create: ps  ${ps.Id.slice(0, 12)}`,
      `exec_start: ps  ${ps.Id.slice(0, 12)}`,
      `exec_die ${ps.Id.slice(0, 12)} exitCode=0`,
      `exec_die ${sleeper.Id.slice(0, 12)} exitCode=0`,
    ]);
  });

  it("gives the exec the container's environment (PATH, HOSTNAME, its Env) with -e and -w on top, and HOME from runc", () => {
    const sim = engineHost();
    const engine = sim.engine("node1");
    engine.imageCreate({ fromImage: "alpine" });
    const { Id } = engine.containerCreate({ Image: "alpine", Cmd: ["sleep", "3600"], Env: ["MODE=prod", "LEVEL=1"] }, { name: "web" });
    engine.containerStart(Id);
    const exec = engine.containerExec("web", { Cmd: ["sh", "-c", "env; pwd"], AttachStdout: true, Env: ["LEVEL=2", "EXTRA=yes"], WorkingDir: "/tmp" });
    expect(engine.execStart(exec.Id).map((frame) => frame.text).join("")).toBe(
      [`PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, `HOSTNAME=${Id.slice(0, 12)}`, "MODE=prod", "LEVEL=2", "EXTRA=yes", "HOME=/root", "/tmp", ""].join("\n"),
    );
  });

  it("refuses in Docker's words, and a refusal changes nothing", () => {
    const sim = engineHost();
    const id = runAlpine(sim, "web", ["sleep", "3600"]);
    const engine = sim.engine("node1");
    engine.imageCreate({ fromImage: "busybox" });
    const stopped = engine.containerCreate({ Image: "busybox", Cmd: ["true"] }, { name: "stopped" }).Id;
    const done = engine.containerExec("web", { Cmd: ["true"] });
    engine.execStart(done.Id, { Detach: true });
    sim.runFor(100);
    const disk = () => sim.host("node1").disk.keys().map((key) => [key, JSON.stringify(sim.host("node1").disk.read(key))]);
    const state = () => ({ disk: disk(), web: engine.containerInspect("web"), stopped: engine.containerInspect("stopped"), exec: engine.execInspect(done.Id), events: execEvents(sim) });
    const before = state();
    expect(failure(() => engine.containerExec("web", { Cmd: [] }))).toEqual({ statusCode: 400, message: "No exec command specified" });
    expect(failure(() => engine.containerExec("nosuch", { Cmd: ["ls"] }))).toEqual({ statusCode: 404, message: "No such container: nosuch" });
    expect(failure(() => engine.containerExec("stopped", { Cmd: ["ls"] }))).toEqual({ statusCode: 409, message: `container ${stopped} is not running` });
    expect(failure(() => engine.containerExec("web", { Cmd: ["ls"], User: "nobody-here" }))).toEqual({ statusCode: 400, message: "unable to find user nobody-here: no matching entries in passwd file" });
    expect(failure(() => engine.execStart("nosuch", { Detach: true }))).toEqual({ statusCode: 404, message: "No such exec instance: nosuch" });
    expect(failure(() => engine.execInspect("nosuch"))).toEqual({ statusCode: 404, message: "No such exec instance: nosuch" });
    expect(failure(() => engine.execStart(done.Id, { Detach: true }))).toEqual({ statusCode: 409, message: `exec command ${done.Id} has already run` });
    expect(failure(() => engine.execResize(done.Id, { h: -1 as unknown as number, w: 80 }))).toEqual({ statusCode: 400, message: 'invalid resize height "-1": strconv.ParseUint: parsing "-1": invalid syntax' });
    expect(state()).toEqual(before);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
  });

  it("fails to start a program the container does not have: exit code 127, the error in the stream", () => {
    const sim = engineHost();
    runAlpine(sim, "web", ["sleep", "3600"]);
    const engine = sim.engine("node1");
    const exec = engine.containerExec("web", { Cmd: ["nosuch", "arg"], AttachStdout: true, AttachStderr: true });
    expect(engine.execStart(exec.Id)).toEqual([{ stream: 1, text: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown\r\n' }]);
    expect(engine.execInspect(exec.Id)).toMatchObject({ Running: false, ExitCode: 127, Pid: 0 });
    expect(engine.containerInspect("web").ExecIDs).toBeNull();
    const detached = engine.containerExec("web", { Cmd: ["/opt/nosuch"] });
    expect(failure(() => engine.execStart(detached.Id, { Detach: true }))).toEqual({
      statusCode: 400,
      message: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "/opt/nosuch": stat /opt/nosuch: no such file or directory: unknown',
    });
  });

  it("kills the exec'd processes when the container's own process exits", () => {
    const sim = engineHost();
    runAlpine(sim, "short", ["sh", "-c", "sleep 2; exit 4"]);
    const engine = sim.engine("node1");
    const exec = engine.containerExec("short", { Cmd: ["sleep", "3600"], AttachStdout: true });
    const frames = engine.execStart(exec.Id);
    expect(frames).toEqual([]);
    expect(engine.execInspect(exec.Id)).toMatchObject({ Running: false, ExitCode: 137 });
    sim.runFor(100);
    expect(engine.containerInspect("short").State).toMatchObject({ Status: "exited", ExitCode: 4 });
    expect(engine.containerInspect("short").ExecIDs).toBeNull();
    expect(sim.host("node1").processes().some((process) => process.name.startsWith("exec:"))).toBe(false);
  });

  it("execs into a container that a dockerd restarted with live-restore reattached", () => {
    const sim = engineHost({ liveRestore: true });
    runAlpine(sim, "web", ["sleep", "3600"]);
    const before = sim.engine("node1").containerExec("web", { Cmd: ["sleep", "3600"] });
    sim.engine("node1").execStart(before.Id, { Detach: true });
    sim.faults.kill("node1", "dockerd");
    sim.runFor(1_000);
    sim.faults.restart("node1", "dockerd");
    sim.runFor(2_000);
    const engine = sim.engine("node1");
    expect(engine.containerInspect("web").State.Running).toBe(true);
    // Exec instances live in dockerd's memory, as moby's: the old one is gone, new ones work.
    expect(failure(() => engine.execInspect(before.Id)).statusCode).toBe(404);
    const exec = engine.containerExec("web", { Cmd: ["ps"], AttachStdout: true });
    expect(engine.execStart(exec.Id).map((frame) => frame.text)).toEqual(["PID   USER     TIME  COMMAND\n", "    1 root      0:00 sleep 3600\n", "    7 root      0:00 sleep 3600\n", "   13 root      0:00 ps\n"]);
    expect(engine.execInspect(exec.Id).ExitCode).toBe(0);
  });

  it("gives the same run, byte for byte, from the same seed", () => {
    const once = (): { outputs: string[]; hash: string } => {
      const sim = engineHost({ seed: "exec-determinism" });
      sim.exec("node1", "docker run -d --name web alpine sleep 3600");
      const outputs = ["docker exec web sh -c 'hostname; ps'", "docker exec -d web sleep 5", "docker exec web nosuch", "docker run alpine sh -c 'echo a; sleep 1; echo b >&2; exit 2'"].map((line) =>
        JSON.stringify(sim.exec("node1", line)),
      );
      sim.runFor(10_000);
      return { outputs, hash: sim.traceHash() };
    };
    expect(once()).toEqual(once());
  });
});

describe("attach through the Engine API", () => {
  it("streams what the container writes from now on, until its process ends", () => {
    const sim = engineHost();
    runAlpine(sim, "talker", ["sh", "-c", "echo early; sleep 2; echo late; echo oops >&2; exit 6"]);
    sim.runFor(500);
    const engine = sim.engine("node1");
    const stream = engine.containerAttachStream("talker", { stream: true, stdout: true, stderr: true });
    expect(stream.head.statusCode).toBe(101);
    expect(stream.head.headers["Content-Type"]).toBe("application/vnd.docker.multiplexed-stream");
    while (!stream.ended) stream.next();
    expect(stream.read()).toEqual([
      { stream: 1, text: "late\n" },
      { stream: 2, text: "oops\n" },
    ]);
    sim.runFor(100);
    expect(engine.containerInspect("talker").State.ExitCode).toBe(6);
  });

  it("replays the log with logs=1 and answers a whole-answer client with the frames", () => {
    const sim = engineHost();
    runAlpine(sim, "talker", ["sh", "-c", "echo early; sleep 1; echo late"]);
    sim.runFor(200);
    expect(sim.engine("node1").containerAttach("talker", { logs: true, stream: true, stdout: true, stderr: true })).toEqual([
      { stream: 1, text: "early\n" },
      { stream: 1, text: "late\n" },
    ]);
    expect(failure(() => sim.engine("node1").containerAttach("nosuch", { stream: true }))).toEqual({ statusCode: 404, message: "No such container: nosuch" });
  });
});

describe("exec, attach and foreground run in swarmsim's CLI", () => {
  it("prints the exec's output and exits with its code", () => {
    const sim = engineHost();
    sim.exec("node1", "docker run -d --name web alpine sleep 3600");
    expect(sim.exec("node1", "docker exec web echo hi")).toEqual({ exitCode: 0, stdout: "hi\n", stderr: "" });
    expect(sim.exec("node1", "docker exec web sh -c 'echo out; echo err >&2; exit 5'")).toEqual({ exitCode: 5, stdout: "out\n", stderr: "err\n" });
    expect(sim.exec("node1", "docker exec -e FOO=bar -w /tmp web sh -c 'echo $FOO; pwd'")).toEqual({ exitCode: 0, stdout: "bar\n/tmp\n", stderr: "" });
    expect(sim.exec("node1", "docker exec -t web echo tty")).toEqual({ exitCode: 0, stdout: "tty\r\n", stderr: "" });
    expect(sim.exec("node1", "docker exec -d web sleep 1")).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    expect(sim.exec("node1", "docker exec web nosuch")).toEqual({
      exitCode: 127,
      stdout: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown\r\n',
      stderr: "",
    });
    expect(sim.exec("node1", "docker exec nosuch ls")).toEqual({ exitCode: 1, stdout: "", stderr: "Error response from daemon: No such container: nosuch\n" });
    expect(sim.exec("node1", "docker exec -it web sh")).toEqual({ exitCode: 1, stdout: "", stderr: "the input device is not a TTY\n" });
    expect(sim.exec("node1", "docker exec web").stderr).toBe(
      "docker: 'docker exec' requires at least 2 arguments\n\nUsage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nSee 'docker exec --help' for more information\n",
    );
    const id = sim.exec("node1", "docker inspect --format '{{.Id}}' web").stdout.trim();
    sim.exec("node1", "docker stop -t 0 web");
    expect(sim.exec("node1", "docker exec web ls")).toEqual({ exitCode: 1, stdout: "", stderr: `Error response from daemon: container ${id} is not running\n` });
  });

  it("runs in the foreground: output as it comes, the container's exit code, --rm removing it", () => {
    const sim = engineHost();
    expect(sim.exec("node1", "docker run --name fg alpine sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'")).toMatchObject({ exitCode: 3, stdout: "to-stdout\n" });
    expect(sim.exec("node1", "docker run --name fg2 alpine sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'")).toEqual({ exitCode: 3, stdout: "to-stdout\n", stderr: "to-stderr\n" });
    expect(sim.exec("node1", "docker run --rm alpine sh -c 'sleep 1; echo bye'")).toEqual({ exitCode: 0, stdout: "bye\n", stderr: "" });
    expect(sim.exec("node1", "docker ps -aq").stdout.trim().split("\n")).toHaveLength(2);
    expect(sim.exec("node1", "docker run -t alpine echo tty")).toEqual({ exitCode: 0, stdout: "tty\r\n", stderr: "" });
    expect(sim.exec("node1", "docker run --rm alpine nosuch")).toMatchObject({ exitCode: 127 });
    expect(sim.exec("node1", "docker ps -aq").stdout.trim().split("\n")).toHaveLength(3);
  });

  it("stops following a container that never ends when the time budget runs out", () => {
    const sim = engineHost();
    const result = sim.exec("node1", "docker run --name forever alpine sh -c 'while true; do echo tick; sleep 1; done'", { timeoutMs: 3_500 });
    expect(result.exitCode).toBe(130);
    expect(result.stdout).toBe("tick\ntick\ntick\ntick\n");
    expect(sim.exec("node1", "docker inspect --format '{{.State.Status}}' forever").stdout).toBe("running\n");
  });

  it("attaches to a running container and exits with its code; refuses a stopped one", () => {
    const sim = engineHost();
    sim.exec("node1", "docker run -d --name late alpine sh -c 'sleep 1; echo late; echo late-err >&2; exit 6'");
    expect(sim.exec("node1", "docker attach late")).toEqual({ exitCode: 6, stdout: "late\n", stderr: "late-err\n" });
    expect(sim.exec("node1", "docker attach late")).toEqual({ exitCode: 1, stdout: "", stderr: "You cannot attach to a stopped container, start it first\n" });
    expect(sim.exec("node1", "docker attach nosuch")).toEqual({ exitCode: 1, stdout: "", stderr: "Error response from daemon: No such container: nosuch\n" });
  });
});

describe("against a real engine's recording (test/fixtures/docker/engine/exec.json, dockerd 20.10 at API 1.41)", () => {
  const steps = (JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/docker/engine/exec.json", import.meta.url)), "utf8")) as { steps: { command?: string; request?: string; exitCode?: number; stdout?: string; stderr?: string; statusCode?: number; body?: unknown }[] }).steps;
  const cli = (command: string) => {
    const step = steps.find((candidate) => candidate.command === command);
    if (step === undefined) throw new Error(`no step ${command}`);
    return { exitCode: step.exitCode!, stdout: step.stdout!, stderr: step.stderr! };
  };

  it("prints the same for the commands where Docker 20.10 and 28.2.2 agree", () => {
    const sim = engineHost();
    sim.exec("node1", "docker run -d --name web alpine sleep 3600");
    const hostname = sim.exec("node1", "docker exec web hostname").stdout.trim();
    for (const command of ["docker exec web echo hi", "docker exec web sh -c 'echo out; echo err >&2; exit 5'", "docker exec -e FOO=bar -w /tmp web sh -c 'echo $FOO; pwd'", "docker exec nosuch ls", "docker exec web", "docker exec -d web sleep 1"]) {
      expect(sim.exec("node1", command), command).toEqual(cli(command));
    }
    const recordedEnv = cli("docker exec web env");
    expect(sim.exec("node1", "docker exec web env")).toEqual({ ...recordedEnv, stdout: recordedEnv.stdout.replace(/HOSTNAME=\w+/, `HOSTNAME=${hostname}`) });
    // The error is written into the stream, on stdout; 20.10 exits 126 where 28.x's setExitCodeFromError keeps 127.
    expect(sim.exec("node1", "docker exec web nosuch")).toEqual({ ...cli("docker exec web nosuch"), exitCode: 127 });
    sim.exec("node1", "docker run -d --name late alpine sh -c 'sleep 1; echo late; echo late-err >&2; exit 6'");
    expect(sim.exec("node1", "docker attach late")).toEqual(cli("docker attach late"));
    sim.exec("node1", "docker run --name stopped alpine true");
    expect(sim.exec("node1", "docker attach stopped")).toEqual(cli("docker attach stopped"));
  });

  it("inspects an exec instance with the same fields, in the same order", () => {
    const recorded = steps.filter((step) => step.request?.startsWith("GET /v1.41/exec/") && step.statusCode === 200).map((step) => step.body as Record<string, unknown>);
    const sim = engineHost();
    runAlpine(sim, "web", ["sleep", "3600"]);
    const engine = sim.engine("node1");
    const exec = engine.containerExec("web", { Cmd: ["sh", "-c", "exit 2"], AttachStdout: true, AttachStderr: true });
    const created = engine.execInspect(exec.Id);
    engine.execStart(exec.Id, { Detach: true });
    sim.runFor(500);
    const exited = engine.execInspect(exec.Id);
    const comparable = (body: Record<string, unknown>) => ({ ...body, ID: "<id>", ContainerID: "<id>", Pid: (body.Pid as number) > 0 ? "<pid>" : 0 });
    expect([created, exited].map(comparable)).toEqual(recorded.map(comparable));
    expect(Object.keys(created)).toEqual(Object.keys(recorded[0]!));
  });
});
