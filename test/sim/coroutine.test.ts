// Coroutine request/response between processes: calls, errors, timeouts, sleeps, waits, and
// calls failed when the callee's process ends.
import { describe, expect, it } from "vitest";
import { Answered, Coroutines, RpcError, RpcProcess, SimulationKernel, call, sleep, waitFor, type Coroutine, type ProcessContext, type RpcHandlers } from "swarmsim";
import { servedRequestsMax, servedSessionsSweepMin } from "../../src/sim/coroutine.js";

class Echo extends RpcProcess {
  protected handlers(): RpcHandlers {
    return {
      echo: (params: { text: string }) => (function* () {
        yield* sleep(5);
        return params.text.toUpperCase();
      })(),
      fail: () => (function* (): Coroutine<never> {
        throw new RpcError("NotFound", "no such thing");
      })(),
      hang: () => (function* () {
        yield* sleep(1_000_000);
      })(),
      // Answered at once, without a coroutine.
      upper: (params: { text: string }) => new Answered(params.text.toUpperCase()),
    };
  }
}

function harness(): { sim: SimulationKernel; results: string[]; client: () => { context: ProcessContext; coroutines: Coroutines } } {
  const sim = new SimulationKernel({ seed: "rpc", network: { latencyMs: [10, 10] } });
  sim.addHost("a");
  sim.addHost("b");
  sim.spawn("b", "echo", () => new Echo());
  const results: string[] = [];
  let state: { context: ProcessContext; coroutines: Coroutines } | null = null;
  sim.spawn("a", "client", {
    start(context) {
      state = { context, coroutines: new Coroutines(context) };
    },
    receive(_context, message, from) {
      state!.coroutines.receive(message, from);
    },
    timer(_context, payload) {
      state!.coroutines.timer(payload);
    },
    exited(_context, exit) {
      state!.coroutines.exited(exit);
    },
  });
  return { sim, results, client: () => state! };
}

/** Hosts a and b, and on b a process "counter" whose `count` answers "counted" at once; `server()` is its coroutines. */
function countingServer(seed: string, latencyMs: number): { sim: SimulationKernel; server: () => Coroutines } {
  const sim = new SimulationKernel({ seed, network: { latencyMs: [latencyMs, latencyMs] }, trace: { level: "off" } });
  sim.addHost("a");
  sim.addHost("b");
  let server: Coroutines | undefined;
  sim.spawn("b", "counter", {
    start: (context) => void (server = new Coroutines(context, { count: () => new Answered("counted") })),
    receive: (_context, message, from) => void server!.receive(message, from),
    timer: (_context, payload) => void server!.timer(payload),
  });
  return { sim, server: () => server! };
}

describe("coroutines", () => {
  it("answers a handler's Answered value at once, and callThen makes the same call as a coroutine's call", () => {
    const viaCoroutine = harness();
    viaCoroutine.client().coroutines.start(
      (function* () {
        const answer = yield* call<string>("b", "echo", "upper", { text: "hi" });
        viaCoroutine.results.push(`${answer} at ${viaCoroutine.sim.now}`);
      })(),
    );
    viaCoroutine.sim.runFor(100);
    const viaCallback = harness();
    viaCallback.client().coroutines.callThen("b", "echo", "upper", { text: "hi" }, 1_000, (error, answer) => {
      viaCallback.results.push(error === undefined ? `${String(answer)} at ${viaCallback.sim.now}` : `error ${String(error)}`);
    });
    viaCallback.sim.runFor(100);
    expect(viaCoroutine.results).toEqual(["HI at 20"]);
    expect(viaCallback.results).toEqual(viaCoroutine.results);
    expect(viaCallback.sim.eventCount).toBe(viaCoroutine.sim.eventCount);
  });

  it("hands callThen's failures to its callback: the callee's RpcError, and DeadlineExceeded at the deadline", () => {
    const { sim, results, client } = harness();
    const record = (error: unknown) => results.push(`${(error as RpcError).code} at ${sim.now}`);
    client().coroutines.callThen("b", "echo", "nosuch", {}, 1_000, record);
    client().coroutines.callThen("b", "echo", "hang", {}, 50, record);
    client().coroutines.callThen("a", "nosuch", "anything", {}, 1_000, record);
    sim.runFor(100);
    expect(results).toEqual(["Unavailable at 0", "Unknown at 20", "DeadlineExceeded at 50"]);
  });

  it("calls another process and resumes with its answer after the round trip", () => {
    const { sim, results, client } = harness();
    client().coroutines.start(
      (function* () {
        const answer = yield* call<string>("b", "echo", "echo", { text: "hi" });
        results.push(`${answer} at ${sim.now}`);
      })(),
    );
    sim.runFor(100);
    expect(results).toEqual(["HI at 25"]);
  });

  it("throws the callee's RpcError, and DeadlineExceeded on timeout", () => {
    const { sim, results, client } = harness();
    client().coroutines.start(
      (function* () {
        try {
          yield* call("b", "echo", "fail");
        } catch (error) {
          results.push(`${(error as RpcError).code}: ${(error as RpcError).message}`);
        }
        try {
          yield* call("b", "echo", "hang", {}, 50);
        } catch (error) {
          results.push(`${(error as RpcError).code} at ${sim.now}`);
        }
        try {
          yield* call("b", "echo", "nosuch");
        } catch (error) {
          results.push((error as RpcError).message);
        }
      })(),
    );
    sim.runFor(1_000);
    expect(results).toEqual(["NotFound: no such thing", "DeadlineExceeded at 70", "unknown method nosuch"]);
  });

  it("fails a local call at once when nothing listens, and when the callee dies mid-call", () => {
    const sim = new SimulationKernel({ seed: "local" });
    sim.addHost("a");
    const results: string[] = [];
    let coroutines: Coroutines;
    sim.spawn("a", "client", {
      start: (context) => void (coroutines = new Coroutines(context)),
      receive: (_context, message, from) => void coroutines.receive(message, from),
      timer: (_context, payload) => void coroutines.timer(payload),
      exited: (_context, exit) => coroutines.exited(exit),
    });
    coroutines!.start(
      (function* () {
        try {
          yield* call("a", "server", "echo", { text: "x" });
        } catch (error) {
          results.push((error as RpcError).code);
        }
      })(),
    );
    sim.spawn("a", "server", () => new Echo());
    coroutines!.start(
      (function* () {
        try {
          yield* call("a", "server", "hang");
        } catch (error) {
          results.push(`${(error as RpcError).code}: ${(error as RpcError).message}`);
        }
      })(),
    );
    sim.runFor(10);
    sim.faults.kill("a", "server");
    sim.runFor(10);
    expect(results).toEqual(["Unavailable", "Unavailable: connection to server closed: transport is closing"]);
  });

  it("waits for a notification or a timeout", () => {
    const { sim, results, client } = harness();
    const { coroutines } = client();
    coroutines.start((function* () { results.push(`first ${yield* waitFor("go", 100)} at ${sim.now}`); })());
    coroutines.start((function* () { results.push(`second ${yield* waitFor("never", 100)} at ${sim.now}`); })());
    sim.runFor(30);
    coroutines.notify("go", "now");
    sim.runFor(200);
    expect(results).toEqual(["first now at 30", "second undefined at 100"]);
  });

  it("retransmits a remote request lost by the network, and the server runs it only once", () => {
    const sim = new SimulationKernel({ seed: "retransmit", network: { latencyMs: [10, 10] } });
    sim.addHost("a");
    sim.addHost("b");
    let runs = 0;
    sim.spawn("b", "counter", () =>
      new (class extends RpcProcess {
        protected handlers(): RpcHandlers {
          return {
            count: () =>
              (function* () {
                runs++;
                yield* sleep(500); // slower than the first retransmission
                return runs;
              })(),
          };
        }
      })(),
    );
    const results: unknown[] = [];
    let coroutines: Coroutines;
    sim.spawn("a", "client", {
      start: (context) => void (coroutines = new Coroutines(context)),
      receive: (_context, message, from) => void coroutines.receive(message, from),
      timer: (_context, payload) => void coroutines.timer(payload),
    });
    // The first request is lost: the link drops everything for 100 ms.
    sim.faults.setLink("a", "b", { lossRate: 1 });
    sim.schedule(100, () => sim.faults.resetLink("a", "b"));
    coroutines!.start((function* () { results.push(yield* call("b", "counter", "count")); })());
    sim.runFor(5_000);
    expect(results).toEqual([1]);
    expect(runs).toBe(1);
    const requests = sim.trace.filter((event) => event.type === "message.deliver" && event.process === "counter").length;
    expect(requests).toBeGreaterThanOrEqual(2); // the retransmissions arrived, and were not run again
  });

  it("forgets a served request once no copy of it can arrive: after the caller's deadline plus the network's latency bound", () => {
    const { sim, server } = countingServer("served-expiry", 10);
    let client: Coroutines;
    let clientContext: ProcessContext;
    sim.spawn("a", "client", {
      start: (context) => void ((clientContext = context), (client = new Coroutines(context))),
      receive: (_context, message, from) => void client.receive(message, from),
      timer: (_context, payload) => void client.timer(payload),
    });
    const results: unknown[] = [];
    const callAt = (delayMs: number) => sim.schedule(delayMs, () => client.start((function* () { results.push(yield* call("b", "counter", "count", {}, 1_000)); })()));
    callAt(0);
    sim.runFor(100);
    expect(results).toEqual(["counted"]);
    expect(server().rememberedRequestCount).toBe(1);
    // The latency bound only grows: a slower link raises it, and a reset does not lower it.
    expect(clientContext!.latencyBoundMs).toBe(10);
    sim.faults.setLink("a", "b", { latencyMs: [10, 300] });
    sim.faults.resetLink("a", "b");
    expect(clientContext!.latencyBoundMs).toBe(300);
    // A request arriving before the first call's deadline (1,000 ms) plus the bound (300 ms) leaves it remembered...
    callAt(1_000);
    sim.runFor(1_100);
    expect(server().rememberedRequestCount).toBe(2);
    // ...one arriving after forgets it.
    callAt(200);
    sim.runFor(300);
    expect(results).toEqual(["counted", "counted", "counted"]);
    expect(server().rememberedRequestCount).toBe(2);
  });

  it("keeps a caller's emptied session for its next request, and sweeps empty sessions so they stay within their bound", () => {
    const { sim, server } = countingServer("served-sessions", 1);
    let answered = 0;
    let sessionsMax = 0;
    // One caller calls every 2 s (its session empties between calls); 300 one-shot callers, each a session of its own, every 100 ms.
    const clients = new Map<string, Coroutines>();
    const spawnCaller = (name: string, delaysMs: readonly number[]) =>
      sim.spawn("a", name, {
        start: (context) => {
          clients.set(name, new Coroutines(context));
          for (const delayMs of delaysMs) context.setTimer(delayMs, "call");
        },
        receive: (_context, message, from) => void clients.get(name)!.receive(message, from),
        timer: (_context, payload) => {
          const client = clients.get(name)!;
          if (client.timer(payload)) return;
          client.start((function* () {
            if ((yield* call("b", "counter", "count", {}, 1_000)) === "counted") answered++;
          })());
          sessionsMax = Math.max(sessionsMax, server().rememberedSessionCount);
        },
      });
    spawnCaller("steady", Array.from({ length: 15 }, (_, index) => 50 + index * 2_000));
    for (let index = 0; index < 300; index++) sim.schedule(index * 100, () => spawnCaller(`once${index}`, [0]));
    sim.runFor(31_000);
    expect(answered).toBe(315);
    // Without the sweep, 301 sessions; with it, never more than the first sweep's threshold.
    expect(sessionsMax).toBeGreaterThan(20);
    expect(sessionsMax).toBeLessThanOrEqual(servedSessionsSweepMin);
    // Requests expire lazily, when the next one comes: those of the last deadline and bound (1,001 ms) remain.
    expect(server().rememberedRequestCount).toBeLessThanOrEqual(12);
  });

  it("after more requests than it remembers, a server still answers a retransmission from memory", () => {
    const sim = new SimulationKernel({ seed: "served-ring", network: { latencyMs: [1, 1] }, trace: { level: "off" } });
    sim.addHost("a");
    sim.addHost("b");
    let runs = 0;
    sim.spawn("b", "counter", () =>
      new (class extends RpcProcess {
        protected handlers(): RpcHandlers {
          return { count: () => (function* () { return ++runs; })() };
        }
      })(),
    );
    let coroutines: Coroutines;
    sim.spawn("a", "client", {
      start: (context) => void (coroutines = new Coroutines(context)),
      receive: (_context, message, from) => void coroutines.receive(message, from),
      timer: (_context, payload) => void coroutines.timer(payload),
    });
    const calls = servedRequestsMax + 5;
    const results: unknown[] = [];
    coroutines!.start((function* () { for (let index = 0; index < calls; index++) results.push(yield* call("b", "counter", "count")); })());
    sim.runFor(calls * 3);
    expect(results).toHaveLength(calls);
    // The answer of one more call is lost twice: the retransmissions are answered from memory.
    sim.faults.setLink("b", "a", { lossRate: 1, oneWay: true });
    sim.schedule(500, () => sim.faults.resetLink("b", "a", { oneWay: true }));
    coroutines!.start((function* () { results.push(yield* call("b", "counter", "count")); })());
    sim.runFor(5_000);
    expect(results.at(-1)).toBe(calls + 1);
    expect(runs).toBe(calls + 1);
  });
});
