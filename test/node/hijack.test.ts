// The hijacked endpoints over real HTTP: the real docker 28.2.2 CLI runs `docker exec`, a
// foreground `docker run` and `docker attach` against a simulated host (the server answers
// `101 UPGRADED` and writes Docker's multiplexed stream, raw for a TTY, and moves the simulated
// clock while the stream is open); twin simulations give the same bytes through swarmsim's own
// CLI; raw sockets check the wire format; dockerode execs through its hijacked stream.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { listen, type EngineServer } from "../../src/node/http-server.js";
import { replaySession, startLiveSwarm } from "../../src/node/live.js";
import { realDocker, type DockerOutput } from "./real-docker.js";

/** Sends `request` on a raw TCP connection and collects every byte until the server closes it (or `untilMs`). */
function rawExchange(port: number, request: string, untilMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), untilMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.on("error", reject);
  });
}

/** Splits a raw HTTP answer into its head (status line and headers) and its body bytes. */
function splitHead(bytes: Buffer): { statusLine: string; headers: string[]; body: Buffer } {
  const end = bytes.indexOf("\r\n\r\n");
  const [statusLine = "", ...headers] = bytes.subarray(0, end).toString("latin1").split("\r\n");
  return { statusLine, headers, body: bytes.subarray(end + 4) };
}

/** Decodes Docker's multiplexed stream: [stream, 0, 0, 0, size (big-endian uint32)] then the payload. */
function demultiplex(body: Buffer): { stream: number; text: string }[] {
  const frames: { stream: number; text: string }[] = [];
  for (let offset = 0; offset + 8 <= body.length; ) {
    const size = body.readUInt32BE(offset + 4);
    expect([body[offset + 1], body[offset + 2], body[offset + 3]]).toEqual([0, 0, 0]);
    frames.push({ stream: body[offset]!, text: body.subarray(offset + 8, offset + 8 + size).toString("utf8") });
    offset += 8 + size;
  }
  return frames;
}

describe("the hijacked endpoints with the real docker CLI", () => {
  let sim: Simulation;
  let server: EngineServer;
  const docker = (...words: string[]): Promise<DockerOutput> => realDocker(server.url, words);

  beforeAll(async () => {
    sim = new Simulation({ seed: "hijack" });
    sim.addHost("host1");
    server = await listen(sim, "host1", { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("runs a container in the foreground: its output as it comes, its exit code, --rm", async () => {
    const hello = await docker("run", "busybox", "echo", "hello");
    expect(hello.stdout).toBe("hello\n");
    expect(hello.exitCode).toBe(0);
    expect(await docker("run", "alpine", "sh", "-c", "echo to-stdout; sleep 1; echo to-stderr >&2; exit 3")).toMatchObject({ stdout: "to-stdout\n", exitCode: 3 });
    expect((await docker("run", "alpine", "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3")).stderr.endsWith("to-stderr\n")).toBe(true);
    expect(await docker("run", "--rm", "--name", "gone", "alpine", "echo", "bye")).toEqual({ stdout: "bye\n", stderr: "", exitCode: 0 });
    expect((await docker("inspect", "gone")).stderr).toBe("Error: No such object: gone\n");
    expect(await docker("run", "-t", "alpine", "echo", "tty")).toEqual({ stdout: "tty\r\n", stderr: "", exitCode: 0 });
    const missing = await docker("run", "--rm", "alpine", "nosuch");
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toBe(
      'docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "nosuch": executable file not found in $PATH: unknown\n\nRun \'docker run --help\' for more information\n',
    );
  }, 60_000);

  it("execs into a running container: output, exit code, -t, -d, -e, -w, a missing program", async () => {
    expect((await docker("run", "-d", "--name", "box", "alpine", "sleep", "3600")).exitCode).toBe(0);
    expect(await docker("exec", "box", "echo", "hi")).toEqual({ stdout: "hi\n", stderr: "", exitCode: 0 });
    expect(await docker("exec", "box", "sh", "-c", "echo out; echo err >&2; exit 5")).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 5 });
    expect(await docker("exec", "-e", "FOO=bar", "-w", "/tmp", "box", "sh", "-c", "echo $FOO; pwd")).toEqual({ stdout: "bar\n/tmp\n", stderr: "", exitCode: 0 });
    expect(await docker("exec", "-t", "box", "echo", "tty")).toEqual({ stdout: "tty\r\n", stderr: "", exitCode: 0 });
    expect(await docker("exec", "box", "nosuch")).toEqual({
      stdout: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown\r\n',
      stderr: "",
      exitCode: 127,
    });
    expect(await docker("exec", "-d", "box", "sleep", "2")).toEqual({ stdout: "", stderr: "", exitCode: 0 });
    const ids = JSON.parse((await docker("inspect", "--format", "{{json .ExecIDs}}", "box")).stdout) as string[];
    expect(ids).toHaveLength(1);
    const inspected = JSON.parse((await docker("inspect", ids[0]!)).stdout) as unknown;
    expect(inspected).toEqual([]); // `docker inspect` does not look up exec instances
    expect(await docker("exec", "nosuch", "ls")).toEqual({ stdout: "", stderr: "Error response from daemon: No such container: nosuch\n", exitCode: 1 });
  }, 60_000);

  it("attaches to a running container until it exits, with its exit code", async () => {
    expect((await docker("run", "-d", "--name", "late", "alpine", "sh", "-c", "sleep 1; echo late; echo late-err >&2; exit 6")).exitCode).toBe(0);
    expect(await docker("attach", "late")).toEqual({ stdout: "late\n", stderr: "late-err\n", exitCode: 6 });
    expect(await docker("attach", "late")).toEqual({ stdout: "", stderr: "You cannot attach to a stopped container, start it first\n", exitCode: 1 });
  }, 60_000);

  it("writes the hijacked answer as dockerd does: 101 UPGRADED, then the multiplexed stream", async () => {
    sim.exec("host1", "docker run -d --name wire alpine sleep 3600");
    const { Id } = sim.engine("host1").containerExec("wire", { Cmd: ["sh", "-c", "echo out; echo err >&2"], AttachStdout: true, AttachStderr: true });
    const body = JSON.stringify({ Detach: false, Tty: false });
    const bytes = await rawExchange(
      server.port!,
      `POST /v1.50/exec/${Id}/start HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const answer = splitHead(bytes);
    expect(answer.statusLine).toBe("HTTP/1.1 101 UPGRADED");
    expect(answer.headers).toEqual([
      "Content-Type: application/vnd.docker.multiplexed-stream",
      "Connection: Upgrade",
      "Upgrade: tcp",
      "Api-Version: 1.50",
      "Docker-Experimental: false",
      "Ostype: linux",
      "Server: Docker/28.2.2 (linux)",
    ]);
    expect(demultiplex(answer.body)).toEqual([
      { stream: 1, text: "out\n" },
      { stream: 2, text: "err\n" },
    ]);
    // Errors before the hijack are ordinary answers; attach's are moby's raw text.
    const missing = splitHead(await rawExchange(server.port!, `POST /v1.50/exec/nosuch/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}`));
    expect(missing.statusLine).toBe("HTTP/1.1 404 Not Found");
    expect(JSON.parse(missing.body.toString("utf8"))).toEqual({ message: "No such exec instance: nosuch" });
    const attach = await rawExchange(server.port!, `POST /v1.50/containers/nosuch/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    expect(attach.toString("utf8")).toBe("HTTP/1.1 404 Not Found\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nNo such container: nosuch\r\n");
  }, 30_000);

  it("breaks the hijacked connection when the host crashes under it", async () => {
    sim.exec("host1", "docker run -d --name doomed alpine sleep 3600");
    const { Id } = sim.engine("host1").containerExec("doomed", { Cmd: ["sleep", "3600"], AttachStdout: true });
    const body = JSON.stringify({ Detach: false });
    const socket = connect(server.port!, "127.0.0.1", () =>
      socket.write(`POST /v1.50/exec/${Id}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
    );
    const head = await new Promise<string>((resolve) => socket.once("data", (chunk: Buffer) => resolve(chunk.toString("latin1"))));
    expect(head.startsWith("HTTP/1.1 101 UPGRADED\r\n")).toBe(true);
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => {});
    sim.faults.crash("host1");
    await closed;
    sim.faults.restart("host1");
    sim.runFor(5_000);
  }, 30_000);

  it("flushes wait's head at once and writes its body when the container exits", async () => {
    sim.exec("host1", "docker create --name waited alpine sh -c 'exit 4'");
    const base = server.url.replace("tcp://", "http://");
    const waiting = await fetch(`${base}/v1.50/containers/waited/wait?condition=next-exit`, { method: "POST" });
    expect(waiting.status).toBe(200);
    expect(waiting.headers.get("content-type")).toBe("application/json");
    await fetch(`${base}/v1.50/containers/waited/start`, { method: "POST" });
    expect(await waiting.json()).toEqual({ StatusCode: 4, Error: null });
  }, 30_000);
});

describe("swarmsim's CLI and the real CLI on twin simulations", () => {
  it("print the same for run, exec and attach", async () => {
    const viaExec = new Simulation({ seed: "hijack-twins" });
    const viaHttp = new Simulation({ seed: "hijack-twins" });
    viaExec.addHost("host1");
    viaHttp.addHost("host1");
    const server = await listen(viaHttp, "host1", { port: 0 });
    const scenario: readonly (readonly string[])[] = [
      ["run", "alpine", "sh", "-c", "echo one; sleep 1; echo two; exit 2"],
      ["run", "--rm", "busybox", "echo", "hello"],
      ["run", "-d", "--name", "box", "alpine", "sleep", "3600"],
      ["exec", "box", "sh", "-c", "echo out; echo err >&2; exit 5"],
      ["exec", "box", "ps"],
      ["exec", "box", "ls", "/etc"],
      ["exec", "box", "cat", "/etc/nosuch"],
      ["exec", "-t", "box", "sh", "-c", "echo a; echo b >&2"],
      ["exec", "box", "nosuch"],
      ["exec", "-it", "box", "sh"],
      ["exec", "box"],
      ["run", "-d", "--name", "late", "alpine", "sh", "-c", "sleep 1; echo late; exit 6"],
      ["attach", "late"],
      ["attach", "late"],
      ["stop", "box"],
      ["exec", "box", "ls"],
    ];
    try {
      for (const words of scenario) {
        const line = `docker ${words.map((word) => (/[\s;'>&$]/.test(word) ? `'${word}'` : word)).join(" ")}`;
        const expected = await realDocker(server.url, words);
        const actual = viaExec.exec("host1", line);
        // The pull's progress lines are the same; only the (stable) stdout/stderr split and exit code matter here.
        expect(actual, line).toEqual(expected);
        viaExec.runFor(2_000);
        viaHttp.runFor(2_000);
      }
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe("dockerode execs through its hijacked stream", () => {
  let sim: Simulation;
  let server: EngineServer;

  beforeAll(async () => {
    sim = new Simulation({ seed: "dockerode-exec" });
    sim.addHost("host1");
    server = await listen(sim, "host1", { port: 0 });
    sim.exec("host1", "docker run -d --name box alpine sleep 3600");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("creates, starts (hijacked) and inspects an exec", async () => {
    const docker = new Docker({ host: "127.0.0.1", port: server.port!, protocol: "http" });
    const exec = await docker.getContainer("box").exec({ Cmd: ["sh", "-c", "echo from-dockerode; exit 3"], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", reject);
    });
    expect(demultiplex(Buffer.concat(chunks))).toEqual([{ stream: 1, text: "from-dockerode\n" }]);
    const inspected = await exec.inspect();
    expect(inspected.ExitCode).toBe(3);
    expect(inspected.Running).toBe(false);
  }, 30_000);
});

describe("hijacked streams in live mode", () => {
  let directory = "";
  afterAll(async () => {
    if (directory !== "") await rm(directory, { recursive: true, force: true });
  });

  it("follows the live clock, logs the streamed requests and replays them", async () => {
    directory = await mkdtemp(join(tmpdir(), "swarmsim-hijack-live-"));
    const logPath = join(directory, "session.ndjson");
    const live = await startLiveSwarm({ seed: "hijack-live", managers: 1, workers: 0, speed: 10, logPath });
    try {
      const url = live.servers[0]!.url;
      expect(await realDocker(url, ["run", "alpine", "sh", "-c", "echo one; sleep 2; echo two"])).toMatchObject({ stdout: "one\ntwo\n", exitCode: 0 });
      expect((await realDocker(url, ["run", "-d", "--name", "box", "alpine", "sleep", "3600"])).exitCode).toBe(0);
      expect(await realDocker(url, ["exec", "box", "sh", "-c", "sleep 1; exit 4"])).toEqual({ stdout: "", stderr: "", exitCode: 4 });
    } finally {
      await live.stop();
    }
    const log = await readFile(logPath, "utf8");
    const streamed = log
      .split("\n")
      .filter((line) => line.includes('"streamed":true'))
      .map((line) => JSON.parse(line) as { path: string; statusCode: number });
    // `run -d` starts a wait too (docker/cli's waitExitOrRemoved), and leaves it when it exits.
    expect(streamed.map((entry) => `${entry.path.replace(/[0-9a-f]{64}/, "<id>")} ${entry.statusCode}`)).toEqual([
      "/v1.50/containers/<id>/attach 101",
      "/v1.50/containers/<id>/wait 200",
      "/v1.50/containers/<id>/wait 200",
      "/v1.50/exec/<id>/start 101",
    ]);
    const replayed = replaySession(log);
    expect(replayed.mismatches).toEqual([]);
    expect(replaySession(log).sim.traceHash()).toBe(replayed.sim.traceHash());
  }, 60_000);
});
