// Tests of the Node-only experiment runner: worker-thread results identical to the in-process
// run, shards merged back into the single run, result files, the progress bar.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { experiment, mergeResults, toJson } from "swarmsim/testing";
import { formatProgressLine, mergeResultsDirectory, ProgressBar, runExperimentFile, sliceSeeds, writeExperimentResults } from "../../src/node/index.js";
import election from "./fixtures/election-experiment.js";

const electionFile = fileURLToPath(new URL("./fixtures/election-experiment.ts", import.meta.url));
const temporaryDirectories: string[] = [];

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "swarmsim-node-test-"));
  temporaryDirectories.push(directory);
  return directory;
}

afterAll(async () => {
  for (const directory of temporaryDirectories) await rm(directory, { recursive: true, force: true });
});

describe("runExperimentFile", () => {
  const inProcess = experiment(election);

  it("gives in worker threads exactly the in-process result", async () => {
    const progress: number[] = [];
    const result = await runExperimentFile(electionFile, { workers: 2, progress: false, onProgress: (done) => progress.push(done) });
    expect(toJson(result)).toBe(toJson(inProcess));
    expect(progress.at(-1)).toBe(8);
  });

  it("runs shards 1/2 and 2/2 whose merge equals the single run", async () => {
    const first = await runExperimentFile(electionFile, { workers: 2, progress: false, shard: { index: 1, count: 2 } });
    const second = await runExperimentFile(electionFile, { workers: 1, progress: false, shard: { index: 2, count: 2 } });
    expect(first.rows.map((row) => row.seed)).toEqual(["fixture-election/0", "fixture-election/1", "fixture-election/2", "fixture-election/3"]);
    expect(toJson(mergeResults([first, second]))).toBe(toJson(inProcess));
    // Through files: each shard in its folder, merged from the parent folder.
    const directory = await temporaryDirectory();
    await writeExperimentResults(join(directory, "b"), second, { index: 2, count: 2, seedsTotal: 8 });
    await writeExperimentResults(join(directory, "a"), first, { index: 1, count: 2, seedsTotal: 8 });
    const merged = await mergeResultsDirectory(directory);
    expect(toJson(merged.result)).toBe(toJson(inProcess));
  });

  it("reports a missing shard by number", async () => {
    const directory = await temporaryDirectory();
    const first = experiment({ ...election, shard: { index: 1, count: 3 } });
    await writeExperimentResults(join(directory, "one"), first, { index: 1, count: 3, seedsTotal: 8 });
    await expect(mergeResultsDirectory(directory)).rejects.toThrow(/missing shards 2\/3, 3\/3/);
  });

  it("writes result.json, result.csv and summary.csv", async () => {
    const directory = await temporaryDirectory();
    const files = await writeExperimentResults(directory, inProcess);
    expect(await readFile(files.json, "utf8")).toBe(toJson(inProcess));
    const csv = (await readFile(files.csv, "utf8")).split("\n");
    expect(csv[0]).toBe("seed,electionMs,term");
    expect(csv).toHaveLength(10);
    const summary = (await readFile(files.summaryCsv, "utf8")).split("\n");
    expect(summary[0]).toBe("measure,count,mean,median,p90,p99,max");
    expect(summary[1]).toMatch(/^electionMs,8,/);
  });

  it("reports a module without an experiment as its default export", async () => {
    const notAnExperiment = fileURLToPath(new URL("./fixtures/not-an-experiment.ts", import.meta.url));
    await expect(runExperimentFile(notAnExperiment, { workers: 1, progress: false })).rejects.toThrow(/default export must be an experiment definition/);
  });

  it("cuts seeds into contiguous slices in order", () => {
    const seeds = Array.from({ length: 10 }, (_, index) => `s${index}`);
    expect(sliceSeeds(seeds, 1).flat()).toEqual(seeds);
    expect(sliceSeeds([], 4)).toEqual([[]]);
    expect(sliceSeeds(seeds, 4)).toHaveLength(10);
  });
});

describe("ProgressBar", () => {
  it("is silent when the stream is not a terminal", () => {
    const written: string[] = [];
    const bar = new ProgressBar({ total: 10, stream: { isTTY: false, write: (text: string) => written.push(text) } });
    bar.update(5);
    bar.finish();
    expect(written).toEqual([]);
  });

  it("draws the count, rate and time left on a terminal", () => {
    const written: string[] = [];
    let nowMs = 0;
    const bar = new ProgressBar({ total: 100, label: "election", stream: { isTTY: true, columns: 100, write: (text: string) => written.push(text) }, nowMs: () => nowMs });
    nowMs = 2_000;
    bar.update(50);
    bar.finish();
    expect(written[0]).toContain("50/100 seeds");
    expect(written[0]).toContain("25.0 seeds/s");
    expect(written[0]).toContain("ETA 00:02");
    expect(written.at(-1)).toBe("\n");
    expect(formatProgressLine({ done: 0, total: 10, elapsedMs: 0 })).toContain("ETA --:--");
  });
});
