/// <reference types="node" />
/**
 * Node-only: experiment results on disk. `writeExperimentResults` writes `result.json`,
 * `result.csv` and `summary.csv` (and `shard.json` for a shard) to a folder;
 * `mergeResultsDirectory` finds the shards under a folder and merges them into exactly what a
 * single run gives; `formatSummaryTable` prints a summary as an aligned table.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mergeResults, type ExperimentResult } from "../testing/experiment.js";
import { toCsv, toJson, type Summary } from "../testing/statistics.js";

/** Bound `mergeDirectoryEntriesMax`: most folder entries `mergeResultsDirectory` looks at. */
export const mergeDirectoryEntriesMax = 100_000;
/** Bound `mergeDirectoryDepthMax`: how deep below the folder `mergeResultsDirectory` looks for shards. */
export const mergeDirectoryDepthMax = 3;
/** Bound `resultFileBytesMax`: largest result file read back, bytes. */
export const resultFileBytesMax = 1_000_000_000;

/** The marker `shard.json` files carry. */
export const shardFormat = "swarmsim-experiment-shard/1";

/** What `shard.json` holds: which slice of which experiment the `result.json` next to it is. */
export interface ShardManifest {
  /** Always `shardFormat`. */
  readonly format: typeof shardFormat;
  /** The experiment's name. */
  readonly name: string;
  /** This shard's index, 1-based. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
  /** Seeds of the whole experiment (every shard). */
  readonly seedsTotal: number;
}

/** The files written by {@link writeExperimentResults}. */
export interface WrittenResultFiles {
  /** `result.json`: the whole result (`toJson`). */
  readonly json: string;
  /** `result.csv`: one row per seed. */
  readonly csv: string;
  /** `summary.csv`: one row per measure (count, mean, median, p90, p99, max). */
  readonly summaryCsv: string;
  /** `shard.json`, for a shard. */
  readonly shard?: string;
}

const summaryColumns = ["measure", "count", "mean", "median", "p90", "p99", "max"] as const;

/** The summary as CSV: `measure,count,mean,median,p90,p99,max`, one line per measure. */
export function summaryToCsv(summary: Readonly<Record<string, Summary>>): string {
  return toCsv(Object.entries(summary).map(([measure, values]) => ({ measure, ...values })), summaryColumns);
}

/**
 * Writes `result.json`, `result.csv` and `summary.csv` (and `shard.json` when `shard` is given)
 * into `directory`, creating it. Deterministic text: the same result gives the same bytes.
 */
export async function writeExperimentResults<M extends string>(directory: string, result: ExperimentResult<M>, shard?: Omit<ShardManifest, "format" | "name">): Promise<WrittenResultFiles> {
  await mkdir(directory, { recursive: true });
  const files = { json: join(directory, "result.json"), csv: join(directory, "result.csv"), summaryCsv: join(directory, "summary.csv") };
  await writeFile(files.json, toJson(result));
  await writeFile(files.csv, toCsv(result.rows, ["seed", ...Object.keys(result.summary)]));
  await writeFile(files.summaryCsv, summaryToCsv(result.summary));
  if (shard === undefined) return files;
  const manifest: ShardManifest = { format: shardFormat, name: result.name, index: shard.index, count: shard.count, seedsTotal: shard.seedsTotal };
  const shardFile = join(directory, "shard.json");
  await writeFile(shardFile, toJson(manifest));
  return { ...files, shard: shardFile };
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8");
  if (text.length > resultFileBytesMax) throw new Error(`${file} is larger than the resultFileBytesMax bound (${resultFileBytesMax})`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Revives a result read from JSON: `null` summary fields (NaN when written) become NaN again. */
function reviveResult(value: unknown, file: string): ExperimentResult {
  const candidate = value as Partial<ExperimentResult> | null;
  if (typeof candidate !== "object" || candidate === null || typeof candidate.name !== "string" || !Array.isArray(candidate.rows) || typeof candidate.summary !== "object" || candidate.summary === null) {
    throw new Error(`${file}: not an experiment result ({ name, rows, summary })`);
  }
  const summary: Record<string, Summary> = {};
  for (const [measure, values] of Object.entries(candidate.summary as unknown as Record<string, Record<string, number | null>>)) {
    const number = (key: string) => (typeof values[key] === "number" ? values[key] : Number.NaN);
    summary[measure] = { count: number("count"), mean: number("mean"), median: number("median"), p90: number("p90"), p99: number("p99"), max: number("max") };
  }
  return { name: candidate.name, rows: candidate.rows, summary };
}

async function findShardManifests(directory: string, depth: number, found: string[], budget: { entries: number }): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  budget.entries += entries.length;
  if (budget.entries > mergeDirectoryEntriesMax) throw new Error(`more than the mergeDirectoryEntriesMax bound (${mergeDirectoryEntriesMax}) of entries under the merge folder`);
  for (const entry of entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0))) {
    const path = join(directory, entry.name);
    if (entry.isFile() && entry.name === "shard.json") found.push(path);
    else if (entry.isDirectory() && depth < mergeDirectoryDepthMax) await findShardManifests(path, depth + 1, found, budget);
  }
}

/** What {@link mergeResultsDirectory} gives: the merged result and the shards it used. */
export interface MergedDirectory {
  /** The merged result: exactly what a single run over every seed gives. */
  readonly result: ExperimentResult;
  /** The shard folders, in shard order. */
  readonly shardDirectories: readonly string[];
}

/**
 * Finds every shard (`shard.json` next to `result.json`) under `directory` (up to
 * `mergeDirectoryDepthMax` levels down) and merges them. All shards 1..n of one experiment must
 * be there exactly once; the merged result equals the single run's, summary included.
 */
export async function mergeResultsDirectory(directory: string): Promise<MergedDirectory> {
  const manifests: string[] = [];
  await findShardManifests(directory, 0, manifests, { entries: 0 });
  if (manifests.length === 0) throw new Error(`no shard results under ${directory} (looked for shard.json next to result.json, written by \`swarmsim experiment FILE --shard k/n\`)`);
  const shards: Array<{ manifest: ShardManifest; directory: string; result: ExperimentResult }> = [];
  for (const file of manifests) {
    const manifest = (await readJson(file)) as Partial<ShardManifest>;
    if (manifest.format !== shardFormat || typeof manifest.name !== "string" || !Number.isInteger(manifest.index) || !Number.isInteger(manifest.count) || !Number.isInteger(manifest.seedsTotal)) {
      throw new Error(`${file}: not a swarmsim shard manifest`);
    }
    const shardDirectory = join(file, "..");
    const result = reviveResult(await readJson(join(shardDirectory, "result.json")), join(shardDirectory, "result.json"));
    shards.push({ manifest: manifest as ShardManifest, directory: shardDirectory, result });
  }
  const first = shards[0]!.manifest;
  for (const shard of shards) {
    const { manifest } = shard;
    if (manifest.name !== first.name || manifest.count !== first.count || manifest.seedsTotal !== first.seedsTotal) {
      throw new Error(`shards of different runs under ${directory}: ${JSON.stringify(first.name)} ${first.count} shards of ${first.seedsTotal} seeds (${shards[0]!.directory}) and ${JSON.stringify(manifest.name)} ${manifest.count} shards of ${manifest.seedsTotal} seeds (${shard.directory})`);
    }
  }
  const byIndex = new Map<number, (typeof shards)[number]>();
  for (const shard of shards) {
    const other = byIndex.get(shard.manifest.index);
    if (other !== undefined) throw new Error(`shard ${shard.manifest.index}/${first.count} appears twice: ${other.directory} and ${shard.directory}`);
    byIndex.set(shard.manifest.index, shard);
  }
  const missing = Array.from({ length: first.count }, (_, index) => index + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) throw new Error(`missing shard${missing.length === 1 ? "" : "s"} ${missing.map((index) => `${index}/${first.count}`).join(", ")} under ${directory}`);
  const ordered = Array.from({ length: first.count }, (_, index) => byIndex.get(index + 1)!);
  const result = mergeResults(ordered.map((shard) => shard.result));
  if (result.rows.length !== first.seedsTotal) throw new Error(`the shards hold ${result.rows.length} rows for ${first.seedsTotal} seeds`);
  return { result, shardDirectories: ordered.map((shard) => shard.directory) };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "-";
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** A summary as an aligned text table: `measure count mean median p90 p99 max`. */
export function formatSummaryTable(summary: Readonly<Record<string, Summary>>): string {
  const rows = [summaryColumns.map(String), ...Object.entries(summary).map(([measure, values]) => [measure, ...summaryColumns.slice(1).map((key) => formatNumber(values[key as keyof Summary]))])];
  const widths = summaryColumns.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ").trimEnd()).join("\n") + "\n";
}
