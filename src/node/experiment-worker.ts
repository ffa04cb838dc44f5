/// <reference types="node" />
/**
 * Node-only: the worker thread of the experiment runner. It imports the experiment module named
 * in `workerData`, reports the experiment's name, seeds and measures, then runs the tasks the
 * main thread sends: slices of seeds (one `experiment` per seed, so progress is reported per
 * seed) and single determinism runs.
 */
import { parentPort, workerData } from "node:worker_threads";
import { experiment, experimentSeeds, mergeResults, type ExperimentResult } from "../testing/experiment.js";
import { determinismRunOptions, recordRun, type DeterminismScenario, type RunFingerprint } from "../testing/determinism.js";
import { importExperimentDefinition, type ExperimentDefinition } from "./experiment-module.js";
import type { WorkerReply, WorkerStartData, WorkerTask } from "./protocol.js";

function post(reply: WorkerReply): void {
  parentPort!.postMessage(reply);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function runSeeds(definition: ExperimentDefinition, task: Extract<WorkerTask, { kind: "experiment" }>): ExperimentResult {
  const base = { name: definition.name, scenario: definition.scenario, measure: definition.measure };
  if (task.seeds.length === 0) return experiment({ ...base, seeds: [] });
  const perSeed: ExperimentResult[] = [];
  for (const seed of task.seeds) {
    perSeed.push(experiment({ ...base, seeds: [seed] }));
    post({ kind: "progress", id: task.id, done: perSeed.length });
  }
  return mergeResults(perSeed);
}

function sameFingerprint(left: RunFingerprint, right: RunFingerprint): boolean {
  return left.level === right.level && left.recordedCount === right.recordedCount && left.traceHash === right.traceHash && left.eventCount === right.eventCount && left.nowMs === right.nowMs;
}

function runTrace(definition: ExperimentDefinition, task: Extract<WorkerTask, { kind: "trace" }>): WorkerReply {
  const recording = recordRun(definition.scenario as DeterminismScenario, task.seed, determinismRunOptions(task.traceEventsMax));
  const { events, ...fingerprint } = recording;
  if (sameFingerprint(fingerprint, task.expected)) return { kind: "trace-done", id: task.id, value: { fingerprint } };
  return { kind: "trace-done", id: task.id, value: { fingerprint, eventTexts: events.map((event) => JSON.stringify(event)) } };
}

async function start(): Promise<void> {
  const data = workerData as WorkerStartData;
  let definition: ExperimentDefinition;
  try {
    definition = await importExperimentDefinition(data.moduleUrl);
    const seeds = experimentSeeds(definition.name, definition.seeds);
    post({ kind: "ready", info: { name: definition.name, seeds: data.reportSeeds ? seeds : [], measures: Object.keys(definition.measure) } });
  } catch (error) {
    post({ kind: "load-error", message: messageOf(error) });
    return;
  }
  parentPort!.on("message", (task: WorkerTask) => {
    try {
      if (task.kind === "experiment") post({ kind: "experiment-done", id: task.id, result: runSeeds(definition, task) });
      else post(runTrace(definition, task));
    } catch (error) {
      post({ kind: "task-error", id: task.id, message: messageOf(error) });
    }
  });
}

await start();
