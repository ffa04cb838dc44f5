/// <reference types="node" />
/**
 * Node-only: the `swarmsim` command line. `swarmsim experiment FILE [--shard k/n] [--workers N]
 * [--out DIR]` runs an experiment module in worker threads and writes its results;
 * `swarmsim experiment merge DIR [--out DIR]` merges shards; `serve`, `fault` and `replay` are
 * live mode (`live-commands.ts`). Usage errors print the usage and give exit code 2; failures
 * give exit code 1.
 */
import { join } from "node:path";
import { writeExperimentResults, mergeResultsDirectory, formatSummaryTable } from "./results.js";
import { runExperimentFile } from "./runner.js";
import { workersMax } from "./worker-pool.js";
import { faultCommand, LiveUsageError, replayCommand, serveCommand } from "./live-commands.js";

/** Exit code of a usage error. */
export const usageExitCode = 2;
/** Exit code of a failed run. */
export const failureExitCode = 1;
/** Default parent folder of results: `swarmsim-results/<experiment name>`. */
export const defaultResultsDirectory = "swarmsim-results";

/** The usage text. */
export const usage = `Usage:
  swarmsim experiment FILE [--shard k/n] [--workers N] [--out DIR]
      Run the experiment that FILE (.js, .mjs or .ts) exports as default, in worker threads.
      Writes result.json, result.csv and summary.csv to DIR (default ${defaultResultsDirectory}/<name>);
      with --shard k/n, only the k-th of n slices of the seeds, into DIR/shard-k-of-n.
  swarmsim experiment merge DIR [--out DIR]
      Merge the shards found under DIR into the result of a single run (written to --out, default DIR).
  swarmsim serve [--seed S] [--managers 3] [--workers 2] [--speed 1] [--port P] [--log FILE]
      Run a swarm on the wall clock (times --speed) and serve each host's Engine API on 127.0.0.1
      (ports from P, or free ones) for the real docker CLI; --log writes the session for replay.
  swarmsim fault (--crash|--restart|--isolate HOST | --kill HOST:PROCESS | --heal) [--admin URL]
      Inject a fault into the running serve session.
  swarmsim replay LOG
      Rebuild a logged serve session and check every answer against the log.
Options:
  --shard k/n    run the k-th (1-based) of n contiguous slices of the seeds
  --workers N    worker threads, 1 to ${workersMax} (default: the available cores)
  --out DIR      where to write the results
  -h, --help     show this help
`;

/** A wrong command line: reported with the usage and exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Where the command line writes. */
export interface CommandLineIo {
  /** Normal output (results, tables). */
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  /** Errors and usage. */
  readonly stderr: { write(text: string): unknown };
}

/** An `experiment` command line's options: positionals, flags with their values, whether help was asked. */
export interface ParsedOptions {
  readonly positionals: string[];
  readonly flags: Map<string, string>;
  readonly help: boolean;
}

const flagsWithValue = new Set(["--shard", "--workers", "--out"]);

/** Parses an `experiment` command line (after the command); throws a {@link UsageError} for a bad option. */
export function parseOptions(argumentsList: readonly string[]): ParsedOptions {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  let help = false;
  for (let index = 0; index < argumentsList.length; index++) {
    const argument = argumentsList[index]!;
    if (argument === "-h" || argument === "--help") {
      help = true;
      continue;
    }
    if (argument === "--") {
      positionals.push(...argumentsList.slice(index + 1));
      break;
    }
    if (argument.startsWith("-") && argument !== "-") {
      const equals = argument.indexOf("=");
      const name = equals === -1 ? argument : argument.slice(0, equals);
      if (!flagsWithValue.has(name)) throw new UsageError(`unknown option ${name}`);
      let value: string | undefined;
      if (equals !== -1) value = argument.slice(equals + 1);
      else {
        value = argumentsList[index + 1];
        index++;
      }
      if (value === undefined || value === "") throw new UsageError(`option ${name} needs a value`);
      if (flags.has(name)) throw new UsageError(`option ${name} given twice`);
      flags.set(name, value);
      continue;
    }
    positionals.push(argument);
  }
  return { positionals, flags, help };
}

/** Parses `k/n` of `--shard`. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (match === null) throw new UsageError(`invalid --shard ${JSON.stringify(text)}: expected k/n, e.g. 1/4`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) throw new UsageError(`invalid --shard ${text}: expected 1 <= k <= n`);
  return { index, count };
}

/** Parses `N` of `--workers` (1 to `workersMax`); throws a {@link UsageError} otherwise. */
export function parseWorkers(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > workersMax) throw new UsageError(`invalid --workers ${JSON.stringify(text)}: expected a whole number from 1 to ${workersMax}`);
  return Number(text);
}

async function experimentCommand(argumentsList: readonly string[], io: CommandLineIo): Promise<number> {
  const options = parseOptions(argumentsList);
  if (options.help) {
    io.stdout.write(usage);
    return 0;
  }
  const [first, ...rest] = options.positionals;
  if (first === undefined) throw new UsageError("missing FILE (or merge DIR)");
  if (first === "merge") {
    if (options.flags.has("--shard") || options.flags.has("--workers")) throw new UsageError("merge takes only DIR and --out");
    if (rest.length !== 1) throw new UsageError(rest.length === 0 ? "merge: missing DIR" : `merge: unexpected argument ${rest[1]}`);
    const directory = rest[0]!;
    const merged = await mergeResultsDirectory(directory);
    const out = options.flags.get("--out") ?? directory;
    const files = await writeExperimentResults(out, merged.result);
    io.stdout.write(`${merged.result.name}: merged ${merged.shardDirectories.length} shards, ${merged.result.rows.length} seeds\n`);
    io.stdout.write(formatSummaryTable(merged.result.summary));
    io.stdout.write(`wrote ${files.json}, ${files.csv}, ${files.summaryCsv}\n`);
    return 0;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  const shardText = options.flags.get("--shard");
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  const workersText = options.flags.get("--workers");
  const workers = workersText === undefined ? undefined : parseWorkers(workersText);
  let seedsTotal = 0;
  const result = await runExperimentFile(first, {
    ...(shard === undefined ? {} : { shard }),
    ...(workers === undefined ? {} : { workers }),
    progressStream: io.stdout,
    onStart: (info) => {
      seedsTotal = info.seedsTotal;
    },
  });
  const base = options.flags.get("--out") ?? join(defaultResultsDirectory, result.name.replace(/[^A-Za-z0-9._-]+/g, "-"));
  let files;
  if (shard === undefined) {
    files = await writeExperimentResults(base, result);
  } else {
    files = await writeExperimentResults(join(base, `shard-${shard.index}-of-${shard.count}`), result, { index: shard.index, count: shard.count, seedsTotal });
  }
  io.stdout.write(`${result.name}: ${result.rows.length} seeds${shard === undefined ? "" : ` (shard ${shard.index}/${shard.count} of ${seedsTotal})`}\n`);
  io.stdout.write(formatSummaryTable(result.summary));
  io.stdout.write(`wrote ${files.json}, ${files.csv}, ${files.summaryCsv}${files.shard === undefined ? "" : `, ${files.shard}`}\n`);
  return 0;
}

/**
 * Runs the command line with `argv` (without `node` and the script) and returns the exit code:
 * 0 on success, 1 on a failed run, 2 on a usage error (with the usage on stderr).
 *
 * @example
 * ```ts
 * process.exitCode = await runCommandLine(["experiment", "election.ts", "--shard", "1/2"]);
 * ```
 */
export async function runCommandLine(argv: readonly string[], io: CommandLineIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === "-h" || command === "--help" || command === "help") {
      (command === undefined ? io.stderr : io.stdout).write(usage);
      return command === undefined ? usageExitCode : 0;
    }
    if (command === "serve") return await serveCommand(rest, io);
    if (command === "fault") return await faultCommand(rest, io);
    if (command === "replay") return replayCommand(rest, io);
    if (command !== "experiment") throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    return await experimentCommand(rest, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof LiveUsageError) {
      io.stderr.write(`swarmsim: ${error.message}\n\n${usage}`);
      return usageExitCode;
    }
    io.stderr.write(`swarmsim: error: ${error instanceof Error ? error.message : String(error)}\n`);
    return failureExitCode;
  }
}
