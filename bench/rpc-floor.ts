// RPC floor benchmark: the swarm benchmark's steady message pattern on the bare kernel and RPC
// layer, without Docker or swarmkit behind it. Thirteen agents each call `heartbeat` on one
// manager every 5 s (answered at once, through `RpcProcess`, retransmission timers and duplicate
// memory included) and the manager sends an append to two peers every second, each answered:
// about the swarm day's 1.1 million events. Its wall time is what the swarm day would cost if
// the managers, agents and engines did nothing else: the floor under the swarm goal.
import { Answered, RpcProcess, Simulation, type ProcessAddress, type RpcHandlers } from "swarmsim";

/** The RPC floor benchmark's figures. */
export interface RpcFloorBenchResult {
  readonly simulatedHours: number;
  readonly wallSeconds: number;
  readonly events: number;
}

const managerNames = ["manager1", "manager2", "manager3"];
const hostNames = [...managerNames, ...Array.from({ length: 10 }, (_, index) => `worker${index + 1}`)];
/** The agents' heartbeat period, ms (swarmkit's default). */
const heartbeatPeriodMs = 5_000;
/** The leader's append period, ms (swarmkit's Raft tick). */
const appendPeriodMs = 1_000;

/** A manager: answers heartbeats at once; the first one appends to the others every tick. */
class Manager extends RpcProcess {
  protected handlers(): RpcHandlers {
    return { heartbeat: (request: { readonly node: string }) => new Answered({ node: request.node, periodMs: heartbeatPeriodMs }) };
  }
  protected override onStart(): void {
    if (this.context.host === managerNames[0]) this.context.setTimer(appendPeriodMs, "append");
  }
  protected override onTimer(payload: unknown): void {
    if (payload !== "append") return;
    for (const peer of managerNames.slice(1)) this.context.send(peer, "manager", { append: true });
    this.context.setTimer(appendPeriodMs, "append");
  }
  protected override onMessage(message: unknown, from: ProcessAddress): void {
    if (typeof message === "object" && message !== null && "append" in message) this.context.send(from.host, from.process, { appended: true });
  }
}

/** An agent: calls `heartbeat` on the first manager every period, with swarmkit's jitter. */
class Agent extends RpcProcess {
  protected handlers(): RpcHandlers {
    return {};
  }
  protected override onStart(): void {
    this.context.setTimer(this.context.random.next() * heartbeatPeriodMs, "heartbeat");
  }
  protected override onTimer(payload: unknown): void {
    if (payload !== "heartbeat") return;
    this.callThen(managerNames[0]!, "manager", "heartbeat", { node: this.context.host }, heartbeatPeriodMs, () => {
      this.context.setTimer(heartbeatPeriodMs * (0.9 + 0.2 * this.context.random.next()), "heartbeat");
    });
  }
}

/** Runs the benchmark. */
export function benchRpcFloor(simulatedHours = 24): RpcFloorBenchResult {
  const sim = new Simulation({ seed: "bench-rpc-floor", trace: { level: "off" } });
  for (const name of hostNames) sim.addHost(name, {});
  for (const name of managerNames) sim.spawn(name, "manager", () => new Manager());
  for (const name of hostNames) sim.spawn(name, "agent", () => new Agent());
  sim.runFor(60_000);
  const eventsBefore = sim.eventCount;
  const start = performance.now();
  sim.runFor(simulatedHours * 3_600_000);
  return { simulatedHours, wallSeconds: (performance.now() - start) / 1000, events: sim.eventCount - eventsBefore };
}
