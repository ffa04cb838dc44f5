// Tests for the flag parser and docker's usage-error and help output. Every expected stderr
// text and exit code below was captured from the real docker CLI 28.2.2 client (no daemon):
// `docker <args> >out 2>err; echo $?`. Help texts: `docker ps --help`, `docker network ls --help`,
// `docker network --help` (stdout), captured verbatim.
import { describe, expect, it } from "vitest";
import { parseCommandLine, type CommandDefinition } from "../../src/cli/flags.js";
import { helpOutput } from "../../src/cli/help.js";
import { unknownCommandOutput, usageErrorOutput, commandFailureOutput, type CommandOutput } from "../../src/cli/usage-errors.js";
import { dockerExec, dockerImages, dockerLogs, dockerNetwork, dockerNetworkLs, dockerPs, dockerRoot, dockerRun } from "./docker-commands.js";

/** What `docker <command> <args>` prints when parsing fails or asks for help; null when it would run. */
function invoke(command: CommandDefinition, args: string[]): CommandOutput | null {
  const outcome = parseCommandLine(command, args);
  if (!outcome.ok) return usageErrorOutput(command, outcome.error);
  if (outcome.value.help) return helpOutput(command, outcome.value);
  return null;
}

function parsed(command: CommandDefinition, args: string[]) {
  const outcome = parseCommandLine(command, args);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value;
}

const runUsage = "\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n";
const psUsage = "\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n";

describe("flag errors (exit 125 for every command)", () => {
  it.each([
    [dockerRun, ["--bogus", "alpine"], "unknown flag: --bogus" + runUsage],
    [dockerPs, ["-z"], "unknown shorthand flag: 'z' in -z" + psUsage],
    [dockerPs, ["--bogus"], "unknown flag: --bogus" + psUsage],
    [dockerPs, ["--a"], "unknown flag: --a" + psUsage],
    [dockerRun, ["-dz", "alpine"], "unknown shorthand flag: 'z' in -z" + runUsage],
    [dockerRun, ["-n"], "unknown shorthand flag: 'n' in -n" + runUsage],
    [dockerRun, ["--name"], "flag needs an argument: --name" + runUsage],
    [dockerRun, ["-e"], "flag needs an argument: 'e' in -e" + runUsage],
    [dockerRun, ["-h"], "flag needs an argument: 'h' in -h" + runUsage],
    [dockerPs, ["--format"], "flag needs an argument: --format" + psUsage],
    [dockerPs, ["--filter"], "flag needs an argument: --filter" + psUsage],
    [dockerPs, ["-an"], "flag needs an argument: 'n' in -n" + psUsage],
    [dockerPs, ["---x"], "bad flag syntax: ---x" + psUsage],
    [dockerRun, ["-m", "abc", "alpine"], `invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'` + runUsage],
    [dockerRun, ["--memory=", "alpine"], `invalid argument "" for "-m, --memory" flag: invalid size: ''` + runUsage],
    [dockerRun, ["-m", "1.5x", "alpine"], `invalid argument "1.5x" for "-m, --memory" flag: invalid suffix: 'x'` + runUsage],
    [dockerRun, ["-m", "-1", "alpine"], `invalid argument "-1" for "-m, --memory" flag: invalid size: '-1'` + runUsage],
    [dockerRun, ["--cpus", "abc", "alpine"], `invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number` + runUsage],
    [dockerRun, ["--cpus=", "alpine"], `invalid argument "" for "--cpus" flag: failed to parse  as a rational number` + runUsage],
    [dockerRun, ["--cpus", "1/3", "alpine"], `invalid argument "1/3" for "--cpus" flag: value is too precise` + runUsage],
    [dockerRun, ["-d=maybe", "alpine"], `invalid argument "maybe" for "-d, --detach" flag: strconv.ParseBool: parsing "maybe": invalid syntax` + runUsage],
    [dockerRun, ["--rm=yes", "alpine"], `invalid argument "yes" for "--rm" flag: strconv.ParseBool: parsing "yes": invalid syntax` + runUsage],
    [dockerPs, ["-n", "abc"], `invalid argument "abc" for "-n, --last" flag: strconv.ParseInt: parsing "abc": invalid syntax` + psUsage],
    [dockerPs, ["--last=x"], `invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax` + psUsage],
    [
      dockerPs,
      ["-n", "99999999999999999999", "x"],
      `invalid argument "99999999999999999999" for "-n, --last" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range` + psUsage,
    ],
    [dockerPs, ["--no-trunc=foo"], `invalid argument "foo" for "--no-trunc" flag: strconv.ParseBool: parsing "foo": invalid syntax` + psUsage],
    [dockerRoot, ["--bogus", "ps"], "unknown flag: --bogus\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\nRun 'docker --help' for more information\n"],
    [dockerRoot, ["-z", "ps"], "unknown shorthand flag: 'z' in -z\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\nRun 'docker --help' for more information\n"],
    [dockerNetwork, ["--bogus"], "unknown flag: --bogus\n\nUsage:  docker network\n\nRun 'docker network --help' for more information\n"],
  ] as const)("%s %j", (command, args, stderr) => {
    expect(invoke(command, [...args])).toEqual({ stdout: "", stderr, exitCode: 125 });
  });

  it("reports a flag error before an argument-count error (docker ps --bogus x)", () => {
    expect(invoke(dockerPs, ["--bogus", "x"])?.exitCode).toBe(125);
  });
});

describe("argument-count errors (exit 1)", () => {
  it.each([
    [dockerRun, [], "docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information\n"],
    [dockerRun, ["-it"], "docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information\n"],
    [dockerExec, ["abc"], "docker: 'docker exec' requires at least 2 arguments\n\nUsage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nSee 'docker exec --help' for more information\n"],
    [dockerPs, ["a"], "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [dockerPs, ["-a=false", "x"], "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [dockerPs, ["-an5", "x"], "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [dockerPs, ["-"], "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    // "SRun" is a typo in docker/cli v28.2.2 cli/required.go RequiresMaxArgs; the real binary prints it.
    [dockerImages, ["a", "b"], "docker: 'docker images' requires at most 1 argument\n\nUsage:  docker images [OPTIONS] [REPOSITORY[:TAG]]\n\nSRun 'docker images --help' for more information\n"],
    [dockerLogs, [], "docker: 'docker logs' requires 1 argument\n\nUsage:  docker logs [OPTIONS] CONTAINER\n\nRun 'docker logs --help' for more information\n"],
    [dockerLogs, ["a", "b"], "docker: 'docker logs' requires 1 argument\n\nUsage:  docker logs [OPTIONS] CONTAINER\n\nRun 'docker logs --help' for more information\n"],
    [dockerNetworkLs, ["x"], "docker: 'docker network ls' accepts no arguments\n\nUsage:  docker network ls [OPTIONS]\n\nRun 'docker network ls --help' for more information\n"],
    [dockerNetwork, ["frobnicate"], "docker: unknown command: docker network frobnicate\n\nUsage:  docker network\n\nRun 'docker network --help' for more information\n"],
  ] as const)("%s %j", (command, args, stderr) => {
    expect(invoke(command, [...args])).toEqual({ stdout: "", stderr, exitCode: 1 });
  });

  it("formats the range rule as docker's RequiresRangeArgs", () => {
    const command: CommandDefinition = { path: "docker x", usage: "docker x A [B]", description: "", flags: [], arguments: { kind: "between", minimum: 1, maximum: 2 } };
    expect(invoke(command, [])?.stderr).toBe("docker: 'docker x' requires at least 1 and at most 2 arguments\n\nUsage:  docker x A [B]\n\nRun 'docker x --help' for more information\n");
  });
});

describe("unknown commands and runtime failures", () => {
  it("prints docker's unknown command text (docker frobnicate: exit 1)", () => {
    expect(unknownCommandOutput("frobnicate")).toEqual({
      stdout: "",
      stderr: "docker: unknown command: docker frobnicate\n\nRun 'docker --help' for more information\n",
      exitCode: 1,
    });
    expect(unknownCommandOutput("frobnicate", dockerNetwork).stderr).toBe(
      "docker: unknown command: docker network frobnicate\n\nUsage:  docker network\n\nRun 'docker network --help' for more information\n",
    );
  });

  it("decorates run failures with help (docker run -d -- alpine without a daemon: exit 125)", () => {
    expect(commandFailureOutput("run", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")).toEqual({
      stdout: "",
      stderr: "docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n\nRun 'docker run --help' for more information\n",
      exitCode: 125,
    });
  });
});

describe("parsing", () => {
  it("parses long, short, combined and attached forms", () => {
    const line = parsed(dockerRun, ["-dit", "--name", "web", "-e", "A=1", "--env=B=2", "-eC=3", "-m512m", "--rm=false", "nginx", "-g", "daemon off;"]);
    expect(line.bool("detach")).toBe(true);
    expect(line.bool("interactive")).toBe(true);
    expect(line.bool("tty")).toBe(true);
    expect(line.string("name")).toBe("web");
    expect(line.list("env")).toEqual(["A=1", "B=2", "C=3"]);
    expect(line.string("memory")).toBe("512m");
    expect(line.bool("rm")).toBe(false);
    expect(line.changed("rm")).toBe(true);
    expect(line.changed("publish")).toBe(false);
    expect(line.positionals).toEqual(["nginx", "-g", "daemon off;"]);
  });

  it("stops at the first positional when flags may not be interspersed (docker run alpine --help runs the container)", () => {
    const line = parsed(dockerRun, ["alpine", "--help", "-d", "--", "x"]);
    expect(line.help).toBe(false);
    expect(line.bool("detach")).toBe(false);
    expect(line.positionals).toEqual(["alpine", "--help", "-d", "--", "x"]);
  });

  it("takes flags after positionals when interspersed, and everything after --", () => {
    const line = parsed({ ...dockerLogs, arguments: { kind: "any" } }, ["web", "-f", "--", "-x", "--follow"]);
    expect(line.bool("follow")).toBe(true);
    expect(line.positionals).toEqual(["web", "-x", "--follow"]);
    expect(line.dashPosition).toBe(1);
  });

  it("gives defaults and keeps the last value of a repeated single-value flag", () => {
    expect(parsed(dockerPs, []).int("last")).toBe(-1);
    expect(parsed(dockerPs, ["-n", "3", "--last=0x10"]).int("last")).toBe(16);
    expect(parsed(dockerPs, ["-n=5"]).int("last")).toBe(5);
    expect(parsed(dockerPs, ["-aq=1"]).bool("quiet")).toBe(true);
    expect(parsed(dockerPs, ["--all=F"]).bool("all")).toBe(false);
  });

  it("treats a bool flag's next word as a positional (docker run --rm false: image 'false')", () => {
    expect(parsed(dockerRun, ["--rm", "false"]).positionals).toEqual(["false"]);
  });

  it("keeps a list flag's default values and replaces a stringArray's", () => {
    const command: CommandDefinition = {
      path: "docker x",
      usage: "docker x",
      description: "",
      flags: [
        { name: "list", kind: "list", default: ["a"], description: "" },
        { name: "array", kind: "stringArray", default: ["a"], description: "" },
      ],
    };
    const line = parsed(command, ["--list", "b", "--array", "b", "--array", "c"]);
    expect(line.list("list")).toEqual(["a", "b"]);
    expect(line.list("array")).toEqual(["b", "c"]);
  });

  it("throws on a programming error: reading an undeclared flag or with the wrong kind", () => {
    const line = parsed(dockerPs, []);
    expect(() => line.string("nope")).toThrow(TypeError);
    expect(() => line.string("all")).toThrow(TypeError);
  });
});

describe("help", () => {
  it("prints docker ps --help exactly, and skips the argument check (docker ps --help x: exit 0)", () => {
    const expected = PS_HELP;
    expect(invoke(dockerPs, ["--help", "x"])).toEqual({ stdout: expected, stderr: "", exitCode: 0 });
    expect(invoke(dockerPs, ["-a", "--help"])).toEqual({ stdout: expected, stderr: "", exitCode: 0 });
  });

  it("prints the -h deprecation notice first (docker ps -h)", () => {
    expect(invoke(dockerPs, ["-h"])?.stdout).toBe("Flag shorthand -h has been deprecated, use --help\n" + PS_HELP);
  });

  it("prints docker network ls --help exactly", () => {
    expect(invoke(dockerNetworkLs, ["--help"])?.stdout).toBe(NETWORK_LS_HELP);
  });

  it("prints docker network --help exactly", () => {
    expect(invoke(dockerNetwork, ["--help"])?.stdout).toBe(NETWORK_HELP);
  });
});

// Captured with `docker ps --help > ps-help.txt` (docker 28.2.2, output not a terminal).
const PS_HELP = `Usage:  docker ps [OPTIONS]

List containers

Aliases:
  docker container ls, docker container list, docker container ps, docker ps

Options:
  -a, --all             Show all containers (default shows just running)
  -f, --filter filter   Filter output based on conditions provided
      --format string   Format output using a custom template:
                        'table':            Print output in table format
                        with column headers (default)
                        'table TEMPLATE':   Print output in table format
                        using the given Go template
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given
                        Go template.
                        Refer to https://docs.docker.com/go/formatting/
                        for more information about formatting output with
                        templates
  -n, --last int        Show n last created containers (includes all
                        states) (default -1)
  -l, --latest          Show the latest created container (includes all
                        states)
      --no-trunc        Don't truncate output
  -q, --quiet           Only display container IDs
  -s, --size            Display total file sizes
`;

// Captured with `docker network ls --help`.
const NETWORK_LS_HELP = `Usage:  docker network ls [OPTIONS]

List networks

Aliases:
  docker network ls, docker network list

Options:
  -f, --filter filter   Provide filter values (e.g. "driver=bridge")
      --format string   Format output using a custom template:
                        'table':            Print output in table format
                        with column headers (default)
                        'table TEMPLATE':   Print output in table format
                        using the given Go template
                        'json':             Print in JSON format
                        'TEMPLATE':         Print output using the given
                        Go template.
                        Refer to https://docs.docker.com/go/formatting/
                        for more information about formatting output with
                        templates
      --no-trunc        Do not truncate the output
  -q, --quiet           Only display network IDs
`;

// Captured with `docker network --help`.
const NETWORK_HELP = `Usage:  docker network COMMAND

Manage networks

Commands:
  connect     Connect a container to a network
  create      Create a network
  disconnect  Disconnect a container from a network
  inspect     Display detailed information on one or more networks
  ls          List networks
  prune       Remove all unused networks
  rm          Remove one or more networks

Run 'docker network COMMAND --help' for more information on a command.
`;
