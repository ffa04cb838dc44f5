// Tests of when the `swarmsim` executable starts Node again for an experiment, and with which
// arguments: only to run an experiment whose workers fill the cores, only once, keeping the
// interpreter's own options.
import { describe, expect, it } from "vitest";
import { experimentProcessFlags, relaunchArguments, relaunchedVariable, workersMax } from "../../src/node/index.js";

const script = "/bin/swarmsim";

describe("relaunchArguments", () => {
  it("adds the flags after the interpreter's options, then the script and the command", () => {
    expect(experimentProcessFlags).toEqual(["--single-threaded"]);
    expect(relaunchArguments(["experiment", "e.ts", "--workers", "2"], ["--import", "tsx"], script, {}, 2)).toEqual([
      "--import",
      "tsx",
      "--single-threaded",
      script,
      "experiment",
      "e.ts",
      "--workers",
      "2",
    ]);
    expect(relaunchArguments(["experiment", "e.ts", "--shard=1/2"], [], script, {}, 8)).toEqual(["--single-threaded", script, "experiment", "e.ts", "--shard=1/2"]);
    expect(relaunchArguments(["experiment", "e.ts", "--workers=4"], [], script, {}, 4)).not.toBeNull();
  });

  it("runs anything but an experiment in this process", () => {
    for (const command of [[], ["experiment", "merge", "results"], ["experiment", "e.ts", "--help"], ["serve"], ["replay", "log"], ["--help"]]) {
      expect(relaunchArguments(command, [], script, {}, 2)).toBeNull();
    }
  });

  it("leaves an experiment with fewer workers than cores, or an unreadable count, in this process", () => {
    expect(relaunchArguments(["experiment", "e.ts", "--workers", "1"], [], script, {}, 2)).toBeNull();
    expect(relaunchArguments(["experiment", "e.ts", "--workers=3"], [], script, {}, 8)).toBeNull();
    expect(relaunchArguments(["experiment", "e.ts", "--workers", "zero"], [], script, {}, 2)).toBeNull();
    // By default as many workers as cores, up to workersMax.
    expect(relaunchArguments(["experiment", "e.ts"], [], script, {}, workersMax + 1)).toBeNull();
    expect(relaunchArguments(["experiment", "e.ts"], [], script, {}, workersMax)).not.toBeNull();
  });

  it("never relaunches twice: not with the flags already set, nor from the relaunched process", () => {
    expect(relaunchArguments(["experiment", "e.ts"], [...experimentProcessFlags], script, {}, 2)).toBeNull();
    expect(relaunchArguments(["experiment", "e.ts"], [], script, { [relaunchedVariable]: "1" }, 2)).toBeNull();
  });
});
