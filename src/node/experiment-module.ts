/// <reference types="node" />
/**
 * Node-only: loading an experiment module (a file whose default export is an experiment
 * definition: `{ name, seeds, scenario, measure }`), in the main thread or in a worker, with tsx
 * for TypeScript files, and the URLs a worker thread needs to start.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ExperimentOptions } from "../testing/experiment.js";
import type { DeterminismRunOptions } from "../testing/determinism.js";
import type { Simulation } from "../simulation.js";

/**
 * What an experiment module exports as `default`: the options of `experiment` (a `shard` in it is
 * ignored; the runner's `shard` option decides). Its scenario may take a second argument, the
 * trace options of a determinism check, to spread into the simulation's options.
 *
 * @example
 * ```ts
 * // election.experiment.ts
 * export default {
 *   name: "election",
 *   seeds: 1_000,
 *   scenario: (seed, options?) => { const sim = Simulation.swarm({ seed, managers: 3, engine: false, ...options }); ...; return sim; },
 *   measure: { electionMs: (sim) => timeToElectLeaderAfter(sim) },
 * } satisfies ExperimentDefinition;
 * ```
 */
export interface ExperimentDefinition<M extends string = string> extends Omit<ExperimentOptions<M>, "scenario" | "shard"> {
  /** Builds and drives the simulation for one seed (`options` is given by determinism checks only). */
  readonly scenario: (seed: string, options?: DeterminismRunOptions) => Simulation;
}

/** File extensions that need tsx to be imported. */
const typeScriptExtensions = new Set([".ts", ".mts", ".cts", ".tsx"]);

/** Whether a file (path or URL) is TypeScript and needs tsx to load. */
export function isTypeScriptFile(file: string): boolean {
  return typeScriptExtensions.has(extname(file.startsWith("file:") ? new URL(file).pathname : file).toLowerCase());
}

/** The absolute file URL of a path (relative paths from the current directory). */
export function fileUrlOf(file: string): string {
  return file.startsWith("file:") ? file : pathToFileURL(resolve(file)).href;
}

/**
 * The URL of tsx's ESM API (`tsx/esm/api`), resolved from the experiment file's folder first and
 * then from this package; `undefined` when tsx is not installed.
 */
export function resolveTsxApiUrl(fromFile: string): string | undefined {
  for (const base of [resolve(fromFile.startsWith("file:") ? new URL(fromFile).pathname : fromFile), new URL(import.meta.url).pathname]) {
    try {
      const required = createRequire(base).resolve("tsx/esm/api");
      const moduleFile = required.replace(/\.cjs$/, ".mjs");
      return pathToFileURL(existsSync(moduleFile) ? moduleFile : required).href;
    } catch {
      // not resolvable from there; try the next place
    }
  }
  return undefined;
}

let tsxRegistered = false;

/** Registers tsx's loader in this thread (once), so `.ts` files can be imported. */
export async function registerTsx(fromFile: string): Promise<void> {
  if (tsxRegistered) return;
  const apiUrl = resolveTsxApiUrl(fromFile);
  if (apiUrl === undefined) throw new Error(`${fromFile} is TypeScript: install tsx (npm install -D tsx) to run it, or compile it to JavaScript`);
  const api = (await import(apiUrl)) as { register: () => unknown };
  api.register();
  tsxRegistered = true;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : undefined;
}

/**
 * Imports an experiment module and checks its default export. TypeScript files that Node
 * cannot load by itself are loaded through tsx (registered on first need).
 */
export async function importExperimentDefinition(file: string): Promise<ExperimentDefinition> {
  const url = fileUrlOf(file);
  let loaded: { default?: unknown };
  try {
    loaded = (await import(url)) as { default?: unknown };
  } catch (error) {
    if (!isTypeScriptFile(url) || errorCode(error) !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    await registerTsx(url);
    loaded = (await import(url)) as { default?: unknown };
  }
  return checkExperimentDefinition(loaded.default, file);
}

/** Checks that a module's default export is an experiment definition; throws a readable error otherwise. */
export function checkExperimentDefinition(value: unknown, fileOrUrl: string): ExperimentDefinition {
  const file = fileOrUrl.startsWith("file:") ? fileURLToPath(fileOrUrl) : fileOrUrl;
  const expected = "the default export must be an experiment definition { name, seeds, scenario, measure }";
  if (typeof value !== "object" || value === null) throw new Error(`${file}: ${expected} (found ${value === undefined ? "no default export" : typeof value})`);
  const candidate = value as Partial<Record<keyof ExperimentDefinition, unknown>>;
  if (typeof candidate.name !== "string") throw new Error(`${file}: ${expected}: name must be a string`);
  if (typeof candidate.seeds !== "number" && !Array.isArray(candidate.seeds)) throw new Error(`${file}: ${expected}: seeds must be a number or a list of strings`);
  if (typeof candidate.scenario !== "function") throw new Error(`${file}: ${expected}: scenario must be a function (seed) => Simulation`);
  if (typeof candidate.measure !== "object" || candidate.measure === null) throw new Error(`${file}: ${expected}: measure must be an object of functions by name`);
  return value as ExperimentDefinition;
}

/** The URLs a worker thread starts from: the worker module (this folder's, `.ts` or `.js`) and tsx's API when needed. */
export function workerStartUrls(experimentFile: string): { workerModuleUrl: string; tsxApiUrl?: string } {
  const ownExtension = extname(new URL(import.meta.url).pathname);
  const workerModuleUrl = new URL(`./experiment-worker${ownExtension}`, import.meta.url).href;
  const needsTsx = isTypeScriptFile(workerModuleUrl) || isTypeScriptFile(experimentFile);
  if (!needsTsx) return { workerModuleUrl };
  const tsxApiUrl = resolveTsxApiUrl(experimentFile);
  if (tsxApiUrl === undefined) throw new Error(`${experimentFile} is TypeScript: install tsx (npm install -D tsx) to run it in worker threads, or compile it to JavaScript`);
  return { workerModuleUrl, tsxApiUrl };
}
