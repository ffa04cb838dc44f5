// docker images, rmi, network ls/create/rm/inspect, volume ls/create/rm/inspect and inspect
// --format, against a scripted engine answering with the recorded API bodies, compared with the
// recorded docker CLI output (test/fixtures/docker/engine).
import { describe, expect, it } from "vitest";
import type { EngineJson } from "../../../src/engine/client.js";
import { naturalLess } from "../../../src/cli/commands/context.js";
import { apiStep, cliStep, daemonError, expectedOutput, ScriptedEngine, withFields } from "./harness.js";

describe("docker images (fixture images.json)", () => {
  const images = apiStep("api-images", "GET /v1.41/images/json").body as EngineJson[];

  it("lists repository, tag, short ID, created and size", () => {
    const engine = new ScriptedEngine().on("GET", "/images/json", { body: images });
    const nowWallMs = 1_795_616_655_500;
    expect(engine.run("docker images", { nowWallMs })).toEqual(expectedOutput(cliStep("images", "docker images")));
    expect(engine.run("docker image ls", { nowWallMs })).toEqual(expectedOutput(cliStep("images", "docker images")));
    expect(engine.run("docker images -q", { nowWallMs }).stdout).toBe("5956663970ed\n94c0a5f9805b\n43af19f1163a\naa2aa06f8b49\n");
    expect(engine.run("docker images --format '{{.Repository}}:{{.Tag}}' alpine", { nowWallMs }).stdout).toBe("busybox:latest\nnginx:latest\nredis:latest\nalpine:latest\n");
    expect(engine.requests.at(-1)!.query).toEqual({ filters: JSON.stringify({ reference: ["alpine"] }) });
  });

  it("shows dangling images as <none> and hints at docker image subcommands", () => {
    const engine = new ScriptedEngine().on("GET", "/images/json", { body: [withFields(images[0], { RepoTags: [], RepoDigests: [] })] });
    expect(engine.run("docker images", { nowWallMs: 1_795_616_655_500 }).stdout).toBe(
      "REPOSITORY   TAG       IMAGE ID       CREATED        SIZE\n<none>       <none>    5956663970ed   1 second ago   1.98MB\n",
    );
    engine.on("GET", "/images/json", { body: [] });
    expect(engine.run("docker images ls")).toEqual({ stdout: "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n", stderr: '\nNo images found matching "ls": did you mean "docker image ls"?\n', exitCode: 0 });
  });

  it("docker rmi prints Untagged/Deleted lines and the daemon's errors", () => {
    const engine = new ScriptedEngine()
      .on("DELETE", "/images/alpine", { body: [{ Untagged: "alpine:latest" }, { Deleted: "sha256:aa2aa06f8b49c4735fb312c30118562e489387144ca32b0d8ef562c2345831ab" }] })
      .on("DELETE", "/images/nosuch", daemonError(404, "No such image: nosuch:latest"));
    expect(engine.run("docker rmi alpine nosuch")).toEqual({
      stdout: "Untagged: alpine:latest\nDeleted: sha256:aa2aa06f8b49c4735fb312c30118562e489387144ca32b0d8ef562c2345831ab\n",
      stderr: "Error response from daemon: No such image: nosuch:latest\n",
      exitCode: 1,
    });
    expect(engine.run("docker image rm -f nosuch")).toEqual({ stdout: "", stderr: "Error response from daemon: No such image: nosuch:latest\n", exitCode: 0 });
  });

  it("docker image inspect prints the API object, or the daemon's error", () => {
    const body = apiStep("api-images", "GET /v1.41/images/alpine:latest/json").body;
    const engine = new ScriptedEngine().on("GET", "/images/alpine:latest/json", { body }).on("GET", "/images/nosuch/json", daemonError(404, "no such image: nosuch: No such image: nosuch:latest"));
    expect(engine.run("docker image inspect alpine:latest").stdout).toBe(`${JSON.stringify([body], null, 4)}\n`);
    expect(engine.run("docker image inspect nosuch")).toEqual({ stdout: "[]\n", stderr: "Error response from daemon: no such image: nosuch: No such image: nosuch:latest\n", exitCode: 1 });
    expect(engine.run("docker inspect --format '{{.Id}}' alpine:latest").stdout).toBe(`${(body as EngineJson).Id}\n`);
  });
});

describe("docker network (fixture network.json)", () => {
  const scenario = "network";
  // The recorded list already holds a net1 (and maybe its duplicate): keep the three defaults.
  const networks = (apiStep("api-networks", "GET /v1.41/networks").body as EngineJson[]).filter((network) => ["bridge", "host", "none"].includes(network.Name));
  const net1Id = cliStep(scenario, "docker network create net1").stdout.trim();
  const net1 = withFields(apiStep("api-networks", "GET /v1.41/networks/net1").body, { Id: net1Id });

  it("ls sorts by name, create prints the ID, duplicates and missing networks fail", () => {
    let withNet1 = false;
    const engine = new ScriptedEngine()
      .on("GET", "/networks", () => ({ body: withNet1 ? [...networks, net1] : networks }))
      .on("POST", "/networks/create", () => {
        if (withNet1) return daemonError(409, "network with name net1 already exists");
        withNet1 = true;
        return { statusCode: 201, body: { Id: net1Id, Warning: "" } };
      })
      .on("DELETE", "/networks/net1", () => {
        withNet1 = false;
        return { statusCode: 204 };
      })
      .on("DELETE", "/networks/nosuch", daemonError(404, "network nosuch not found"));
    const steps = ["docker network ls", "docker network create net1", "docker network create net1", "docker network ls", "docker network rm net1", "docker network rm nosuch", "docker network ls"];
    const seen = new Map<string, number>();
    for (const command of steps) {
      const occurrence = seen.get(command) ?? 0;
      seen.set(command, occurrence + 1);
      expect(engine.run(command), command).toEqual(expectedOutput(cliStep(scenario, command, occurrence)));
    }
    expect(engine.requests.find((request) => request.path === "/networks/create")!.body).toMatchObject({ Name: "net1", Driver: "bridge", IPAM: { Driver: "default", Config: [], Options: {} } });
  });

  it("inspect, -q and --format", () => {
    const engine = new ScriptedEngine().on("GET", "/networks/net1", { body: net1 }).on("GET", "/networks", { body: networks });
    expect(engine.run("docker network inspect net1").stdout).toBe(`${JSON.stringify([net1], null, 4)}\n`);
    expect(engine.run("docker network inspect -f '{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}}' net1").stdout).toBe("net1 bridge 172.19.0.0/16\n");
    expect(engine.run("docker network ls -q").stdout).toBe("5e259c4cfb1e\n269666536b2e\n889680636c33\n");
  });

  it("sorts names naturally, as docker's sortorder does", () => {
    const names = ["net10", "net2", "Net1", "net02", "net1", "a"];
    expect(names.slice().sort((left, right) => (naturalLess(left, right) ? -1 : naturalLess(right, left) ? 1 : 0))).toEqual(["Net1", "a", "net1", "net2", "net02", "net10"]);
  });
});

describe("docker volume (fixture volume.json)", () => {
  const scenario = "volume";
  const volume = apiStep("api-volumes", "GET /v1.41/volumes/vol1").body as EngineJson;

  it("ls, create, ls, rm, rm nosuch, ls", () => {
    let exists = false;
    const engine = new ScriptedEngine()
      .on("GET", "/volumes", () => ({ body: { Volumes: exists ? [volume] : [], Warnings: null } }))
      .on("POST", "/volumes/create", () => {
        exists = true;
        return { statusCode: 201, body: volume };
      })
      .on("DELETE", "/volumes/vol1", () => {
        exists = false;
        return { statusCode: 204 };
      })
      .on("DELETE", "/volumes/nosuch", daemonError(404, "get nosuch: no such volume"));
    const steps = ["docker volume ls", "docker volume create vol1", "docker volume ls", "docker volume rm vol1", "docker volume rm nosuch", "docker volume ls"];
    const seen = new Map<string, number>();
    for (const command of steps) {
      const occurrence = seen.get(command) ?? 0;
      seen.set(command, occurrence + 1);
      expect(engine.run(command), command).toEqual(expectedOutput(cliStep(scenario, command, occurrence)));
    }
    expect(engine.requests.find((request) => request.path === "/volumes/create")!.body).toEqual({ Driver: "local", DriverOpts: {}, Labels: {}, Name: "vol1" });
  });

  it("inspect", () => {
    const engine = new ScriptedEngine().on("GET", "/volumes/vol1", { body: volume });
    expect(engine.run("docker volume inspect vol1").stdout).toBe(`${JSON.stringify([volume], null, 4)}\n`);
    expect(engine.run("docker volume inspect --format '{{.Mountpoint}}' vol1").stdout).toBe(`${volume.Mountpoint}\n`);
  });
});

describe("inspect --format (fixtures restart-policy.json, resource-limits.json)", () => {
  it("prints {{json .HostConfig.RestartPolicy}} as recorded", () => {
    const engine = new ScriptedEngine();
    for (const name of ["always", "onfail", "norestart"]) {
      const command = `docker inspect --format '{{json .HostConfig.RestartPolicy}}' ${name}`;
      const inspected = name === "always" ? (JSON.parse(cliStep("restart-policy", "docker inspect always").stdout) as EngineJson[])[0]! : null;
      const policy = JSON.parse(cliStep("restart-policy", command).stdout) as EngineJson;
      engine.on("GET", `/containers/${name}/json`, { body: inspected ?? { HostConfig: { RestartPolicy: policy } } });
      expect(engine.run(command)).toEqual(expectedOutput(cliStep("restart-policy", command)));
    }
  });

  it("prints the whole inspect of a limited container as recorded", () => {
    const step = cliStep("resource-limits", "docker inspect limited");
    const inspected = (JSON.parse(step.stdout) as EngineJson[])[0]!;
    const engine = new ScriptedEngine().on("GET", "/containers/limited/json", { body: inspected });
    expect(engine.run("docker inspect limited")).toEqual(expectedOutput(step));
    expect(engine.run("docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' limited").stdout).toBe("67108864 500000000\n");
  });

  it("reports template errors", () => {
    const engine = new ScriptedEngine().on("GET", "/containers/web/json", { body: { Id: "x" } });
    expect(engine.run("docker inspect -f '{{.Id' web")).toEqual({ stdout: "", stderr: "template parsing error: template: :1: unclosed action\n", exitCode: 64 });
  });
});
