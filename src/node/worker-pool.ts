/// <reference types="node" />
/**
 * Node-only: a bounded pool of worker threads that each load one experiment module, and hand
 * out tasks to whichever worker is idle. Closures cannot cross to a worker, so every worker
 * imports the module itself (through tsx for TypeScript files).
 */
import { Worker } from "node:worker_threads";
import { fileUrlOf, workerStartUrls } from "./experiment-module.js";
import type { ExperimentInfo, WorkerReply, WorkerStartData, WorkerTask } from "./protocol.js";

/** Bound `workersMax`: most worker threads one pool starts. */
export const workersMax = 64;
/** Bound `workerStartTimeoutMs`: longest wait for a worker to load the experiment module, real ms. */
export const workerStartTimeoutMs = 120_000;

/** Replies of a finished task (progress is reported through the callback). */
type TaskReply = Extract<WorkerReply, { kind: "experiment-done" | "trace-done" }>;

interface PendingTask {
  readonly task: WorkerTask;
  readonly resolve: (reply: TaskReply) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress?: (done: number) => void;
}

/** The code every worker starts with: register tsx when needed, then import the worker module. */
const bootstrapSource = `
const { workerData } = await import("node:worker_threads");
if (workerData.tsxApiUrl) {
  const api = await import(workerData.tsxApiUrl);
  api.register();
}
await import(workerData.workerModuleUrl);
`;

/** A pool of worker threads running one experiment module. */
export class ExperimentWorkerPool {
  /** What the module defines (seeds reported by the first worker). */
  readonly info: ExperimentInfo;
  private readonly workers: Worker[];
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, PendingTask>();
  private readonly queue: PendingTask[] = [];
  private nextId = 1;
  private failure: Error | undefined;
  private closed = false;

  private constructor(workers: Worker[], info: ExperimentInfo) {
    this.workers = workers;
    this.info = info;
    for (const worker of workers) {
      this.idle.push(worker);
      worker.on("message", (reply: WorkerReply) => this.receive(worker, reply));
      worker.on("error", (error) => this.fail(error instanceof Error ? error : new Error(String(error))));
      worker.on("exit", (code) => {
        if (!this.closed) this.fail(new Error(`a worker thread exited unexpectedly (code ${code})`));
      });
    }
  }

  /**
   * Starts `count` workers (1..`workersMax`) on the experiment module `file` and waits until
   * every one has loaded it; a module that fails to load rejects with its error.
   */
  static async start(file: string, count: number): Promise<ExperimentWorkerPool> {
    if (!Number.isInteger(count) || count < 1 || count > workersMax) throw new RangeError(`invalid worker count ${JSON.stringify(count)}: expected a whole number from 1 to ${workersMax} (the workersMax bound)`);
    const moduleUrl = fileUrlOf(file);
    const urls = workerStartUrls(moduleUrl);
    const bootstrapUrl = new URL(`data:text/javascript,${encodeURIComponent(bootstrapSource)}`);
    const workers: Worker[] = [];
    const readiness: Array<Promise<ExperimentInfo>> = [];
    for (let index = 0; index < count; index++) {
      const data: WorkerStartData = { moduleUrl, ...urls, reportSeeds: index === 0 };
      const worker = new Worker(bootstrapUrl, { workerData: data, execArgv: [] });
      workers.push(worker);
      readiness.push(
        new Promise<ExperimentInfo>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`a worker did not load ${file} within ${workerStartTimeoutMs} ms (the workerStartTimeoutMs bound)`)), workerStartTimeoutMs);
          timer.unref(); // never keeps the process alive by itself
          const settle = () => clearTimeout(timer);
          worker.once("exit", (code) => {
            settle();
            reject(new Error(`a worker thread exited while loading ${file} (code ${code})`));
          });
          worker.once("message", (reply: WorkerReply) => {
            settle();
            if (reply.kind === "ready") resolve(reply.info);
            else if (reply.kind === "load-error") reject(new Error(reply.message));
            else reject(new Error(`unexpected first message from a worker: ${reply.kind}`));
          });
          worker.once("error", (error) => {
            settle();
            reject(error instanceof Error ? error : new Error(String(error)));
          });
        }),
      );
    }
    try {
      const infos = await Promise.all(readiness);
      return new ExperimentWorkerPool(workers, infos[0]!);
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /** Runs a slice of seeds in the next idle worker; `onProgress` gets the count done so far in this slice. */
  runSeeds(seeds: readonly string[], onProgress?: (done: number) => void): Promise<Extract<TaskReply, { kind: "experiment-done" }>> {
    return this.submit({ id: this.nextId++, kind: "experiment", seeds }, onProgress) as Promise<Extract<TaskReply, { kind: "experiment-done" }>>;
  }

  /** Runs one determinism run of a seed in the next idle worker. */
  runTrace(task: Omit<Extract<WorkerTask, { kind: "trace" }>, "id" | "kind">): Promise<Extract<TaskReply, { kind: "trace-done" }>> {
    return this.submit({ id: this.nextId++, kind: "trace", ...task }) as Promise<Extract<TaskReply, { kind: "trace-done" }>>;
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private submit(task: WorkerTask, onProgress?: (done: number) => void): Promise<TaskReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("the worker pool is closed"));
    return new Promise<TaskReply>((resolve, reject) => {
      this.queue.push({ task, resolve, reject, ...(onProgress === undefined ? {} : { onProgress }) });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.shift()!;
      const pending = this.queue.shift()!;
      this.running.set(worker, pending);
      worker.postMessage(pending.task);
    }
  }

  private receive(worker: Worker, reply: WorkerReply): void {
    const pending = this.running.get(worker);
    if (pending === undefined) return;
    if (reply.kind === "progress") {
      pending.onProgress?.(reply.done);
      return;
    }
    this.running.delete(worker);
    this.idle.push(worker);
    if (reply.kind === "task-error") pending.reject(new Error(reply.message));
    else if (reply.kind === "experiment-done" || reply.kind === "trace-done") pending.resolve(reply);
    else pending.reject(new Error(`unexpected message from a worker: ${reply.kind}`));
    this.dispatch();
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const pending of [...this.running.values(), ...this.queue]) pending.reject(error);
    this.running.clear();
    this.queue.length = 0;
  }
}
