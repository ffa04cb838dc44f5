/**
 * Waiting for a service to converge after `docker service create|update|scale` without `-d`
 * (docker/cli `cli/command/service/progress`), as printed to a non-terminal: the JSON progress
 * stream through `jsonmessage.Display` with `isTerminal=false`, where messages carrying a
 * progress bar (each task's state) are dropped and the rest become `ID: text` lines —
 * `overall progress: 1 out of 3 tasks`, `1/3:  `, a task's error, `verify: Waiting 5 seconds to
 * verify that tasks are stable...` and `verify: Service helloworld converged`.
 *
 * Docker polls every 200 ms of real time until the service converged and stayed converged for
 * the update monitor period (5 s by default). Here time is the simulation's: each round is
 * followed by 200 ms of simulated time (`sleep`, as Docker sleeps 200 ms after each round; against
 * an engine without a clock to move, cheap `GET /_ping` calls let time pass instead). The
 * wait is bounded: after {@link maximumRounds} rounds (10 simulated minutes at 200 ms) or
 * {@link maximumCalls} API calls, the CLI stops waiting with the message docker prints on
 * Ctrl-C ("Operation continuing in background."), and the command succeeds.
 */
import type { EngineJson } from "../../engine/client.js";
import { shortId } from "../ids.js";
import { CommandError, type CommandContext } from "./context.js";

/** The most polling rounds one wait makes. */
export const maximumRounds = 3000;

/** The most Engine API calls one wait makes, rounds and clock-advancing calls together. */
export const maximumCalls = 60_000;

/** The polling interval of docker's progress loop, in ms. */
const roundIntervalMs = 200;

/** swarmkit task states in their order (docker/cli `numberedStates`). */
const numberedStates: Readonly<Record<string, number>> = {
  new: 1,
  allocated: 2,
  pending: 3,
  assigned: 4,
  accepted: 5,
  preparing: 6,
  ready: 7,
  starting: 8,
  running: 9,
  complete: 10,
  shutdown: 11,
  failed: 12,
  rejected: 13,
};

/** A state after running (complete, shutdown, failed, rejected). */
function terminalState(state: string): boolean {
  return (numberedStates[state] ?? 0) > numberedStates.running!;
}

/** docker/cli `truncError`: newlines as spaces, at most 75 bytes with an ellipsis. */
function truncateError(message: string): string {
  const text = message.replaceAll("\n", " ");
  return text.length > 75 ? `${text.slice(0, 74)}…` : text;
}

/** One line of the progress stream, or none for a message that carries a progress bar. */
type Emit = (id: string, text: string) => void;

/** Keeps, per key, the task docker's progress shows: the lowest desired state, then the lowest current state. */
function pickTasks(tasks: readonly EngineJson[], key: (task: EngineJson) => string, activeNodes: ReadonlySet<string> | null): Map<string, EngineJson> {
  const picked = new Map<string, EngineJson>();
  for (const task of tasks) {
    const desired = numberedStates[String(task.DesiredState)] ?? 0;
    const current = numberedStates[String(task.Status?.State)] ?? 0;
    if (desired === 0 || current === 0) continue;
    const existing = picked.get(key(task));
    if (existing) {
      const existingDesired = numberedStates[String(existing.DesiredState)] ?? 0;
      if (existingDesired < desired) continue;
      if (existingDesired === desired && (numberedStates[String(existing.Status?.State)] ?? 0) <= current) continue;
    }
    if (activeNodes !== null && task.NodeID && !activeNodes.has(String(task.NodeID))) continue;
    picked.set(key(task), task);
  }
  return picked;
}

/** The progress of one service's tasks: replicated (by slot) or global (by node). */
class ProgressUpdater {
  private initialized = false;
  private done = false;
  private readonly slotMap = new Map<number, number>();

  constructor(
    private readonly global: boolean,
    private readonly emit: Emit,
  ) {}

  private overall(running: number, total: number, rollback: boolean): void {
    this.emit("overall progress", rollback ? `rolling back update: ${running} out of ${total} tasks` : `${running} out of ${total} tasks`);
  }

  /** One round; true when every task runs. */
  update(service: EngineJson, tasks: readonly EngineJson[], activeNodes: ReadonlySet<string>, rollback: boolean): boolean {
    return this.global ? this.updateGlobal(tasks, activeNodes, rollback) : this.updateReplicated(service, tasks, activeNodes, rollback);
  }

  private updateReplicated(service: EngineJson, tasks: readonly EngineJson[], activeNodes: ReadonlySet<string>, rollback: boolean): boolean {
    const replicas = Number(service.Spec?.Mode?.Replicated?.Replicas ?? 0);
    if (!this.initialized) {
      this.overall(0, replicas, rollback);
      if (replicas <= 20) for (let slot = 1; slot <= replicas; slot++) this.emit(`${slot}/${replicas}`, " ");
      this.initialized = true;
    }
    const bySlot = pickTasks(tasks, (task) => String(task.Slot ?? 0), activeNodes);
    if (this.done && [...bySlot.values()].some((task) => task.Status?.State !== "running")) this.done = false;
    let running = 0;
    for (const task of bySlot.values()) {
      const slot = Number(task.Slot ?? 0);
      let mapped = this.slotMap.get(slot);
      if (mapped === undefined) {
        mapped = this.slotMap.size + 1;
        this.slotMap.set(slot, mapped);
      }
      if (!terminalState(String(task.DesiredState)) && task.Status?.State === "running") running++;
      if (!this.done && replicas <= 20 && mapped <= replicas && task.Status?.Err) this.emit(`${mapped}/${replicas}`, truncateError(String(task.Status.Err)));
    }
    if (!this.done) {
      this.overall(running, replicas, rollback);
      if (running === replicas) this.done = true;
    }
    return running === replicas;
  }

  private updateGlobal(tasks: readonly EngineJson[], activeNodes: ReadonlySet<string>, rollback: boolean): boolean {
    const byNode = pickTasks(tasks, (task) => String(task.NodeID ?? ""), null);
    const nodeCount = byNode.size;
    if (!this.initialized) {
      if (nodeCount === 0) {
        this.emit("overall progress", "waiting for new tasks");
        return false;
      }
      this.overall(0, nodeCount, rollback);
      this.initialized = true;
    }
    if (this.done && [...byNode.values()].some((task) => task.Status?.State !== "running")) this.done = false;
    let running = 0;
    for (const task of byNode.values()) {
      if (!activeNodes.has(String(task.NodeID))) continue;
      if (!terminalState(String(task.DesiredState)) && task.Status?.State === "running") running++;
      if (!this.done && nodeCount <= 20 && task.Status?.Err) this.emit(shortId(String(task.NodeID)), truncateError(String(task.Status.Err)));
    }
    if (!this.done) {
      this.overall(running, nodeCount, rollback);
      if (running === nodeCount) this.done = true;
    }
    return running === nodeCount;
  }
}

/**
 * docker/cli `WaitOnService`: follows the service until it converged (see the file comment for
 * the simulated-time pacing and the bound). With `quiet`, nothing is printed.
 */
export function waitOnService(context: CommandContext, serviceId: string, quiet: boolean): void {
  const { client } = context;
  const emit: Emit = (id, text) => {
    if (!quiet) context.output.outLine(`${id}: ${text}`);
  };
  let calls = 0;
  let updater: ProgressUpdater | null = null;
  let converged = false;
  let convergedAtMs: number | null = null;
  let monitorMs = 5000;
  let rollback = false;
  let message: string | null = null;
  for (let round = 0; round < maximumRounds && calls < maximumCalls; round++) {
    const service = client.serviceInspect(serviceId);
    calls++;
    const monitor = Number(service.Spec?.UpdateConfig?.Monitor ?? 0);
    if (monitor !== 0) monitorMs = monitor / 1e6;
    if (updater === null) {
      const mode = service.Spec?.Mode ?? {};
      if (mode.Replicated?.Replicas !== undefined) updater = new ProgressUpdater(false, emit);
      else if (mode.Global) updater = new ProgressUpdater(true, emit);
      else throw new CommandError("unrecognized service mode");
    }
    const updateStatus = service.UpdateStatus;
    if (updateStatus) {
      switch (updateStatus.State) {
        case "updating":
          rollback = false;
          break;
        case "completed":
          if (!converged) return;
          break;
        case "paused":
          throw new CommandError(`service update paused: ${updateStatus.Message ?? ""}`);
        case "rollback_started":
          if (!rollback && updateStatus.Message) emit("rollback", String(updateStatus.Message));
          rollback = true;
          break;
        case "rollback_paused":
          throw new CommandError(`service rollback paused: ${updateStatus.Message ?? ""}`);
        case "rollback_completed":
          if (!converged) message = String(updateStatus.Message ?? "");
          rollback = true;
          break;
      }
    }
    if (converged && convergedAtMs !== null && context.nowWallMs() - convergedAtMs >= monitorMs) {
      emit("verify", `Service ${serviceId} converged`);
      if (message !== null && !quiet) context.output.outLine(`rollback: ${message}`);
      return;
    }
    const tasks = client.taskList({ filters: { service: [String(service.ID)], "_up-to-date": ["true"] } });
    const nodes = client.nodeList();
    calls += 2;
    const activeNodes = new Set(nodes.filter((node) => node.Status?.State !== "down").map((node) => String(node.ID)));
    converged = updater.update(service, tasks, activeNodes, rollback);
    if (converged) {
      const nowMs = context.nowWallMs();
      if (convergedAtMs === null) convergedAtMs = nowMs;
      const waitMs = monitorMs - (nowMs - convergedAtMs);
      // Go divides a duration that is always a little under the whole seconds: ceil it here.
      if (waitMs >= 0) emit("verify", `Waiting ${Math.max(1, Math.ceil(waitMs / 1000))} seconds to verify that tasks are stable...`);
    } else {
      if (convergedAtMs !== null) emit("verify", "Detected task failure");
      convergedAtMs = null;
    }
    // Docker sleeps 200 ms after each round: let the simulated clock move as far.
    if (context.sleep !== undefined) {
      context.sleep(roundIntervalMs);
      continue;
    }
    // Without a clock to move (a scripted engine), cheap `GET /_ping` calls advance it.
    const workEndMs = context.nowWallMs();
    let previousMs = workEndMs;
    while (context.nowWallMs() - workEndMs < roundIntervalMs && calls < maximumCalls) {
      client.request({ method: "GET", path: "/_ping", query: {} });
      calls++;
      const nowMs = context.nowWallMs();
      if (nowMs === previousMs) break;
      previousMs = nowMs;
    }
  }
  if (!converged && !quiet) {
    context.output.outLine("Operation continuing in background.");
    context.output.outLine(`Use \`docker service ps ${serviceId}\` to check progress.`);
  }
}
