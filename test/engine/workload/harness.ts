// Test harness for container programs: a fake shim that starts the program as its child
// (dying with it), records every message the program sends and its exit, and sends it signals
// at chosen virtual times.
import { SimulationKernel } from "../../../src/sim/simulation.js";
import type { ProcessBehaviour, ProcessExit } from "../../../src/sim/process.js";
import { ociVersion, type OciSpec } from "../../../src/containerd/oci.js";
import { createProgram } from "../../../src/engine/workload/programs.js";

/** One message the shim received, with its virtual arrival time. */
export interface Received {
  readonly timeMs: number;
  readonly message: { stdio?: "stdout" | "stderr"; text?: string; oom?: true };
}

/** What the shim saw. */
export interface ShimRecord {
  readonly received: Received[];
  exit: (ProcessExit & { timeMs: number }) | null;
}

/** Options for a spec: args, env, limits, terminal. */
export interface SpecOptions {
  readonly env?: readonly string[];
  readonly memoryLimitBytes?: number;
  readonly cpuQuota?: number;
  readonly terminal?: boolean;
}

/** A minimal OCI spec running `args`. */
export function specFor(args: readonly string[], options: SpecOptions = {}): OciSpec {
  return {
    ociVersion,
    process: {
      terminal: options.terminal ?? false,
      user: { uid: 0, gid: 0 },
      args,
      env: options.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=c0ffee"],
      cwd: "/",
    },
    root: { path: "rootfs" },
    hostname: "c0ffee",
    mounts: [],
    linux: {
      namespaces: [{ type: "pid" }],
      resources: {
        ...(options.memoryLimitBytes === undefined ? {} : { memory: { limit: options.memoryLimitBytes } }),
        ...(options.cpuQuota === undefined ? {} : { cpu: { quota: options.cpuQuota, period: 100_000 } }),
      },
    },
  };
}

/** Runs `spec` under a fake shim; signals are sent at the given times (ms after start). */
export function runProgram(
  spec: OciSpec,
  signals: readonly { atMs: number; signal: string }[] = [],
  seed = "programs",
): { sim: SimulationKernel; record: ShimRecord } {
  const sim = new SimulationKernel({ seed, startTime: "2025-01-01T00:00:00Z" });
  sim.addHost("node1");
  const record: ShimRecord = { received: [], exit: null };
  const shim: ProcessBehaviour = {
    start(context) {
      context.spawn("program", createProgram({ spec, shimProcess: "shim" }), { diesWithParent: true });
      for (const { atMs, signal } of signals) context.setTimer(atMs, signal);
    },
    timer(context, payload) {
      context.send(context.host, "program", { signal: payload as string });
    },
    receive(context, message) {
      record.received.push({ timeMs: context.now, message: message as Received["message"] });
    },
    exited(context, exit) {
      record.exit = { ...exit, timeMs: context.now };
    },
  };
  sim.spawn("node1", "shim", shim);
  return { sim, record };
}

/** The text lines received on one stream. */
export function lines(record: ShimRecord, stdio?: "stdout" | "stderr"): string[] {
  return record.received
    .filter((entry) => entry.message.text !== undefined && (stdio === undefined || entry.message.stdio === stdio))
    .map((entry) => entry.message.text!);
}
