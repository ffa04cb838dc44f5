// The container commands (run, create, ps, inspect, logs, start, stop, kill, restart, rm)
// against a scripted engine answering with bodies shaped like the recorded API answers, compared
// with the recorded docker CLI output of the same scenario (test/fixtures/docker/engine). The
// container IDs and creation times of the recordings are reused, and the clock is set so the
// relative times come out as recorded.
import { describe, expect, it } from "vitest";
import type { EngineJson } from "../../../src/engine/client.js";
import { apiStep, cliStep, daemonError, expectedOutput, ScriptedEngine, withFields } from "./harness.js";

/** The running `web` summary of api-containers.json, as a template for other containers. */
const webSummary = (apiStep("api-containers", "GET /v1.41/containers/json").body as EngineJson[])[0]!;

/** A ContainerSummary shaped like the recorded ones. */
function summary(fields: { id: string; name: string; image: string; command: string; created: number; status: string; ports?: EngineJson[]; state?: string }): EngineJson {
  return withFields(webSummary, {
    Id: fields.id,
    Names: [`/${fields.name}`],
    Image: fields.image,
    Command: fields.command,
    Created: fields.created,
    Ports: fields.ports ?? [],
    State: fields.state ?? (fields.status.startsWith("Up") ? "running" : "exited"),
    Status: fields.status,
  });
}

const nginxCommand = "/docker-entrypoint.sh nginx -g 'daemon off;'";

describe("run -d, ps, inspect, logs, stop, start, kill, rm (fixture run-detached.json)", () => {
  const scenario = "run-detached";
  const id = cliStep(scenario, "docker run -d --name web nginx").stdout.trim();
  const inspected = (JSON.parse(cliStep(scenario, "docker inspect web").stdout) as EngineJson[])[0]!;
  const created = Math.floor(Date.parse(inspected.Created) / 1000);
  const nowWallMs = created * 1000 + 2_500;

  it("docker run -d --name web nginx prints the ID", () => {
    const engine = new ScriptedEngine().on("POST", "/containers/create", { statusCode: 201, body: { Id: id, Warnings: [] } }).on("POST", `/containers/${id}/start`, { statusCode: 204 });
    expect(engine.run("docker run -d --name web nginx")).toEqual(expectedOutput(cliStep(scenario, "docker run -d --name web nginx")));
    expect(engine.requests[0]!.query).toEqual({ name: "web" });
    expect(engine.requests[0]!.body).not.toHaveProperty("Cmd");
    expect(engine.requests[0]!.body).toMatchObject({ Image: "nginx", AttachStdout: false, HostConfig: { RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, AutoRemove: false } });
  });

  const running = summary({ id, name: "web", image: "nginx", command: nginxCommand, created, status: "Up 1 second", ports: [{ PrivatePort: 80, Type: "tcp" }] });

  it("docker ps, ps -a and ps -q list it", () => {
    const engine = new ScriptedEngine().on("GET", "/containers/json", { body: [running] });
    expect(engine.run("docker ps", { nowWallMs })).toEqual(expectedOutput(cliStep(scenario, "docker ps")));
    expect(engine.run("docker ps -a", { nowWallMs })).toEqual(expectedOutput(cliStep(scenario, "docker ps -a")));
    expect(engine.run("docker ps -q", { nowWallMs })).toEqual(expectedOutput(cliStep(scenario, "docker ps -q")));
    expect(engine.requests.map((request) => request.query)).toEqual([{}, { all: "1" }, {}]);
  });

  it("docker ps --no-trunc, -n, -l, -f and --format", () => {
    const engine = new ScriptedEngine().on("GET", "/containers/json", { body: [running] });
    const wide = engine.run("docker ps --no-trunc", { nowWallMs }).stdout;
    expect(wide).toContain(`${id}   nginx     "${nginxCommand.replaceAll('"', '\\"')}"`);
    engine.run("docker ps -l", { nowWallMs });
    engine.run("docker ps -n 3 -f status=running -f name=web", { nowWallMs });
    expect(engine.requests.slice(1).map((request) => request.query)).toEqual([
      { all: "1", limit: "1" },
      { all: "1", limit: "3", filters: JSON.stringify({ status: ["running"], name: ["web"] }) },
    ]);
    expect(engine.run("docker ps --format '{{.Names}}: {{.Status}}'", { nowWallMs }).stdout).toBe("web: Up 1 second\n");
    expect(engine.run("docker ps --format 'table {{.Names}}\\t{{.State}}'", { nowWallMs }).stdout).toBe("NAMES     STATE\nweb       running\n");
    expect(engine.run("docker ps -f bogus", { nowWallMs })).toMatchObject({ exitCode: 125, stderr: expect.stringMatching(/^invalid argument "bogus" for "-f, --filter" flag: bad format of filter \(expected name=value\)\n/) });
  });

  it("docker inspect web prints the API object indented as docker does", () => {
    const engine = new ScriptedEngine().on("GET", "/containers/web/json", { body: inspected });
    expect(engine.run("docker inspect web")).toEqual(expectedOutput(cliStep(scenario, "docker inspect web")));
    expect(engine.run("docker container inspect web")).toEqual(expectedOutput(cliStep(scenario, "docker inspect web")));
    expect(engine.run("docker inspect --format '{{.State.Status}} {{json .Config.Cmd}} {{.Name}}' web").stdout).toBe('running ["nginx","-g","daemon off;"] /web\n');
  });

  it("docker logs web prints the container's stdout", () => {
    const engine = new ScriptedEngine()
      .on("GET", "/containers/web/json", { body: inspected })
      .on("GET", `/containers/${id}/logs`, { body: { frames: [{ stream: 1, text: "fake nginx (busybox) started\n" }] } });
    expect(engine.run("docker logs web")).toEqual(expectedOutput(cliStep(scenario, "docker logs web")));
    expect(engine.requests[1]!.query).toEqual({ stdout: "1", stderr: "1", tail: "all" });
  });

  it("docker stop, start, kill and rm print the name given", () => {
    const engine = new ScriptedEngine().on("POST", /^\/containers\/web\/(stop|start|kill)$/, { statusCode: 204 }).on("DELETE", "/containers/web", { statusCode: 204 });
    for (const command of ["docker stop web", "docker start web", "docker kill web", "docker rm web"]) {
      expect(engine.run(command)).toEqual(expectedOutput(cliStep(scenario, command)));
    }
    expect(engine.requestLines()).toEqual(["POST /containers/web/stop", "POST /containers/web/start", "POST /containers/web/kill", "DELETE /containers/web"]);
  });

  it("docker ps -a shows exited containers and an empty table", () => {
    const exited = (code: number, createdAgo: number): EngineJson[] => [
      summary({ id, name: "web", image: "nginx", command: nginxCommand, created: created - createdAgo, status: `Exited (${code}) Less than a second ago` }),
    ];
    expect(new ScriptedEngine().on("GET", "/containers/json", { body: exited(0, 0) }).run("docker ps -a", { nowWallMs })).toEqual(
      expectedOutput(cliStep(scenario, "docker ps -a", 1)),
    );
    expect(new ScriptedEngine().on("GET", "/containers/json", { body: exited(137, 1) }).run("docker ps -a", { nowWallMs })).toEqual(
      expectedOutput(cliStep(scenario, "docker ps -a", 2)),
    );
    expect(new ScriptedEngine().on("GET", "/containers/json", { body: [] }).run("docker ps -a", { nowWallMs })).toEqual(expectedOutput(cliStep(scenario, "docker ps -a", 3)));
  });
});

describe("foreground docker run (fixture run-exit-code.json)", () => {
  const scenario = "run-exit-code";
  const id = "db8f2b7b628e" + "0".repeat(52);

  /**
   * An engine where `alpine` exists and the container exits with `status` after writing `frames`
   * (a scripted engine answers whole: the attach carries the frames, the wait its status).
   */
  function engineFor(status: number, frames: EngineJson[]): ScriptedEngine {
    return new ScriptedEngine()
      .on("POST", "/containers/create", { statusCode: 201, body: { Id: id, Warnings: [] } })
      .on("POST", `/containers/${id}/attach`, { body: { frames } })
      .on("POST", `/containers/${id}/start`, { statusCode: 204 })
      .on("POST", `/containers/${id}/wait`, { body: { Error: null, StatusCode: status } })
      .on("DELETE", `/containers/${id}`, { statusCode: 204 });
  }

  it("exits with the container's exit code", () => {
    const engine = engineFor(3, []);
    expect(engine.run("docker run --name exit3 alpine sh -c 'exit 3'")).toEqual(expectedOutput(cliStep(scenario, "docker run --name exit3 alpine sh -c 'exit 3'")));
    expect(engine.requests[0]!.body).toMatchObject({ Image: "alpine", Cmd: ["sh", "-c", "exit 3"], AttachStdout: true, AttachStderr: true });
  });

  it("prints stdout frames to stdout and stderr frames to stderr", () => {
    const command = "docker run alpine sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'";
    const engine = engineFor(3, [
      { stream: 1, text: "to-stdout\n" },
      { stream: 2, text: "to-stderr\n" },
    ]);
    expect(engine.run(command)).toEqual(expectedOutput(cliStep(scenario, command)));
  });

  it("shows the quoted, cut COMMAND column", () => {
    const created = 1_795_616_700;
    const engine = new ScriptedEngine().on("GET", "/containers/json", {
      body: [summary({ id, name: "exit3", image: "alpine", command: "sh -c 'exit 3'", created, status: "Exited (3) Less than a second ago" })],
    });
    expect(engine.run("docker ps -a", { nowWallMs: created * 1000 + 400 })).toEqual(expectedOutput(cliStep(scenario, "docker ps -a")));
  });

  it("attaches, waits for the next exit, then starts (docker/cli runContainer's order)", () => {
    const engine = engineFor(0, [{ stream: 1, text: "hello\n" }]);
    expect(engine.run("docker run alpine echo hello")).toEqual({ stdout: "hello\n", stderr: "", exitCode: 0 });
    expect(engine.requestLines()).toEqual(["POST /containers/create", `POST /containers/${id}/attach`, `POST /containers/${id}/wait`, `POST /containers/${id}/start`]);
    expect(engine.requests[1]!.query).toEqual({ stream: "1", stdout: "1", stderr: "1" });
    expect(engine.requests[1]!.headers).toMatchObject({ Connection: "Upgrade", Upgrade: "tcp" });
    expect(engine.requests[2]!.query).toEqual({ condition: "next-exit" });
  });

  it("--rm leaves the removal to the daemon (AutoRemove) and waits for it", () => {
    const engine = engineFor(0, [{ stream: 1, text: "hello\n" }]);
    expect(engine.run("docker run --rm alpine echo hello")).toEqual({ stdout: "hello\n", stderr: "", exitCode: 0 });
    expect(engine.requests[0]!.body).toMatchObject({ HostConfig: { AutoRemove: true } });
    expect(engine.requests.find((request) => request.path.endsWith("/wait"))!.query).toEqual({ condition: "removed" });
    expect(engine.requestLines()).not.toContain(`DELETE /containers/${id}`);
    expect(engineFor(0, []).run("docker run -d --rm alpine sleep 1").exitCode).toBe(0);
  });

  it("passes -e, -p, -l, --restart, --memory, --cpus, --stop-timeout, --entrypoint, -w, -h to the create body", () => {
    const engine = engineFor(0, []);
    engine.run("docker create -e A=1 -p 8080:80 -p 127.0.0.1:53:53/udp -l tier=web --restart on-failure:3 -m 64m --cpus 0.5 --stop-timeout 2 --entrypoint /bin/sh -w /srv -h box --name box alpine -c true");
    expect(engine.requests[0]!.body).toMatchObject({
      Env: ["A=1"],
      Labels: { tier: "web" },
      Hostname: "box",
      WorkingDir: "/srv",
      Entrypoint: ["/bin/sh"],
      Cmd: ["-c", "true"],
      StopTimeout: 2,
      ExposedPorts: { "80/tcp": {}, "53/udp": {} },
      HostConfig: {
        PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }], "53/udp": [{ HostIp: "127.0.0.1", HostPort: "53" }] },
        RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 },
        Memory: 64 * 1024 * 1024,
        NanoCpus: 500_000_000,
      },
    });
  });

  it("pulls a missing image, with the pull output on stderr", () => {
    let created = false;
    const engine = engineFor(0, [{ stream: 1, text: "hi\n" }])
      .on("POST", "/containers/create", () => (created ? { statusCode: 201, body: { Id: id, Warnings: [] } } : daemonError(404, "No such image: alpine:latest")))
      .on("POST", "/images/create", () => {
        created = true;
        return { body: [{ status: "Pulling from library/alpine", id: "latest" }, { status: "Pull complete", progressDetail: {}, id: "f18232174bc9" }, { status: "Status: Downloaded newer image for alpine:latest" }] };
      });
    expect(engine.run("docker run alpine echo hi")).toEqual({
      stdout: "hi\n",
      stderr: "Unable to find image 'alpine:latest' locally\nlatest: Pulling from library/alpine\nf18232174bc9: Pull complete\nStatus: Downloaded newer image for alpine:latest\n",
      exitCode: 0,
    });
  });

  it("decorates pull and create errors of run, not of create", () => {
    const engine = new ScriptedEngine()
      .on("POST", "/containers/create", daemonError(404, "No such image: doesnotexist/nope:1"))
      .on("POST", "/images/create", daemonError(404, "pull access denied for doesnotexist/nope, repository does not exist or may require 'docker login'"));
    expect(engine.run("docker run doesnotexist/nope:1")).toEqual({
      stdout: "",
      stderr:
        "Unable to find image 'doesnotexist/nope:1' locally\ndocker: Error response from daemon: pull access denied for doesnotexist/nope, repository does not exist or may require 'docker login'\n\nRun 'docker run --help' for more information\n",
      exitCode: 125,
    });
    expect(engine.run("docker create --pull never doesnotexist/nope:1")).toEqual({ stdout: "", stderr: "Error response from daemon: No such image: doesnotexist/nope:1\n", exitCode: 1 });
    expect(engine.run("docker run --restart sometimes alpine").exitCode).toBe(125);
  });

  it("maps start failures of the command to 127", () => {
    const engine = engineFor(0, []).on("POST", `/containers/${id}/start`, daemonError(400, 'failed to create task for container: exec: "nosuch": executable file not found in $PATH: unknown'));
    const output = engine.run("docker run alpine nosuch");
    expect(output.exitCode).toBe(127);
    expect(output.stderr).toMatch(/^docker: Error response from daemon: failed to create task .*\n\nRun 'docker run --help' for more information\n$/);
  });
});

describe("error paths", () => {
  it("name conflict (fixture name-conflict.json)", () => {
    const scenario = "name-conflict";
    const first = cliStep(scenario, "docker run -d --name web nginx").stdout.trim();
    const message = `Conflict. The container name "/web" is already in use by container "${first}". You have to remove (or rename) that container to be able to reuse that name.`;
    const engine = new ScriptedEngine().on("POST", "/containers/create", daemonError(409, message));
    expect(engine.run("docker run -d --name web nginx")).toEqual(expectedOutput(cliStep(scenario, "docker run -d --name web nginx", 1)));
    expect(engine.run("docker run -d --name web alpine sleep 3600")).toEqual(expectedOutput(cliStep(scenario, "docker run -d --name web alpine sleep 3600")));
  });

  it("rm of a running container, then rm -f (fixture rm-running.json)", () => {
    const scenario = "rm-running";
    const id = cliStep(scenario, "docker run -d --name web nginx").stdout.trim();
    const engine = new ScriptedEngine().on("DELETE", "/containers/web", (request) =>
      request.query?.force === "1" ? { statusCode: 204 } : daemonError(409, `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`),
    );
    expect(engine.run("docker rm web")).toEqual(expectedOutput(cliStep(scenario, "docker rm web")));
    expect(engine.run("docker rm -f web")).toEqual(expectedOutput(cliStep(scenario, "docker rm -f web")));
  });

  it("commands on a missing container (fixture not-found-errors.json)", () => {
    const engine = new ScriptedEngine()
      .on("POST", /^\/containers\/nosuch\/(stop|start)$/, daemonError(404, "No such container: nosuch"))
      .on("POST", "/containers/nosuch/kill", daemonError(404, "Cannot kill container: nosuch: No such container: nosuch"))
      .on("DELETE", "/containers/nosuch", daemonError(404, "No such container: nosuch"))
      .on("GET", "/containers/nosuch/json", daemonError(404, "No such container: nosuch"))
      .on("GET", "/images/nosuch/json", daemonError(404, "no such image: nosuch: No such image: nosuch:latest"))
      .on("GET", "/networks/nosuch", daemonError(404, "network nosuch not found"))
      .on("GET", "/volumes/nosuch", daemonError(404, "get nosuch: no such volume"))
      .on("GET", "/info", { body: { Swarm: { ControlAvailable: false } } });
    for (const command of ["docker stop nosuch", "docker rm nosuch", "docker logs nosuch", "docker inspect nosuch", "docker kill nosuch", "docker start nosuch"]) {
      expect(engine.run(command)).toEqual(expectedOutput(cliStep("not-found-errors", command)));
    }
  });

  it("joins the errors of several containers and prints the ones that worked", () => {
    const engine = new ScriptedEngine()
      .on("POST", /^\/containers\/(a|b)\/stop$/, (_request, match) => (match[1] === "a" ? { statusCode: 204 } : daemonError(404, "No such container: b")))
      .on("DELETE", /^\/containers\/(a|b)$/, daemonError(404, "No such container: x"));
    expect(engine.run("docker stop -t 2 a b")).toEqual({ stdout: "a\n", stderr: "Error response from daemon: No such container: b\n", exitCode: 1 });
    expect(engine.requests[0]!.query).toEqual({ t: "2" });
    expect(engine.run("docker rm -f a b")).toEqual({ stdout: "", stderr: "Error response from daemon: No such container: x\nError response from daemon: No such container: x\n", exitCode: 0 });
  });
});

describe("published ports (fixture publish-port.json)", () => {
  it("shows 0.0.0.0 and [::] mappings in PORTS", () => {
    const scenario = "publish-port";
    const publishedId = cliStep(scenario, "docker run -d -p 8080:80 --name pub nginx").stdout.trim();
    const unpublishedId = cliStep(scenario, "docker run -d --name unpub nginx").stdout.trim();
    const created = 1_795_616_800;
    const published = summary({
      id: publishedId,
      name: "pub",
      image: "nginx",
      command: nginxCommand,
      created,
      status: "Up 3 seconds",
      ports: [
        { IP: "::", PrivatePort: 80, PublicPort: 8080, Type: "tcp" },
        { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 8080, Type: "tcp" },
      ],
    });
    const unpublished = summary({ id: unpublishedId, name: "unpub", image: "nginx", command: nginxCommand, created: created + 2, status: "Up 1 second", ports: [{ PrivatePort: 80, Type: "tcp" }] });
    const nowWallMs = (created + 4) * 1000 + 500;
    const engine = new ScriptedEngine().on("GET", "/containers/json", { body: [withFields(published, { Status: "Up 1 second" })] });
    expect(engine.run("docker ps", { nowWallMs: (created + 2) * 1000 + 500 })).toEqual(expectedOutput(cliStep(scenario, "docker ps")));
    engine.on("GET", "/containers/json", { body: [unpublished, published] });
    expect(engine.run("docker ps", { nowWallMs })).toEqual(expectedOutput(cliStep(scenario, "docker ps", 1)));
  });
});

describe("stop timings (fixture stop-timing.json)", () => {
  it("prints each stopped name and the exit codes in STATUS", () => {
    const scenario = "stop-timing";
    const engine = new ScriptedEngine().on("POST", /^\/containers\/[a-z0-9]+\/stop$/, { statusCode: 204 });
    expect(engine.run("docker stop sleeper")).toEqual(expectedOutput(cliStep(scenario, "docker stop sleeper")));
    expect(engine.run("docker stop -t 2 sleeper2")).toEqual(expectedOutput(cliStep(scenario, "docker stop -t 2 sleeper2")));
    expect(engine.requests.map((request) => request.query)).toEqual([{}, { t: "2" }]);
    const created = 1_795_617_000;
    const list = [
      summary({ id: "5c8cf8daf968" + "1".repeat(52), name: "sleeper2", image: "alpine", command: "sleep 3600", created: created + 12, status: "Exited (137) Less than a second ago" }),
      summary({ id: "9e8d8cde33a5" + "2".repeat(52), name: "sleeper", image: "alpine", command: "sleep 3600", created, status: "Exited (137) 3 seconds ago" }),
    ];
    engine.on("GET", "/containers/json", { body: list });
    expect(engine.run("docker ps -a", { nowWallMs: (created + 15) * 1000 + 300 })).toEqual(expectedOutput(cliStep(scenario, "docker ps -a", 1)));
  });
});
