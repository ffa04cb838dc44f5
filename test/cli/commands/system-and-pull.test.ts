// docker version, docker info, docker pull and the usage errors, compared with the recordings
// of the real docker CLI 28.2.2 (test/fixtures/docker/engine): the scripted engine answers with
// the recorded API bodies, so the output must match the recorded stdout/stderr byte for byte.
import { describe, expect, it } from "vitest";
import { apiStep, cliStep, daemonError, expectedOutput, ScriptedEngine } from "./harness.js";
import { displayJsonMessages, goDurationSeconds } from "../../../src/cli/commands/json-messages.js";

describe("docker version", () => {
  it("prints the recorded layout from the recorded /version answer (fixture version.json)", () => {
    const engine = new ScriptedEngine().on("GET", "/version", { body: apiStep("api-system", "GET /v1.41/version").body });
    expect(engine.run("docker version")).toEqual(expectedOutput(cliStep("version", "docker version")));
  });

  it("shows the server platform and no downgrade against a 28.2.2 engine at API 1.50", () => {
    const body = apiStep("api-system", "GET /v1.41/version").body as Record<string, any>;
    const current = {
      ...body,
      Platform: { Name: "Docker Engine - Community" },
      ApiVersion: "1.50",
      Components: [{ ...body.Components[0], Version: "28.2.2", Details: { ...body.Components[0].Details, ApiVersion: "1.50", MinAPIVersion: "1.24" } }],
    };
    const output = new ScriptedEngine().on("GET", "/version", { body: current }).run("docker version");
    expect(output.stdout).toContain(" API version:       1.50\n");
    expect(output.stdout).toContain("\n\nServer: Docker Engine - Community\n Engine:\n  Version:          28.2.2\n  API version:      1.50 (minimum version 1.24)\n");
  });

  it("supports --format templates", () => {
    const engine = new ScriptedEngine().on("GET", "/version", { body: apiStep("api-system", "GET /v1.41/version").body });
    expect(engine.run("docker version --format '{{.Server.Version}} {{.Client.Version}}'").stdout).toBe("20.10.24+dfsg1 28.2.2\n");
  });
});

describe("docker info", () => {
  // Runtimes come from a Go map, printed in random order: compare that line's names as a set.
  const sortRuntimes = (text: string): string => text.replace(/^( Runtimes:) (.*)$/m, (_line, label: string, names: string) => `${label} ${names.split(" ").sort().join(" ")}`);

  it("prints the recorded layout from the recorded /info answer (fixture info.json)", () => {
    const engine = new ScriptedEngine().on("GET", "/info", { body: apiStep("api-system", "GET /v1.41/info").body });
    const output = engine.run("docker info");
    const expected = expectedOutput(cliStep("info", "docker info"));
    expect({ ...output, stdout: sortRuntimes(output.stdout) }).toEqual({ ...expected, stdout: sortRuntimes(expected.stdout) });
  });

  it("prints labels, CDI directories and security option profiles", () => {
    const body = { ...(apiStep("api-system", "GET /v1.41/info").body as object), Labels: ["zone=a"], CDISpecDirs: ["/etc/cdi"], SecurityOptions: ["name=seccomp,profile=builtin", "name=cgroupns"] };
    const output = new ScriptedEngine().on("GET", "/info", { body }).run("docker info");
    expect(output.stdout).toContain("  Log: awslogs fluentd gcplogs gelf journald json-file local logentries splunk syslog\n CDI spec directories:\n  /etc/cdi\n");
    expect(output.stdout).toContain(" Security Options:\n  seccomp\n   Profile: builtin\n  cgroupns\n");
    expect(output.stdout).toContain(" Labels:\n  zone=a\n Experimental: false\n");
  });
});

describe("docker pull", () => {
  const unreachable = cliStep("pull", "docker pull alpine").stderr.replace(/^Error response from daemon: /, "").trimEnd();

  it("prints the default tag, then the daemon's error (fixture pull.json)", () => {
    const engine = new ScriptedEngine().on("POST", "/images/create", daemonError(500, unreachable));
    expect(engine.run("docker pull alpine")).toEqual(expectedOutput(cliStep("pull", "docker pull alpine")));
    expect(engine.requests[0]!.query).toEqual({ fromImage: "docker.io/library/alpine", tag: "latest" });
    expect(engine.run("docker pull doesnotexist/nope:1")).toEqual(expectedOutput(cliStep("pull", "docker pull doesnotexist/nope:1")));
  });

  const progress = [
    { status: "Pulling from library/alpine", id: "latest" },
    { status: "Pulling fs layer", progressDetail: {}, id: "f18232174bc9" },
    { status: "Downloading", progressDetail: { current: 1_000_000, total: 3_642_881 }, progress: "[=>  ]", id: "f18232174bc9" },
    { status: "Verifying Checksum", progressDetail: {}, id: "f18232174bc9" },
    { status: "Download complete", progressDetail: {}, id: "f18232174bc9" },
    { status: "Extracting", progressDetail: { current: 3_642_881, total: 3_642_881 }, id: "f18232174bc9" },
    { status: "Pull complete", progressDetail: {}, id: "f18232174bc9" },
    { status: "Digest: sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c" },
    { status: "Status: Downloaded newer image for alpine:latest" },
  ];

  it("prints only the lines without a progress bar when not on a terminal", () => {
    const output = new ScriptedEngine().on("POST", "/images/create", { body: progress }).run("docker pull alpine");
    expect(output).toEqual({
      stdout:
        "Using default tag: latest\nlatest: Pulling from library/alpine\nf18232174bc9: Pulling fs layer\nf18232174bc9: Verifying Checksum\n" +
        "f18232174bc9: Download complete\nf18232174bc9: Pull complete\nDigest: sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c\n" +
        "Status: Downloaded newer image for alpine:latest\ndocker.io/library/alpine:latest\n",
      stderr: "",
      exitCode: 0,
    });
  });

  it("redraws each layer's line in place on a terminal (jsonmessage escapes)", () => {
    const output = new ScriptedEngine().on("POST", "/images/create", { body: progress }).run("docker pull alpine:latest", { tty: true, columns: 120 });
    const erase = "\x1b[2K\r";
    expect(output.stdout).toBe(
      "latest: Pulling from library/alpine\n" +
        `\n\x1b[1A${erase}f18232174bc9: Pulling fs layer \r\x1b[1B` +
        `\x1b[1A${erase}f18232174bc9: Downloading [=============>                                     ]      1MB/3.64MB\r\x1b[1B` +
        `\x1b[1A${erase}f18232174bc9: Verifying Checksum \r\x1b[1B` +
        `\x1b[1A${erase}f18232174bc9: Download complete \r\x1b[1B` +
        `\x1b[1A${erase}f18232174bc9: Extracting [==================================================>]   3.64MB/3.64MB\r\x1b[1B` +
        `\x1b[1A${erase}f18232174bc9: Pull complete \r\x1b[1B` +
        "Digest: sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c\nStatus: Downloaded newer image for alpine:latest\ndocker.io/library/alpine:latest\n",
    );
  });

  it("keeps one line per layer and moves up by the layer's distance from the bottom", () => {
    const display = displayJsonMessages(
      [
        { status: "Pulling fs layer", progressDetail: {}, id: "a" },
        { status: "Pulling fs layer", progressDetail: {}, id: "b" },
        { status: "Pull complete", progressDetail: {}, id: "a" },
      ],
      { terminal: true, columns: 80, nowWallMs: 0 },
    );
    expect(display.text).toBe("\n\x1b[1A\x1b[2K\ra: Pulling fs layer \r\x1b[1B\n\x1b[1A\x1b[2K\rb: Pulling fs layer \r\x1b[1B\x1b[2A\x1b[2K\ra: Pull complete \r\x1b[2B");
  });

  it("shows the time left when the progress has a start time and the terminal is wide enough", () => {
    const display = displayJsonMessages([{ status: "Downloading", progressDetail: { current: 1_000_000, total: 4_000_000, start: 100 }, id: "a" }], {
      terminal: true,
      columns: 80,
      nowWallMs: 110_000,
    });
    expect(display.text).toBe("\n\x1b[1A\x1b[2K\ra: Downloading      1MB/4MB 30s\r\x1b[1B");
    expect(goDurationSeconds(3723)).toBe("1h2m3s");
  });

  it("prints an error inside the progress stream without the daemon prefix", () => {
    const output = new ScriptedEngine()
      .on("POST", "/images/create", { body: [{ status: "Pulling from library/alpine", id: "latest" }, { errorDetail: { message: "unexpected EOF" }, error: "unexpected EOF" }] })
      .run("docker pull alpine");
    expect(output).toEqual({ stdout: "Using default tag: latest\nlatest: Pulling from library/alpine\n", stderr: "unexpected EOF\n", exitCode: 1 });
  });

  it("rejects an invalid reference with distribution/reference's text", () => {
    expect(new ScriptedEngine().run("docker pull Alpine")).toEqual({
      stdout: "",
      stderr: "invalid reference format: repository name (library/Alpine) must be lowercase\n",
      exitCode: 1,
    });
  });
});

describe("usage errors (fixture cli-usage-errors.json)", () => {
  for (const command of ["docker run --bogus alpine", "docker ps --bogus", "docker run", "docker frobnicate", "docker stop", "docker rm"]) {
    it(command, () => {
      expect(new ScriptedEngine().run(command)).toEqual(expectedOutput(cliStep("cli-usage-errors", command)));
    });
  }

  it("uses the invoked path in errors of alias commands", () => {
    expect(new ScriptedEngine().run("docker container stop").stderr).toBe(
      "docker: 'docker container stop' requires at least 1 argument\n\nUsage:  docker container stop [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'docker container stop --help' for more information\n",
    );
    expect(new ScriptedEngine().run("docker network frobnicate")).toEqual({
      stdout: "",
      stderr: "docker: unknown command: docker network frobnicate\n\nUsage:  docker network COMMAND\n\nRun 'docker network --help' for more information\n",
      exitCode: 1,
    });
  });

  it("prints help with --help and the version with --version", () => {
    const help = new ScriptedEngine().run("docker ps --help");
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage:  docker ps \[OPTIONS\]\n\nList containers\n\nAliases:\n  docker container ls, docker container list, docker container ps, docker ps\n/);
    expect(new ScriptedEngine().run("docker --version").stdout).toBe("Docker version 28.2.2, build e6534b4\n");
  });
});
