// Scheduler benchmark: swarmkit's BenchmarkScheduler workloads (manager/scheduler/
// scheduler_test.go) run through the pure scheduler: 1k nodes with 1k, 10k and 100k tasks,
// 100k nodes with 100k tasks, and 5k nodes with 100k tasks constrained to every third node.
// All tasks of a workload belong to one service (one task group); swarmkit's benchmark makes
// service-less tasks scheduled one by one, and its constrained variant uses a network plugin
// present on every third node, where this one uses a node label. The timed part is one
// `scheduleTasks` call (building node information from the state included); the state is built
// beforehand. Best of `repetitions` runs. Run alone with `npx tsx bench/scheduler.ts`.
import { pathToFileURL } from "node:url";
import seedrandom from "seedrandom";
import { scheduleTasks } from "../src/swarm/scheduler/index.js";
import type { ClusterState, Service, SwarmNode, Task, TaskSpec } from "../src/swarm/types.js";

/** One workload's figures. */
export interface SchedulerWorkloadResult {
  readonly name: string;
  readonly nodes: number;
  readonly tasks: number;
  readonly constrained: boolean;
  /** Tasks the scheduler placed (all of them, or the run is reported as wrong). */
  readonly placed: number;
  /** Best wall time of one scheduling pass, in seconds. */
  readonly seconds: number;
  readonly tasksPerSecond: number;
}

/** The benchmark's figures. */
export interface SchedulerBenchResult {
  readonly workloads: readonly SchedulerWorkloadResult[];
  /** Time for 100k tasks over time for 10k tasks, on 1k nodes (10 is linear). */
  readonly growthFactor10kTo100k: number;
}

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A generator of 25-character ids like swarmkit's identity.NewID, seeded. */
function idGenerator(seed: string): () => string {
  const random = seedrandom.alea(seed);
  return () => {
    let id = "";
    for (let index = 0; index < 25; index++) id += idAlphabet[Math.floor(random() * idAlphabet.length)];
    return id;
  };
}

function taskSpec(constraints: readonly string[]): TaskSpec {
  return {
    container: { image: "nginx:latest", command: null, args: null, env: [], labels: {}, stopGracePeriodMs: null },
    resources: { limits: { nanoCpus: 0, memoryBytes: 0 }, reservations: { nanoCpus: 0, memoryBytes: 0 } },
    restartPolicy: { condition: "any", delayMs: 5_000, maxAttempts: 0, windowMs: 0 },
    placement: { constraints, preferences: [], maxReplicas: 0, platforms: [] },
    forceUpdate: 0,
  };
}

/** The cluster of one workload: ready nodes (every third labelled `special=true`) and pending tasks of one service. */
export function benchmarkState(nodeCount: number, taskCount: number, constrained: boolean): ClusterState {
  const newId = idGenerator(`bench-scheduler-${nodeCount}-${taskCount}`);
  const nodes: Record<string, SwarmNode> = {};
  for (let index = 0; index < nodeCount; index++) {
    const id = newId();
    nodes[id] = {
      id,
      version: 1,
      createdAt: 0,
      updatedAt: 0,
      spec: { name: `name${index}`, labels: index % 3 === 0 ? { special: "true" } : {}, desiredRole: "worker", availability: "active" },
      role: "worker",
      description: {
        hostname: `name${index}`,
        platform: { architecture: "x86_64", os: "linux" },
        resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
        engine: { engineVersion: "28.0.0", labels: {} },
      },
      status: { state: "ready", message: "", address: "10.0.0.1" },
      managerStatus: null,
    };
  }
  const spec = taskSpec(constrained ? ["node.labels.special==true"] : []);
  const update = { parallelism: 1, delayMs: 0, failureAction: "pause" as const, monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" as const };
  const service: Service = {
    id: "benchservice",
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    spec: { name: "bench", labels: {}, task: spec, mode: { kind: "replicated", replicas: taskCount }, update, rollback: update, endpoint: { mode: "vip", ports: [] } },
    previousSpec: null,
    endpoint: { ports: [], virtualIps: [] },
    updateStatus: null,
  };
  const tasks: Record<string, Task> = {};
  for (let index = 0; index < taskCount; index++) {
    const id = `task${index}`;
    tasks[id] = {
      id,
      version: 1,
      createdAt: 0,
      updatedAt: 0,
      serviceId: service.id,
      slot: index + 1,
      nodeId: "",
      spec,
      serviceVersion: 1,
      status: { timestamp: 0, state: "pending", message: "", error: "", containerId: null, pid: 0, exitCode: null },
      desiredState: "running",
      name: `bench.${index + 1}`,
    };
  }
  return { cluster: null, nodes, services: { [service.id]: service }, tasks };
}

function runWorkload(name: string, nodeCount: number, taskCount: number, constrained: boolean, repetitions: number): SchedulerWorkloadResult {
  const state = benchmarkState(nodeCount, taskCount, constrained);
  let seconds = Infinity;
  let placed = 0;
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const start = performance.now();
    const decisions = scheduleTasks(state, { nowMs: 0 });
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
    placed = decisions.assignments.length;
  }
  return { name, nodes: nodeCount, tasks: taskCount, constrained, placed, seconds, tasksPerSecond: taskCount / seconds };
}

/** Runs every workload (best of `repetitions`) and returns the rates and the growth factor. */
export function benchScheduler(repetitions = 5): SchedulerBenchResult {
  const workloads = [
    runWorkload("1k nodes, 1k tasks", 1_000, 1_000, false, repetitions),
    runWorkload("1k nodes, 10k tasks", 1_000, 10_000, false, repetitions),
    runWorkload("1k nodes, 100k tasks", 1_000, 100_000, false, repetitions),
    runWorkload("100k nodes, 100k tasks", 100_000, 100_000, false, repetitions),
    runWorkload("5k nodes, 100k tasks, constraint on every third node", 5_000, 100_000, true, repetitions),
  ];
  return { workloads, growthFactor10kTo100k: workloads[2]!.seconds / workloads[1]!.seconds };
}

/** The figures as printable lines. */
export function formatSchedulerBench(result: SchedulerBenchResult): string[] {
  const lines = result.workloads.map(
    (workload) =>
      `  ${workload.name.padEnd(54)} ${(workload.seconds * 1000).toFixed(0).padStart(6)} ms  ${Math.round(workload.tasksPerSecond).toLocaleString("en-US").padStart(11)} tasks/s` +
      (workload.placed === workload.tasks ? "" : `  (placed only ${workload.placed})`),
  );
  lines.push(`  growth from 10k to 100k tasks on 1k nodes: x${result.growthFactor10kTo100k.toFixed(1)} (linear: x10)`);
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log("scheduler: swarmkit's BenchmarkScheduler workloads, one scheduling pass each; best of 5");
  for (const line of formatSchedulerBench(benchScheduler())) console.log(line);
}
