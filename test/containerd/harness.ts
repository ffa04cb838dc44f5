// Test harness for containerd: a test double of the workload programs, a minimal OCI spec, and a
// client process that runs coroutines against containerd and collects the events it publishes.
import { SimulationKernel as Simulation } from "../../src/sim/simulation.js";
import { containerdProcessName, type ContainerdEventMessage } from "../../src/containerd/api.js";
import { makeContainerdProcess } from "../../src/containerd/containerd.js";
import { ociVersion, type OciSpec } from "../../src/containerd/oci.js";
import { RpcProcess, type Coroutine, type RpcHandlers } from "../../src/sim/coroutine.js";
import type { ProcessAddress } from "../../src/sim/events.js";
import type { ProcessBehaviour } from "../../src/sim/process.js";
import type { ProgramOptions, SignalMessage, StdioMessage } from "../../src/engine/workload/protocol.js";
import { signalNumbers } from "../../src/containerd/signals.js";

/** A 64-hex-digit container id made from a short name. */
export function containerId(name: string): string {
  let hex = "";
  for (const character of name) hex += character.charCodeAt(0).toString(16).padStart(2, "0");
  return (hex + "0".repeat(64)).slice(0, 64);
}

/** A minimal OCI spec running `args`. */
export function specFor(args: readonly string[]): OciSpec {
  return {
    ociVersion,
    process: { terminal: false, user: { uid: 0, gid: 0 }, args, env: ["PATH=/usr/bin"], cwd: "/" },
    root: { path: "rootfs" },
    hostname: "test",
    mounts: [],
    linux: { namespaces: [{ type: "pid" }] },
  };
}

/**
 * A test double of the workload programs, chosen by `args[0]`:
 * - `serve`: prints "ready", runs until a signal ends it (128 + signal number);
 * - `stubborn`: like serve, but ignores SIGTERM;
 * - `exit <code> <delayMs>`: exits with `code` after `delayMs`;
 * - `oom <delayMs>`: reports an OOM kill after `delayMs` and exits with 137.
 */
export function testProgram(options: ProgramOptions): ProcessBehaviour {
  const [kind = "serve", first = "0", second = "0"] = options.spec.process.args;
  const write = (context: { send: (host: string, process: string, message: unknown) => void; host: string }, text: string) =>
    context.send(context.host, options.shimProcess, { stdio: "stdout", text } satisfies StdioMessage);
  return {
    start(context) {
      write(context, "ready");
      if (kind === "exit") context.setTimer(Number(second), "exit");
      if (kind === "oom") context.setTimer(Number(first), "oom");
    },
    timer(context, payload) {
      if (payload === "exit") context.exit(Number(first));
      if (payload === "oom") {
        context.send(context.host, options.shimProcess, { oom: true });
        context.exit(137);
      }
    },
    receive(context, message) {
      const { signal } = message as SignalMessage;
      if (signal === undefined) return;
      write(context, `got ${signal}`);
      if (kind === "stubborn" && signal === "SIGTERM") return;
      context.exit(128 + (signalNumbers[signal] ?? 0));
    },
  };
}

/** A process that runs test coroutines and collects containerd's events. */
export class Client extends RpcProcess {
  /** Every containerd event received, in order. */
  readonly events: ContainerdEventMessage["containerdEvent"][] = [];

  protected handlers(): RpcHandlers {
    return {};
  }

  protected override onMessage(message: unknown, from: ProcessAddress): void {
    const event = (message as Partial<ContainerdEventMessage>).containerdEvent;
    if (event === undefined) return super.onMessage(message, from);
    this.events.push(event);
  }

  /** Runs a coroutine in this process. */
  execute<T>(coroutine: Coroutine<T>, finish: (error: unknown, result: T | undefined) => void): void {
    this.run(coroutine, finish);
  }
}

/** Runs `coroutine` in `client` until it ends; returns its result or throws its error. */
export function perform<T>(sim: Simulation, client: Client, coroutine: () => Coroutine<T>, timeoutMs = 60_000): T {
  let outcome: { error: unknown } | { value: T | undefined } | null = null;
  sim.schedule(0, () =>
    client.execute(coroutine(), (error, value) => {
      outcome = error === undefined ? { value } : { error };
    }),
  );
  if (!sim.runUntil(() => outcome !== null, { timeoutMs })) throw new Error(`coroutine did not finish within ${timeoutMs}ms`);
  const settled = outcome as unknown as { error: unknown } | { value: T };
  if ("error" in settled) throw settled.error;
  return settled.value;
}

/** The error a coroutine throws (fails when it succeeds). */
export function failure(sim: Simulation, client: Client, coroutine: () => Coroutine<unknown>): { code: string; message: string } {
  try {
    perform(sim, client, coroutine);
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error("expected the call to fail");
}

/** A simulation with host `h1`, containerd (started at boot) and a client process named "client". */
export function setup(seed = "containerd"): { sim: Simulation; client: Client } {
  const sim = new Simulation({ seed });
  sim.addHost("h1");
  sim.spawn("h1", containerdProcessName, makeContainerdProcess({ programFactory: testProgram }), { startOnBoot: true });
  const client = new Client();
  sim.spawn("h1", "client", client);
  return { sim, client };
}
