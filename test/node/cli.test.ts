// End-to-end tests of the `swarmsim` command line, through a child process running
// `tsx src/node/cli.ts`: a full run, two shards merged into the same result, usage errors.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsxCli = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const fixture = "test/node/fixtures/election-experiment.ts";
let directory = "";

function swarmsim(...argumentsList: string[]): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [tsxCli, "src/node/cli.ts", ...argumentsList], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

afterAll(async () => {
  if (directory !== "") await rm(directory, { recursive: true, force: true });
});

describe("swarmsim experiment", () => {
  it("runs a file, then two shards whose merge writes the same result", async () => {
    directory = await mkdtemp(join(tmpdir(), "swarmsim-cli-test-"));
    const full = swarmsim("experiment", fixture, "--workers", "2", "--out", join(directory, "full"));
    expect(full.stderr).toBe("");
    expect(full.status).toBe(0);
    expect(full.stdout).toContain("fixture-election: 8 seeds");
    expect(full.stdout).toMatch(/electionMs\s+8\s/);
    expect(full.stdout).not.toContain("\x1b"); // no progress bar: stdout is not a terminal
    for (const shard of ["1/2", "2/2"]) {
      const run = swarmsim("experiment", fixture, `--shard=${shard}`, "--workers", "1", "--out", join(directory, "shards"));
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`(shard ${shard} of 8)`);
    }
    const merge = swarmsim("experiment", "merge", join(directory, "shards"));
    expect(merge.status).toBe(0);
    expect(merge.stdout).toContain("merged 2 shards, 8 seeds");
    for (const file of ["result.json", "result.csv", "summary.csv"]) {
      expect(await readFile(join(directory, "shards", file), "utf8")).toBe(await readFile(join(directory, "full", file), "utf8"));
    }
  });

  it("reports usage errors with the usage and exit code 2", () => {
    for (const argumentsList of [[], ["experiment"], ["experiment", fixture, "--shard", "3/2"], ["experiment", fixture, "--workers", "zero"], ["experiment", fixture, "--colour"], ["launch"]]) {
      const run = swarmsim(...argumentsList);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain("Usage:\n  swarmsim experiment FILE");
      expect(run.stdout).toBe("");
    }
    const shard = swarmsim("experiment", fixture, "--shard", "3/2");
    expect(shard.stderr.split("\n")[0]).toBe("swarmsim: invalid --shard 3/2: expected 1 <= k <= n");
  });

  it("runs an experiment whose workers fill the cores in a Node process started again with --single-threaded, once", () => {
    const run = swarmsim("experiment", "test/node/fixtures/relaunch-probe.ts", "--workers", String(availableParallelism()));
    expect(run.stderr.split("\n")[0]).toBe("probe: single-threaded relaunched=1");
    expect(run.status).toBe(1); // the probe is not an experiment: the relaunched process's exit code comes back
    if (availableParallelism() > 1) {
      const fewer = swarmsim("experiment", "test/node/fixtures/relaunch-probe.ts", "--workers", "1");
      expect(fewer.stderr.split("\n")[0]).toBe("probe: default relaunched=no");
    }
  });

  it("fails with exit code 1 on a file that is not an experiment", () => {
    const run = swarmsim("experiment", "test/node/fixtures/not-an-experiment.ts");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^swarmsim: error: .*default export must be an experiment definition/);
  });
});
