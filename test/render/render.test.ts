// The render module on real simulations: a 3-manager, 2-worker swarm running a service, its
// leader crashed, then a worker partitioned away. Every picture must be well-formed XML, show
// what it must (the leader, the crashed host, the tasks, the messages and drops), and come out
// byte-identical from two runs of the same seed; the trace export must be valid Chrome trace JSON.
import { describe, expect, it } from "vitest";
import { Simulation, render } from "swarmsim";
import { summarize } from "swarmsim/testing";
import { occurrences, xmlProblems } from "./well-formed.js";

const allHosts = ["manager1", "manager2", "manager3", "worker1", "worker2"];

/** The scenario every test draws: a service, a leader crash, a partition. */
function scenario() {
  const sim = Simulation.swarm({ seed: "render", managers: 3, workers: 2 });
  sim.exec("manager1", "docker service create -d --name web --replicas 4 nginx");
  sim.runFor(20_000);
  const crashedLeader = sim.leader()!.host;
  const crashAtMs = sim.now;
  sim.faults.crash(crashedLeader);
  sim.runFor(25_000);
  const partitionAtMs = sim.now;
  sim.faults.partition(["worker2"], allHosts.filter((host) => host !== "worker2"));
  sim.runFor(5_000);
  return { sim, crashedLeader, crashAtMs, partitionAtMs };
}

/** The task state segments of a piece of a task timeline, in order. */
function taskSegments(svg: string): Array<{ state: string; fromMs: number; toMs: number }> {
  return [...svg.matchAll(/<g class="task-state (\w+)" data-from-ms="([\d.]+)" data-to-ms="([\d.]+)"/g)].map((match) => ({ state: match[1]!, fromMs: Number(match[2]), toMs: Number(match[3]) }));
}

const first = scenario();
const second = scenario();

/** Every picture of a scenario, by name. */
function pictures(run: ReturnType<typeof scenario>): Record<string, string> {
  const { sim, crashAtMs } = run;
  return {
    cluster: render.renderCluster(sim),
    host: render.renderHost(sim, "worker1"),
    crashedHost: render.renderHost(sim, run.crashedLeader),
    messages: render.renderMessages(sim, { fromMs: crashAtMs - 2_000, toMs: crashAtMs + 20_000, processes: ["swarm-manager"] }),
    raft: render.renderRaftTimeline(sim, { fromMs: 0, toMs: sim.now }),
    tasks: render.renderTaskTimeline(sim, "web"),
    cdf: render.renderCdf([3, 1, 2, null, 5, 8], { title: "latency", unit: "ms" }),
    histogram: render.renderHistogram([3, 1, 2, 5, 8, 8, 9], { bins: 4, title: "latency", unit: "ms" }),
  };
}

const firstPictures = pictures(first);
const secondPictures = pictures(second);

describe("render", () => {
  it("draws well-formed SVG documents", () => {
    for (const [name, svg] of Object.entries(firstPictures)) {
      expect(xmlProblems(svg), name).toEqual([]);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), name).toBe(true);
    }
  });

  it("draws the same bytes for the same seed", () => {
    expect(first.sim.traceHash()).toBe(second.sim.traceHash());
    for (const name of Object.keys(firstPictures)) expect(secondPictures[name], name).toBe(firstPictures[name]);
    expect(JSON.stringify(render.exportTrace(second.sim))).toBe(JSON.stringify(render.exportTrace(first.sim)));
  });

  it("escapes text for XML", () => {
    expect(render.escapeXml(`a<b & "c" 'd'>`)).toBe("a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    const svg = render.renderCluster(first.sim, { title: `<web> & "friends"` });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain("&lt;web&gt; &amp; &quot;friends&quot;");
  });

  it("marks the leader, greys the crashed host, separates the partition and draws one rectangle per live task", () => {
    const { sim, crashedLeader } = first;
    const svg = firstPictures.cluster!;
    const leader = sim.leader()!.host;
    expect(leader).not.toBe(crashedLeader);
    expect(svg).toContain(`<g class="host up leader" data-host="${leader}">`);
    expect(occurrences(svg, 'class="host up leader"')).toBe(1);
    expect(svg).toContain(`<g class="host down" data-host="${crashedLeader}">`);
    expect(svg).toMatch(new RegExp(`data-host="${crashedLeader}"><rect[^>]*fill="#bdbdbd"`));
    expect(occurrences(svg, 'class="partition"')).toBe(1);
    const state = sim.clusterState()!;
    const live = Object.values(state.tasks).filter((task) => !["complete", "shutdown", "failed", "rejected", "remove", "orphaned"].includes(task.status.state));
    expect(live.length).toBeGreaterThanOrEqual(4);
    expect(occurrences(svg, '<g class="task ')).toBe(live.length);
    const running = live.filter((task) => task.status.state === "running").length;
    expect(occurrences(svg, '<g class="task running')).toBe(running);
    expect(svg).toContain(`raft: leader, term ${sim.leader()!.term}`);
  });

  it("draws the cluster at a past time from the kept history: the old leader before the crash, the new one after", () => {
    const { sim, crashedLeader, crashAtMs } = first;
    const before = render.renderClusterAt(sim, crashAtMs - 1);
    expect(xmlProblems(before)).toEqual([]);
    expect(before).toContain(`<g class="host up leader" data-host="${crashedLeader}">`);
    expect(before).toContain("from the kept history");
    const after = render.renderClusterAt(sim, sim.now);
    const leader = sim.leader()!.host;
    expect(after).toContain(`<g class="host up leader" data-host="${leader}">`);
    expect(after).toContain(`<g class="host down" data-host="${crashedLeader}">`);
    // The live picture and the one drawn from the history at the same time show the same hosts and tasks.
    expect(occurrences(after, '<g class="task ')).toBe(occurrences(firstPictures.cluster!, '<g class="task '));
    expect(render.renderClusterAt(second.sim, crashAtMs - 1)).toBe(before);
  });

  it("draws a host's process tree with its shims and containers, and a crashed host's processes as down", () => {
    const { sim, crashedLeader } = first;
    const svg = firstPictures.host!;
    const processes = sim.host("worker1").processes();
    const containers = processes.filter((process) => process.name.startsWith("container:")).length;
    expect(containers).toBeGreaterThan(0);
    expect(occurrences(svg, 'class="process container up"')).toBe(containers);
    expect(occurrences(svg, 'class="process shim up"')).toBe(processes.filter((process) => process.name.startsWith("shim:")).length);
    expect(svg).toContain('data-process="dockerd"');
    expect(svg).toContain('data-process="containerd"');
    const host = sim.host("worker1");
    const drawn = new Map<string, string | null>(processes.map((process) => [process.name, process.parent]));
    for (const unit of host.units.values()) if (!drawn.has(unit.name)) drawn.set(unit.name, unit.options.parent ?? null);
    const withParent = [...drawn.values()].filter((parent) => parent !== null && drawn.has(parent)).length;
    expect(occurrences(svg, 'class="link"')).toBe(withParent);
    expect(occurrences(svg, 'class="process ')).toBe(drawn.size);
    const crashed = firstPictures.crashedHost!;
    expect(crashed).toContain("(down, boot 1)");
    expect(occurrences(crashed, " up\"")).toBe(0);
    expect(occurrences(crashed, 'class="process swarm down"')).toBeGreaterThan(0);
  });

  it("draws one arrow per message of the window, marks the dropped ones and the crash", () => {
    const { sim, crashAtMs, crashedLeader } = first;
    const fromMs = crashAtMs - 2_000;
    const toMs = crashAtMs + 20_000;
    const expected = sim.trace.filter(
      (event) => (event.type === "message.deliver" || event.type === "message.drop") && event.sentAt >= fromMs && event.time <= toMs && event.process === "swarm-manager" && event.from.process === "swarm-manager",
    );
    const dropped = expected.filter((event) => event.type === "message.drop").length;
    expect(dropped).toBeGreaterThan(0);
    const svg = firstPictures.messages!;
    expect(occurrences(svg, '<g class="message')).toBe(Math.min(expected.length, render.messagesDrawnMax));
    expect(occurrences(svg, '<g class="message dropped"')).toBe(dropped);
    expect(occurrences(svg, 'class="cross"')).toBe(dropped);
    expect(svg).toContain(`${crashedLeader} crashed`);
    expect(svg).toContain("vote-request");
    expect(svg).toContain("append-request");
    expect(occurrences(svg, 'class="lifeline"')).toBe(3);

    const bounded = render.renderMessages(sim, { fromMs, toMs, processes: ["swarm-manager"], messagesMax: 5 });
    expect(xmlProblems(bounded)).toEqual([]);
    expect(occurrences(bounded, '<g class="message')).toBe(5);
    expect(bounded).toContain(`${expected.length - 5} more in the window not drawn`);

    const partition = render.renderMessages(sim, { fromMs: first.partitionAtMs, toMs: first.partitionAtMs + 5_000, hosts: ["worker2", "manager2", "manager3"] });
    expect(xmlProblems(partition)).toEqual([]);
    expect(partition).toContain("partition [worker2] | [");
    expect(partition).toContain("✗ partition");
  });

  it("labels messages by Raft type and RPC method", () => {
    expect(render.messageLabel({ raft: { type: "append-request", term: 3, entries: [1, 2] } })).toBe("append-request t3 (2)");
    expect(render.messageLabel({ rpc: "request", id: 1, method: "heartbeat", params: {} })).toBe("heartbeat");
    expect(render.messageLabel({ rpc: "request", id: 1, method: "http", params: { method: "GET", path: "/services?x=1" } })).toBe("GET /services");
    expect(render.messageLabel({ rpc: "response", id: 1, result: {} }, "heartbeat")).toBe("↩ heartbeat");
    expect(render.messageLabel({ wake: true })).toBe("wake");
  });

  it("says so when the trace does not record messages", () => {
    const sim = Simulation.swarm({ seed: "render-lifecycle", managers: 1, engine: false, trace: { level: "lifecycle" } });
    sim.runFor(2_000);
    const svg = render.renderMessages(sim, { fromMs: 0, toMs: sim.now });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain("messages are not recorded");
    expect(occurrences(svg, '<g class="message')).toBe(0);
  });

  it("draws the Raft roles over time, the crashed leader down and the new one leading", () => {
    const svg = firstPictures.raft!;
    for (const manager of ["manager1", "manager2", "manager3"]) expect(svg).toContain(`data-row="${manager}"`);
    expect(svg).not.toContain('data-row="worker1"');
    const crashedRow = svg.split(`data-row="${first.crashedLeader}"`)[1]!.split('data-row="')[0]!;
    expect(crashedRow).toContain('class="raft-state leader"');
    expect(crashedRow).toContain('class="raft-state down"');
    const leaderRow = svg.split(`data-row="${first.sim.leader()!.host}"`)[1]!.split('data-row="')[0]!;
    expect(leaderRow).toContain('class="raft-state leader"');
    expect(leaderRow).toContain(`t${first.sim.leader()!.term}`);
  });

  it("draws every slot of a service over time", () => {
    const svg = firstPictures.tasks!;
    for (const slot of [1, 2, 3, 4]) expect(svg).toContain(`data-row="web.${slot}"`);
    expect(svg).toContain('class="task-state running"');
    expect(() => render.renderTaskTimeline(first.sim, "nope")).toThrow(/no service named "nope"/);
  });

  it("draws each task's states one after the other: preparing, starting, running, with the time each began", () => {
    const svg = firstPictures.tasks!;
    for (const slot of [1, 2, 3, 4]) {
      // The slot's first lane: its first task, from creation until now.
      const lane = svg.split(`data-row="web.${slot}"`)[1]!.split('<g class="row"')[0]!;
      const steps = taskSegments(lane);
      const states = steps.map((step) => step.state);
      expect(states.slice(0, 3), `web.${slot}`).toEqual(["new", "pending", "assigned"]);
      for (const state of ["preparing", "starting", "running"]) expect(states, `web.${slot}`).toContain(state);
      expect(states).not.toContain("earlier");
      const startOf = (state: string) => steps.find((step) => step.state === state)!.fromMs;
      expect(startOf("preparing")).toBeLessThan(startOf("starting"));
      expect(startOf("starting")).toBeLessThan(startOf("running"));
      // Each state ends when the next begins.
      for (let index = 1; index < steps.length; index++) expect(steps[index]!.fromMs).toBe(steps[index - 1]!.toMs);
      expect(steps[steps.length - 1]!.toMs).toBeCloseTo(first.sim.now, 3);
    }
    const task = Object.values(first.sim.clusterState()!.tasks).find((candidate) => candidate.slot === 1)!;
    const steps = render.taskStateSteps(first.sim, first.sim.clusterState()!, [task.id]).get(task.id)!;
    expect(steps[0]).toEqual({ state: "new", sinceMs: task.createdAt, message: "created", error: "" });
    expect(steps.map((step) => step.sinceMs)).toEqual([...steps.map((step) => step.sinceMs)].sort((left, right) => left - right));
  });

  it("draws a failed task's end and its replacement's states in the same slot", () => {
    const sim = Simulation.swarm({ seed: "render-restart", managers: 1, workers: 1 });
    sim.exec("manager1", "docker service create -d --name web --replicas 2 nginx");
    sim.runFor(15_000);
    const failing = Object.values(sim.clusterState()!.tasks).find((task) => task.slot === 1)!;
    const host = sim.clusterState()!.nodes[failing.nodeId]!.description.hostname;
    expect(sim.exec(host, `docker kill web.1.${failing.id}`).exitCode).toBe(0);
    sim.runFor(20_000);
    const svg = render.renderTaskTimeline(sim, "web");
    expect(xmlProblems(svg)).toEqual([]);
    const row = svg.split('data-row="web.1"')[1]!.split('data-row="web.2"')[0]!;
    const ends = [...row.matchAll(/class="task-end (\w+)" data-at-ms="([\d.]+)"/g)].map((match) => ({ state: match[1], atMs: Number(match[2]) }));
    expect(ends).toHaveLength(1);
    expect(ends[0]!.state).toBe("failed");
    expect(row).toContain("failed at");
    expect(row).toContain("task: non-zero exit (137)");
    const steps = render.taskStateSteps(sim, sim.clusterState()!, [failing.id]).get(failing.id)!;
    expect(steps.map((step) => step.state).slice(-2)).toEqual(["running", "failed"]);
    expect(steps[steps.length - 1]!.sinceMs).toBeCloseTo(ends[0]!.atMs, 3);
    // The replacement: a new task in slot 1, through its states again (waiting ready for the restart delay), running now.
    const segments = taskSegments(row);
    const replacement = segments.filter((segment) => segment.fromMs >= ends[0]!.atMs).map((segment) => segment.state);
    expect(replacement[0]).toBe("new");
    expect(replacement).toContain("ready");
    expect(replacement[replacement.length - 1]).toBe("running");
  });

  it("hatches the part of a task older than the kept history", () => {
    const sim = Simulation.swarm({ seed: "render-short-history", managers: 1, workers: 1, history: { snapshotsMax: 3 } });
    sim.exec("manager1", "docker service create -d --name web --replicas 1 nginx");
    sim.runFor(15_000);
    const segments = taskSegments(render.renderTaskTimeline(sim, "web"));
    expect(segments[0]!.state).toBe("earlier");
    expect(segments[segments.length - 1]!.state).toBe("running");
    const off = Simulation.swarm({ seed: "render-short-history", managers: 1, workers: 1, history: { snapshotsMax: 0 } });
    off.exec("manager1", "docker service create -d --name web --replicas 1 nginx");
    off.runFor(15_000);
    expect(taskSegments(render.renderTaskTimeline(off, "web")).map((segment) => segment.state)).toEqual(["earlier", "running"]);
  });

  it("plots a CDF and a histogram with axes, units and labels", () => {
    const cdf = firstPictures.cdf!;
    expect(cdf).toContain("value (ms)");
    expect(cdf).toContain("n = 5 (1 without a value left out)");
    expect(cdf).toContain("p50 3 ms");
    expect(occurrences(cdf, 'class="cdf"')).toBe(1);
    const histogram = firstPictures.histogram!;
    expect(occurrences(histogram, 'class="bin"')).toBe(4);
    expect(histogram).toContain("count");
    expect(histogram).toContain("4 bins of 2 ms");
    expect(xmlProblems(render.renderCdf([], { title: "empty", unit: "s" }))).toEqual([]);
    expect(xmlProblems(render.renderHistogram([7, 7, 7], { title: "same", unit: "" }))).toEqual([]);
    expect(() => render.renderHistogram([1], { title: "x", unit: "", bins: 0 })).toThrow(/invalid bins/);
  });

  it("plots a measure of an experiment's result", () => {
    const values = [120, 340, null, 90, 410];
    const result = {
      name: "election",
      rows: values.map((value, index) => ({ seed: String(index), electionMs: value })),
      summary: { electionMs: summarize(values.filter((value): value is number => value !== null)) },
    };
    const cdf = render.renderMeasure(result, "electionMs", { unit: "ms" });
    expect(xmlProblems(cdf)).toEqual([]);
    expect(cdf).toContain("election: electionMs over 5 seed(s)");
    expect(cdf).toContain("n = 4 (1 without a value left out)");
    const histogram = render.renderMeasure(result, "electionMs", { kind: "histogram", bins: 3, unit: "ms" });
    expect(occurrences(histogram, 'class="bin"')).toBe(3);
    expect(() => render.renderMeasure(result, "nope" as "electionMs")).toThrow(/no measure "nope"/);
  });

  it("exports the trace in the Chrome trace event format", () => {
    const { sim, crashedLeader } = first;
    const parsed = JSON.parse(JSON.stringify(render.exportTrace(sim))) as { traceEvents: Array<Record<string, unknown>>; displayTimeUnit: string; otherData: Record<string, unknown> };
    const events = parsed.traceEvents;
    expect(parsed.displayTimeUnit).toBe("ms");
    expect(parsed.otherData.seed).toBe("render");
    const processNames = events.filter((event) => event.ph === "M" && event.name === "process_name").map((event) => (event.args as { name: string }).name);
    for (const host of allHosts) expect(processNames).toContain(host);
    const threadNames = events.filter((event) => event.ph === "M" && event.name === "thread_name").map((event) => (event.args as { name: string }).name);
    expect(threadNames).toContain("swarm-manager");
    expect(threadNames).toContain("dockerd");
    const instants = events.filter((event) => event.ph === "i");
    const crash = instants.find((event) => event.name === "host.crash")!;
    expect(crash).toBeDefined();
    const hostOfPid = new Map(events.filter((event) => event.ph === "M" && event.name === "process_name").map((event) => [event.pid, (event.args as { name: string }).name]));
    expect(hostOfPid.get(crash.pid)).toBe(crashedLeader);
    expect(instants.some((event) => event.name === "network.partition" && event.s === "g")).toBe(true);
    expect(instants.some((event) => event.name === "raft.state")).toBe(true);
    expect(instants.some((event) => event.cat === "message.drop")).toBe(true);
    const flowStarts = events.filter((event) => event.ph === "s").length;
    const delivered = sim.trace.filter((event) => event.type === "message.deliver").length;
    expect(flowStarts).toBe(delivered);
    expect(events.filter((event) => event.ph === "f").length).toBe(delivered);
    expect(events.filter((event) => event.ph === "X").length).toBe(sim.trace.filter((event) => event.type === "message.deliver" || event.type === "message.drop").length + delivered);
    for (const event of events) {
      expect(typeof event.pid).toBe("number");
      if (event.ph !== "M") expect(typeof event.ts).toBe("number");
    }
    const window = render.exportTrace(sim, { fromMs: first.crashAtMs, toMs: first.crashAtMs + 1_000 });
    expect(window.traceEvents.every((event) => event.ph === "M" || (event.ts! >= Math.round(first.crashAtMs * 1_000) && event.ts! <= Math.round((first.crashAtMs + 1_000) * 1_000)))).toBe(true);
  });
});
