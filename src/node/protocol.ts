/// <reference types="node" />
/**
 * Node-only: the messages between the experiment runner (main thread) and its worker threads.
 * Plain, structured-cloneable objects; every task carries an id that its replies repeat.
 */
import type { ExperimentResult } from "../testing/experiment.js";
import type { RunFingerprint } from "../testing/determinism.js";

/** What a worker thread is started with (`workerData`). */
export interface WorkerStartData {
  /** URL of the experiment module. */
  readonly moduleUrl: string;
  /** URL of the worker module to import after tsx (if any) is registered. */
  readonly workerModuleUrl: string;
  /** URL of tsx's ESM API, when TypeScript must be loaded. */
  readonly tsxApiUrl?: string;
  /** Whether this worker reports the full seed list when ready (the first one does). */
  readonly reportSeeds: boolean;
}

/** A task for a worker. */
export type WorkerTask =
  | { readonly id: number; readonly kind: "experiment"; readonly seeds: readonly string[] }
  | { readonly id: number; readonly kind: "trace"; readonly seed: string; readonly expected: RunFingerprint; readonly traceEventsMax: number };

/** What the experiment module defines, as a worker reports it when ready. */
export interface ExperimentInfo {
  /** The experiment's name. */
  readonly name: string;
  /** Its seeds, in order (only from the worker asked for them; empty otherwise). */
  readonly seeds: readonly string[];
  /** Its measure names, in order. */
  readonly measures: readonly string[];
}

/** The value a finished trace task gives: the worker's fingerprint, and its events (as JSON) when it differs from the expected one. */
export interface TraceTaskValue {
  /** The worker run's fingerprint. */
  readonly fingerprint: RunFingerprint;
  /** Retained events as JSON, only when the fingerprint differs from the expected one. */
  readonly eventTexts?: readonly string[];
}

/** A message from a worker. */
export type WorkerReply =
  | { readonly kind: "ready"; readonly info: ExperimentInfo }
  | { readonly kind: "load-error"; readonly message: string }
  | { readonly kind: "progress"; readonly id: number; readonly done: number }
  | { readonly kind: "experiment-done"; readonly id: number; readonly result: ExperimentResult }
  | { readonly kind: "trace-done"; readonly id: number; readonly value: TraceTaskValue }
  | { readonly kind: "task-error"; readonly id: number; readonly message: string };
