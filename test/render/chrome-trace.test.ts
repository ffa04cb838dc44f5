// The trace export against the Trace Event Format: a strict checker of the format written from
// its specification and Perfetto's importer (trace-event-format.ts), shown to catch each kind of
// mistake, passes every export; and the Chrome DevTools Performance panel's own trace engine
// (@paulirish/trace_engine, installed by scripts/ensure-test-tools.sh) parses an export and finds
// the same processes, threads, slices and flows. Perfetto's UI and trace_processor cannot be run
// here: neither Debian nor npm packages them.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { Simulation, render } from "swarmsim";
import { traceEventFormatProblems } from "./trace-event-format.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const traceEngineVersion = "0.0.65";

/** A swarm with a service, lossy and duplicating links, a leader crash, an isolated worker, a heal. */
function scenario() {
  const managers = ["manager1", "manager2", "manager3"];
  const sim = Simulation.swarm({ seed: "chrome-trace", managers: managers.length, workers: 2 });
  // worker1's link to every manager loses and duplicates messages from the start, so its agent's
  // messages (registration, assignments, status reports, heartbeats) are lost and duplicated
  // whichever manager it talks to, and over the whole run: a few dozen of them, not a handful.
  for (const manager of managers) sim.faults.setLink(manager, "worker1", { lossRate: 0.2, duplicateRate: 0.3 });
  sim.exec("manager1", "docker service create -d --name web --replicas 4 nginx");
  sim.runFor(10_000);
  const crashAtMs = sim.now;
  sim.faults.crash(sim.leader()!.host);
  sim.runFor(15_000);
  sim.faults.isolate("worker2");
  sim.runFor(5_000);
  sim.faults.heal();
  sim.runFor(5_000);
  return { sim, crashAtMs };
}

const { sim, crashAtMs } = scenario();
/** The export as a file has it: written and read back as JSON. */
const exported = JSON.parse(JSON.stringify(render.exportTrace(sim, { timers: true }))) as { traceEvents: Array<Record<string, unknown>> };
const events = exported.traceEvents;
/** A window of it from the crash on: it opens with instants (the crash) before its first slice. */
const windowed = JSON.parse(JSON.stringify(render.exportTrace(sim, { fromMs: crashAtMs, toMs: crashAtMs + 3_000 }))) as { traceEvents: Array<Record<string, unknown>> };

describe("the Trace Event Format checker", () => {
  const valid = () => ({
    traceEvents: [
      { name: "process_name", ph: "M", pid: 1, tid: 10, args: { name: "p" } },
      { name: "thread_name", ph: "M", pid: 1, tid: 10, args: { name: "t" } },
      { name: "a", cat: "c", ph: "X", ts: 5, dur: 10, pid: 1, tid: 10 },
      { name: "b", cat: "c", ph: "X", ts: 6, dur: 2, pid: 1, tid: 10 },
      { name: "flow", cat: "c", ph: "s", id: 1, ts: 6, pid: 1, tid: 10 },
      { name: "flow", cat: "c", ph: "f", bp: "e", id: 1, ts: 12, pid: 1, tid: 10 },
      { name: "d", ph: "B", ts: 20, pid: 1, tid: 10 },
      { name: "d", ph: "E", ts: 25, pid: 1, tid: 10 },
      { name: "now", ph: "i", s: "g", ts: 30, pid: 1, tid: 10 },
    ] as Array<Record<string, unknown>>,
    displayTimeUnit: "ms",
  });

  it("accepts a valid trace", () => {
    expect(traceEventFormatProblems(valid(), { sorted: true })).toEqual([]);
  });

  it("catches each kind of mistake", () => {
    const broken = (change: (trace: ReturnType<typeof valid>) => void): string[] => {
      const trace = valid();
      change(trace);
      return traceEventFormatProblems(trace, { sorted: true });
    };
    const event = (trace: ReturnType<typeof valid>, index: number) => trace.traceEvents[index]!;
    expect(traceEventFormatProblems([])).toEqual([expect.stringMatching(/not a JSON object/)]);
    expect(broken((trace) => Object.assign(trace, { extra: 1 }))).toEqual([expect.stringMatching(/unknown top-level key "extra"/)]);
    expect(broken((trace) => Object.assign(trace, { displayTimeUnit: "us" }))).toEqual([expect.stringMatching(/displayTimeUnit/)]);
    expect(broken((trace) => (event(trace, 8).ph = "Q"))).toEqual([expect.stringMatching(/ph "Q" is not a phase/)]);
    expect(broken((trace) => (event(trace, 2).ts = "5"))).toContainEqual(expect.stringMatching(/ts "5" is not a number of microseconds/));
    expect(broken((trace) => (event(trace, 2).ts = Number.NaN))).toContainEqual(expect.stringMatching(/NaN, which JSON cannot hold/));
    expect(broken((trace) => (event(trace, 2).dur = -1))).toContainEqual(expect.stringMatching(/dur -1 is not a duration/));
    expect(broken((trace) => (event(trace, 2).pid = 1.5))).toContainEqual(expect.stringMatching(/pid 1.5 is not an integer/));
    expect(broken((trace) => (event(trace, 8).pid = 0))).toContainEqual(expect.stringMatching(/pid 0 .*idle process/));
    expect(broken((trace) => (event(trace, 8).s = "x"))).toEqual([expect.stringMatching(/scope s "x"/)]);
    expect(broken((trace) => (event(trace, 3).dur = 20))).toEqual([expect.stringMatching(/overlaps slice \[5, 15\] .* without nesting/)]);
    expect(broken((trace) => (event(trace, 7).name = "other"))).toEqual([expect.stringMatching(/ends B "d"/)]);
    expect(broken((trace) => trace.traceEvents.splice(7, 1))).toEqual([expect.stringMatching(/\(B\) .* never ended/)]);
    expect(broken((trace) => (event(trace, 5).id = 2))).toEqual([expect.stringMatching(/flow "flow id 1" has 0 ends/), expect.stringMatching(/flow "flow id 2" ends without a start/)]);
    expect(broken((trace) => (event(trace, 5).ts = 16))).toEqual([expect.stringMatching(/no slice .* encloses ts 16/)]);
    expect(broken((trace) => Object.assign(event(trace, 5), { ts: 4 }))).toContainEqual(expect.stringMatching(/ends at 4, before its start/));
    expect(broken((trace) => (event(trace, 1).args = {}))).toContainEqual(expect.stringMatching(/thread_name without a non-empty args.name/));
    expect(broken((trace) => (event(trace, 0).name = "process_colour"))).toContainEqual(expect.stringMatching(/metadata name "process_colour"/));
    expect(broken((trace) => trace.traceEvents.splice(0, 1))).toEqual([expect.stringMatching(/process 1 has no process_name/)]);
    expect(broken((trace) => trace.traceEvents.push({ name: "z", ph: "X", ts: 40, dur: 1, pid: 2, tid: 10 }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/tid 10 is used by processes 1 and 2/), expect.stringMatching(/thread 2\/10 has no thread_name/)]),
    );
    expect(broken((trace) => trace.traceEvents.push({ name: "late", ph: "i", s: "g", ts: 1, pid: 1, tid: 10 }))).toEqual([expect.stringMatching(/not sorted/)]);
  });
});

describe("exportTrace", () => {
  it("writes a valid trace: format, ids, nesting, flows, metadata, sorted by time", () => {
    expect(events.length).toBeGreaterThan(1_000);
    expect(traceEventFormatProblems(exported, { sorted: true })).toEqual([]);
    expect(traceEventFormatProblems(windowed, { sorted: true })).toEqual([]);
    expect(traceEventFormatProblems(JSON.parse(readFileSync(join(root, "docs", "pictures", "trace.json"), "utf8")) as unknown, { sorted: true })).toEqual([]);
  });

  it("uses whole microseconds, so slices of one thread start together or not overlap", () => {
    for (const event of events) {
      if (event.ph !== "M") expect(Number.isInteger(event.ts), JSON.stringify(event)).toBe(true);
      if (event.ph === "X") expect(event.dur).toBe(1);
    }
    // The scenario has what the checker must see: drops, duplicates, flows, every fault.
    // A message's "from" and "to" are "host/process": worker1's links to the managers lose and
    // duplicate messages, and the partition drops the isolated worker2's.
    const onWorker1Link = (event: Record<string, unknown>) => {
      const { from, to } = event.args as { from: string; to: string };
      return from.startsWith("worker1/") !== to.startsWith("worker1/") && [from, to].some((end) => end.startsWith("manager"));
    };
    const drops = events.filter((event) => event.cat === "message.drop");
    expect(drops.some((event) => (event.args as { reason: string }).reason === "loss" && onWorker1Link(event))).toBe(true);
    expect(drops.some((event) => (event.args as { reason: string }).reason === "partition")).toBe(true);
    const duplicates = events.filter((event) => event.ph === "X" && (event.args as { duplicate?: boolean }).duplicate === true);
    expect(duplicates.some(onWorker1Link)).toBe(true);
    for (const name of ["host.crash", "network.partition", "network.heal", "network.link", "timer.fire"]) expect(events.some((event) => event.name === name), name).toBe(true);
  });

  it("is parsed by the Chrome DevTools trace engine into the same processes, threads, slices and flows", async () => {
    const globalRoot = spawnSync("npm", ["root", "-g"], { encoding: "utf8" }).stdout.trim();
    const engineDirectory = join(globalRoot, "@paulirish", "trace_engine");
    const installed = existsSync(join(engineDirectory, "package.json")) ? (JSON.parse(readFileSync(join(engineDirectory, "package.json"), "utf8")) as { version: string }).version : "none";
    if (installed !== traceEngineVersion) {
      throw new Error(
        `the Chrome DevTools trace engine @paulirish/trace_engine@${traceEngineVersion} is not installed (found: ${installed} in ${globalRoot}); ` +
          `install it with: npm install -g @paulirish/trace_engine@${traceEngineVersion} (npm test's pretest step, scripts/ensure-test-tools.sh, does it as root)`,
      );
    }
    // The engine measures layout with DOMRect, which Node lacks; its README says to stand one in.
    const scope = globalThis as unknown as { DOMRect?: unknown };
    scope.DOMRect ??= class DOMRect {
      constructor(
        readonly x = 0,
        readonly y = 0,
        readonly width = 0,
        readonly height = 0,
      ) {}
    };
    type Thread = { name?: string; entries?: unknown[] };
    type Parsed = {
      Meta: { traceBounds: { min: number; max: number }; threadsInProcess: Map<number, Map<number, unknown>> };
      Renderer: { processes: Map<number, { threads: Map<number, Thread> }> };
      Flows: { flows: Array<Array<{ ph: string }>> };
      Warnings: { perWarning: Map<string, unknown[]> };
    };
    const engine = (await import(pathToFileURL(join(engineDirectory, "models", "trace", "trace.js")).href)) as {
      TraceModel: { Model: { createWithAllHandlers(): { parse(events: unknown[]): Promise<void>; parsedTrace(): { data?: Parsed } & Partial<Parsed> } } };
    };
    // The whole export, and a window that opens with instants before its first slice.
    for (const [label, trace] of [["whole", exported], ["window", windowed]] as const) {
      const model = engine.TraceModel.Model.createWithAllHandlers();
      await model.parse(structuredClone(trace.traceEvents));
      const parsedTrace = model.parsedTrace();
      const data = (parsedTrace.data ?? parsedTrace) as Parsed;
      const events = trace.traceEvents;
      const timed = events.filter((event) => event.ph !== "M");

      // The trace bounds as the engine's Meta handler computes them (MetaHandler.js, handleEvent,
      // @paulirish/trace_engine 0.0.65): only events whose phase is in its
      // eventPhasesOfInterestForTraceBounds, B, E, X and I (Phase.INSTANT is the legacy capital
      // "I"), with a ts other than 0 (Chrome writes metadata there) and a name not ending "::UMA"
      // count, the lower bound from their ts and the upper from ts + dur. So our instants ("i")
      // and flow ends ("s", "f") count for neither: a window's opening instants (the crash) come
      // before its lower bound, and instants after the last slice (a dropped message's would-be
      // arrival) after its upper one. Our events at ts 0 are host additions.
      const boundsPhases = new Set(["B", "E", "X", "I"]);
      const bounding = timed.filter((event) => boundsPhases.has(event.ph as string) && event.ts !== 0 && !(event.name as string).endsWith("::UMA"));
      expect(bounding.length, label).toBeGreaterThan(0);
      expect(data.Meta.traceBounds.min, label).toBe(Math.min(...bounding.map((event) => event.ts as number)));
      expect(data.Meta.traceBounds.max, label).toBe(Math.max(...bounding.map((event) => (event.ts as number) + ((event.dur as number | undefined) ?? 0))));
      // Only instants lie outside them: the window's opening crash comes before its first slice.
      const outside = timed.filter((event) => event.ts !== 0 && ((event.ts as number) < data.Meta.traceBounds.min || (event.ts as number) > data.Meta.traceBounds.max));
      expect(outside.filter((event) => event.ph !== "i"), label).toEqual([]);
      if (label === "window") expect(outside, label).toContainEqual(expect.objectContaining({ name: "host.crash", ph: "i", ts: Math.round(crashAtMs * 1_000) }));
      // Every process and thread of the export, under the same ids.
      const threadsOf = new Map<number, Set<number>>();
      for (const event of timed) threadsOf.set(event.pid as number, (threadsOf.get(event.pid as number) ?? new Set()).add(event.tid as number));
      for (const [pid, tids] of threadsOf) for (const tid of tids) expect(data.Meta.threadsInProcess.get(pid)?.has(tid), `${label} ${pid}/${tid}`).toBe(true);
      // Every thread with slices, named as the export names it, with all its slices (the engine's
      // thread entries are its slices; it keeps instants apart).
      const names = new Map(events.filter((event) => event.ph === "M" && event.name === "thread_name").map((event) => [`${String(event.pid)}/${String(event.tid)}`, (event.args as { name: string }).name]));
      const entries = new Map<string, number>();
      for (const event of timed) {
        if (event.ph === "X") entries.set(`${String(event.pid)}/${String(event.tid)}`, (entries.get(`${String(event.pid)}/${String(event.tid)}`) ?? 0) + 1);
      }
      let threadsChecked = 0;
      for (const [pid, process] of data.Renderer.processes) {
        for (const [tid, thread] of process.threads) {
          const key = `${pid}/${tid}`;
          if (!entries.has(key)) continue;
          threadsChecked++;
          expect(thread.name, `${label} ${key}`).toBe(names.get(key));
          expect(thread.entries?.length, `${label} ${key}`).toBe(entries.get(key));
        }
      }
      expect(threadsChecked, label).toBe(entries.size);
      // One flow per delivered message, from its send slice to its receive slice.
      const flowStarts = events.filter((event) => event.ph === "s").length;
      if (label === "whole") expect(flowStarts).toBeGreaterThan(100);
      expect(data.Flows.flows.length, label).toBe(flowStarts);
      for (const flow of data.Flows.flows) expect(flow.map((event) => event.ph), label).toEqual(["X", "X"]);
      expect([...data.Warnings.perWarning.keys()], label).toEqual([]);
    }
  });
});
