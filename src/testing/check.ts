/**
 * `check`: runs a fast-check property and, when it fails, throws an Error that tells how to
 * replay it: the seed, the fast-check path, the shrunk counterexample (fault schedules printed
 * one fault a line) and a one-line `check(property, { seed, path })` snippet.
 */
import fc from "fast-check";
import { formatFault, isFaultSchedule } from "./arbitraries.js";

/** The host's console, present in Node and in browsers (declared here: the library compiles without DOM or Node types). */
declare const console: { log(message: string): void };

/** Options for `check`. */
export interface CheckOptions {
  /** Number of generated cases. Default 100 (fast-check's default). */
  readonly numRuns?: number;
  /** Seed to replay; without it fast-check picks one, which the failure message prints. */
  readonly seed?: number;
  /** fast-check path of the shrunk case to replay (needs `seed`). */
  readonly path?: string;
  /** Print the seed of every run, and pass fast-check's verbose mode on. Default false. */
  readonly verbose?: boolean;
}

/** What a passing `check` ran. */
export interface CheckResult {
  /** The seed the run used (replay it with `check(property, { seed })`). */
  readonly seed: number;
  /** Number of cases that ran. */
  readonly numRuns: number;
}

/** The error `check` throws when a property fails. */
export class PropertyFailure extends Error {
  /** The run's seed. */
  readonly seed: number;
  /** fast-check's path to the shrunk counterexample. */
  readonly path: string;
  /** The shrunk counterexample: the property's arguments. */
  readonly counterexample: readonly unknown[];

  /** @internal */
  constructor(message: string, details: { seed: number; path: string; counterexample: readonly unknown[]; cause: unknown }) {
    super(message, { cause: details.cause });
    this.name = "PropertyFailure";
    this.seed = details.seed;
    this.path = details.path;
    this.counterexample = details.counterexample;
  }
}

/** Indents every line but the first of a multi-line text. */
function indentFollowing(text: string, indent: string): string {
  return text.split("\n").join(`\n${indent}`);
}

/**
 * A readable form of one generated value: fault schedules one fault a line, records holding a
 * fault schedule one property a line, anything else as fast-check prints it.
 */
export function describeValue(value: unknown, indent = ""): string {
  if (isFaultSchedule(value)) {
    const lines = value.map((event) => `${indent}  ${formatFault(event)}`);
    return [`fault schedule (${value.length} fault${value.length === 1 ? "" : "s"}):`, ...lines].join("\n");
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).some(isFaultSchedule)) {
    const lines = Object.entries(value).map(([key, entry]) => `${indent}  ${key}: ${describeValue(entry, `${indent}  `)}`);
    return ["{", ...lines, `${indent}}`].join("\n");
  }
  return indentFollowing(fc.stringify(value), indent);
}

/** The message of a failed property's error (see `check`). */
function failureMessage(
  details: { readonly numRuns: number; readonly numShrinks: number; readonly seed: number; readonly errorInstance: unknown },
  counterexample: readonly unknown[], path: string): string {
  const cause = details.errorInstance;
  const causeText = cause instanceof Error ? cause.message : String(cause);
  const lines = [
    `Property failed after ${details.numRuns} test${details.numRuns === 1 ? "" : "s"} (shrunk ${details.numShrinks} time${details.numShrinks === 1 ? "" : "s"})`,
    `seed: ${details.seed}, path: "${path}"`,
    "counterexample:",
    ...counterexample.map((value, index) => `  [${index}] ${describeValue(value, "  ")}`),
    `error: ${indentFollowing(causeText, "  ")}`,
    `replay: check(property, { seed: ${details.seed}, path: ${JSON.stringify(path)} })`,
  ];
  return lines.join("\n");
}

/**
 * Runs a synchronous fast-check property. Passing, it returns the seed used; failing, it throws
 * a `PropertyFailure` whose message holds the seed, the path, the shrunk counterexample (fault
 * schedules as `formatFault` lines) and the line that replays exactly that case.
 *
 * @example
 * ```ts
 * check(fc.property(arbitraries.faultSchedule({ durationMs: 10_000, hosts }), (schedule) => {
 *   const sim = Simulation.swarm({ seed: "p", managers: 3 });
 *   applyFaultSchedule(sim, schedule);
 *   sim.runFor(20_000);
 *   return sim.leader() !== undefined;
 * }), { numRuns: 20 });
 * ```
 */
export function check<Values extends unknown[]>(property: fc.IProperty<Values>, options: CheckOptions = {}): CheckResult {
  if (options.path !== undefined && options.seed === undefined) throw new RangeError("check: a path replays only together with its seed");
  const parameters: fc.Parameters<Values> = {
    ...(options.numRuns === undefined ? {} : { numRuns: options.numRuns }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.verbose === true ? { verbose: fc.VerbosityLevel.Verbose } : {}),
  };
  const details = fc.check(property, parameters);
  if (options.verbose === true) console.log(`[check] seed ${details.seed}: ${details.numRuns} runs, ${details.failed ? "failed" : "passed"}`);
  if (!details.failed) return { seed: details.seed, numRuns: details.numRuns };
  const counterexample: readonly unknown[] = details.counterexample ?? [];
  const path = details.counterexamplePath ?? "";
  const message = failureMessage(details, counterexample, path);
  throw new PropertyFailure(message, { seed: details.seed, path, counterexample, cause: details.errorInstance });
}
