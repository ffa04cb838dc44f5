// A strict checker of the Chrome / Perfetto Trace Event Format (the JSON object form), written
// from the format's specification ("Trace Event Format", the catapult document) and from what
// Perfetto's JSON importer does with it: the top-level keys, every event's fields and types, the
// phases, metadata events, duration and complete events, instant scopes, flow events and the
// slices they bind to, plus the rules Perfetto adds because it reads ids as Linux ids (no pid or
// tid 0, a tid belongs to one process). `traceEventFormatProblems` returns every problem found,
// each naming the event by its index; an empty list means the trace is valid.

/** Phases of the format (deprecated ones left out): duration, complete, instant, counter, async, flow, sample, object, metadata, memory dump, mark, clock sync, context. */
export const traceEventPhases: ReadonlySet<string> = new Set(["B", "E", "X", "i", "C", "b", "n", "e", "s", "t", "f", "P", "N", "O", "D", "M", "V", "v", "R", "c", "(", ")"]);
/** Names a metadata (`M`) event may have. */
export const metadataEventNames: ReadonlySet<string> = new Set(["process_name", "process_labels", "process_sort_index", "thread_name", "thread_sort_index"]);
/** Keys the JSON object form may have at its top level. */
export const topLevelKeys: ReadonlySet<string> = new Set(["traceEvents", "displayTimeUnit", "otherData", "metadata", "systemTraceEvents", "stackFrames", "samples", "controllerTraceDataKey", "powerTraceAsString"]);
/** Phases whose event sits on a thread's track (a thread-scoped instant too). */
const threadPhases: ReadonlySet<string> = new Set(["B", "E", "X", "s", "t", "f", "P"]);
/** The largest id Perfetto keeps (it reads pid and tid as 32-bit unsigned integers). */
const idMax = 2 ** 32 - 1;

/** What to check besides the format itself. */
export interface TraceCheckOptions {
  /** Events other than metadata must come in non-decreasing `ts` order (the format allows any order). Default false. */
  readonly sorted?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Event = Record<string, unknown>;

/** Whether `value` is a plain JSON value all the way down (no undefined, NaN, Infinity, functions, class instances). */
function jsonProblem(value: unknown, path: string): string | null {
  if (value === null || typeof value === "boolean" || typeof value === "string") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot hold`;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const problem = jsonProblem(value[index], `${path}[${index}]`);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const problem = jsonProblem(item, `${path}.${key}`);
      if (problem !== null) return problem;
    }
    return null;
  }
  return `${path} is ${typeof value === "object" ? "an object that is not plain JSON" : typeof value}, which JSON cannot hold`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= idMax;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * Every way `trace` breaks the Trace Event Format's JSON object form (and Perfetto's reading of
 * it). The checks:
 * - the top level: an object with a `traceEvents` array, only the format's keys, `displayTimeUnit` "ms" or "ns", plain JSON throughout;
 * - each event: `name` a string, `ph` one of the phases, `cat` a string, `pid` and `tid` integers from 1 to 2^32-1, `ts` a number of microseconds >= 0 (metadata may omit it), `args` an object;
 * - `X` has `dur` >= 0; `i` has scope `g`, `p` or `t`; `B`/`E` pair up per thread, an `E` closing the last open `B` (and naming it, if it has a name);
 * - the slices of one thread (`X` and `B`/`E`) nest: none ends inside another it started after;
 * - flows (`s`, `t`, `f`): an `id`, each start ended once by an `f` of the same category, name and id that is not earlier; every flow event on a thread where a slice encloses it (`bp: "e"` or a start), or, for an `f` without `bp`, before a slice that starts at or after it;
 * - metadata: a known name, `args.name` a non-empty string for names, `args.sort_index` an integer for sort indexes; every process used has a `process_name`, every thread used has a `thread_name`;
 * - Perfetto's Linux ids: a tid belongs to one process only, and no tid is another process's pid;
 * - with `sorted`, events other than metadata in non-decreasing `ts` order.
 */
export function traceEventFormatProblems(trace: unknown, options: TraceCheckOptions = {}): string[] {
  const problems: string[] = [];
  if (!isPlainObject(trace)) return ["the trace is not a JSON object (the object form has a traceEvents array)"];
  const json = jsonProblem(trace, "trace");
  if (json !== null) problems.push(json);
  for (const key of Object.keys(trace)) if (!topLevelKeys.has(key)) problems.push(`unknown top-level key "${key}"`);
  if (trace.displayTimeUnit !== undefined && trace.displayTimeUnit !== "ms" && trace.displayTimeUnit !== "ns") problems.push(`displayTimeUnit is ${JSON.stringify(trace.displayTimeUnit)}: expected "ms" or "ns"`);
  if (trace.otherData !== undefined && !isPlainObject(trace.otherData)) problems.push("otherData is not an object");
  const events = trace.traceEvents;
  if (!Array.isArray(events)) return [...problems, "traceEvents is not an array"];

  const processNames = new Set<number>();
  const threadNames = new Set<string>();
  const usedProcesses = new Map<number, number>();
  const usedThreads = new Map<string, number>();
  const processOfThread = new Map<number, number>();
  const slicesByThread = new Map<string, Array<{ index: number; start: number; end: number }>>();
  const durationByThread = new Map<string, Array<{ index: number; event: Event }>>();
  const flowEvents: Array<{ index: number; event: Event }> = [];
  let lastTs = Number.NEGATIVE_INFINITY;

  events.forEach((raw: unknown, index) => {
    const at = `event ${index}`;
    if (!isPlainObject(raw)) {
      problems.push(`${at} is not an object`);
      return;
    }
    const event = raw as Event;
    const ph = event.ph;
    if (typeof ph !== "string" || !traceEventPhases.has(ph)) {
      problems.push(`${at}: ph ${JSON.stringify(ph)} is not a phase of the format`);
      return;
    }
    if (typeof event.name !== "string") problems.push(`${at} (${ph}): name is not a string`);
    if (event.cat !== undefined && typeof event.cat !== "string") problems.push(`${at} (${ph}): cat is not a string`);
    if (event.args !== undefined && !isPlainObject(event.args)) problems.push(`${at} (${ph}): args is not an object`);
    if (!isId(event.pid) || event.pid === 0) problems.push(`${at} (${ph}): pid ${JSON.stringify(event.pid)} is not an integer from 1 to 2^32-1 (Perfetto reads 0 as the idle process)`);
    if (!isId(event.tid) || event.tid === 0) problems.push(`${at} (${ph}): tid ${JSON.stringify(event.tid)} is not an integer from 1 to 2^32-1 (Perfetto reads 0 as the idle thread)`);
    if (ph === "M" ? event.ts !== undefined && !isTime(event.ts) : !isTime(event.ts)) problems.push(`${at} (${ph}): ts ${JSON.stringify(event.ts)} is not a number of microseconds >= 0`);
    if (event.tts !== undefined && !isTime(event.tts)) problems.push(`${at} (${ph}): tts is not a number >= 0`);
    if (!isId(event.pid) || !isId(event.tid)) return;
    const pid = event.pid;
    const tid = event.tid;
    const thread = `${pid}/${tid}`;
    const owner = processOfThread.get(tid);
    if (owner === undefined) processOfThread.set(tid, pid);
    else if (owner !== pid) problems.push(`${at} (${ph}): tid ${tid} is used by processes ${owner} and ${pid} (Perfetto takes a tid for one thread of the whole system)`);

    if (ph === "M") {
      const name = event.name as string;
      const args = isPlainObject(event.args) ? event.args : {};
      if (!metadataEventNames.has(name)) problems.push(`${at}: metadata name ${JSON.stringify(name)} is not one of ${[...metadataEventNames].join(", ")}`);
      if (name === "process_name" || name === "thread_name") {
        if (typeof args.name !== "string" || args.name === "") problems.push(`${at}: ${name} without a non-empty args.name`);
        else if (name === "process_name") processNames.add(pid);
        else threadNames.add(thread);
      }
      if ((name === "process_sort_index" || name === "thread_sort_index") && !Number.isInteger(args.sort_index)) problems.push(`${at}: ${name} without an integer args.sort_index`);
      if (name === "process_labels" && typeof args.labels !== "string") problems.push(`${at}: process_labels without a string args.labels`);
      return;
    }
    const ts = event.ts as number;
    if (options.sorted === true) {
      if (ts < lastTs) problems.push(`${at} (${ph}): ts ${ts} comes after ts ${lastTs} (not sorted)`);
      lastTs = Math.max(lastTs, ts);
    }
    if (!usedProcesses.has(pid)) usedProcesses.set(pid, index);
    const onThread = threadPhases.has(ph) || (ph === "i" && (event.s === undefined || event.s === "t"));
    if (onThread && !usedThreads.has(thread)) usedThreads.set(thread, index);
    switch (ph) {
      case "X": {
        if (!isTime(event.dur)) {
          problems.push(`${at} (X): dur ${JSON.stringify(event.dur)} is not a duration >= 0`);
          break;
        }
        if (event.tdur !== undefined && !isTime(event.tdur)) problems.push(`${at} (X): tdur is not a duration >= 0`);
        const slices = slicesByThread.get(thread) ?? [];
        slices.push({ index, start: ts, end: ts + event.dur });
        slicesByThread.set(thread, slices);
        break;
      }
      case "B":
      case "E": {
        const list = durationByThread.get(thread) ?? [];
        list.push({ index, event });
        durationByThread.set(thread, list);
        break;
      }
      case "i":
        if (event.s !== undefined && event.s !== "g" && event.s !== "p" && event.s !== "t") problems.push(`${at} (i): scope s ${JSON.stringify(event.s)} is not "g", "p" or "t"`);
        break;
      case "s":
      case "t":
      case "f":
        if (typeof event.id !== "number" && typeof event.id !== "string") problems.push(`${at} (${ph}): a flow event without an id`);
        if (event.bp !== undefined && event.bp !== "e") problems.push(`${at} (${ph}): bp ${JSON.stringify(event.bp)} is not "e"`);
        flowEvents.push({ index, event });
        break;
      default:
        break;
    }
  });

  // B/E pairs, per thread, in time order (a stable sort keeps the file's order for equal times).
  for (const [thread, list] of durationByThread) {
    const ordered = [...list].sort((left, right) => (left.event.ts as number) - (right.event.ts as number));
    const open: Array<{ index: number; event: Event }> = [];
    for (const item of ordered) {
      if (item.event.ph === "B") {
        open.push(item);
        continue;
      }
      const begin = open.pop();
      if (begin === undefined) problems.push(`event ${item.index} (E) on thread ${thread}: no open B to end`);
      else if (item.event.name !== undefined && item.event.name !== "" && begin.event.name !== item.event.name) problems.push(`event ${item.index} (E) "${String(item.event.name)}" ends B "${String(begin.event.name)}" (event ${begin.index})`);
      else {
        const slices = slicesByThread.get(thread) ?? [];
        slices.push({ index: begin.index, start: begin.event.ts as number, end: item.event.ts as number });
        slicesByThread.set(thread, slices);
      }
    }
    for (const item of open) problems.push(`event ${item.index} (B) on thread ${thread}: never ended`);
  }

  // Slices of a thread nest: sorted by start (longest first), each starts after the enclosing one
  // ended or ends within it.
  const sortedSlices = new Map<string, Array<{ index: number; start: number; end: number }>>();
  for (const [thread, slices] of slicesByThread) {
    const ordered = [...slices].sort((left, right) => left.start - right.start || right.end - left.end);
    sortedSlices.set(thread, ordered);
    const stack: Array<{ index: number; start: number; end: number }> = [];
    for (const slice of ordered) {
      while (stack.length > 0 && stack[stack.length - 1]!.end <= slice.start) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent !== undefined && slice.end > parent.end) {
        problems.push(`event ${slice.index} on thread ${thread}: slice [${slice.start}, ${slice.end}] overlaps slice [${parent.start}, ${parent.end}] (event ${parent.index}) without nesting in it`);
        continue;
      }
      stack.push(slice);
    }
  }

  // Flows: each start ended exactly once, not earlier, each flow event bound to a slice.
  const flows = new Map<string, { start?: { index: number; ts: number }; ends: Array<{ index: number; ts: number }> }>();
  for (const { index, event } of flowEvents) {
    const key = `${String(event.cat)}\u0000${String(event.name)}\u0000${String(event.id)}`;
    const flow = flows.get(key) ?? { ends: [] };
    const ts = event.ts as number;
    if (event.ph === "s") {
      if (flow.start !== undefined) problems.push(`event ${index} (s): flow id ${String(event.id)} "${String(event.name)}" started twice (also event ${flow.start.index})`);
      else flow.start = { index, ts };
    } else if (event.ph === "f") {
      flow.ends.push({ index, ts });
    }
    flows.set(key, flow);
    const thread = `${String(event.pid)}/${String(event.tid)}`;
    const slices = sortedSlices.get(thread) ?? [];
    const bindsEnclosing = event.ph !== "f" || event.bp === "e";
    const bound = bindsEnclosing ? slices.some((slice) => slice.start <= ts && ts <= slice.end) : slices.some((slice) => slice.start >= ts);
    if (!bound) problems.push(`event ${index} (${String(event.ph)}): no slice on thread ${thread} ${bindsEnclosing ? "encloses" : "starts at or after"} ts ${ts} for the flow to bind to`);
  }
  for (const [key, flow] of flows) {
    const label = key.split("\u0000").slice(1).join(" id ");
    if (flow.start === undefined) {
      for (const end of flow.ends) problems.push(`event ${end.index} (f): flow "${label}" ends without a start`);
      continue;
    }
    if (flow.ends.length !== 1) problems.push(`event ${flow.start.index} (s): flow "${label}" has ${flow.ends.length} ends (expected 1)`);
    for (const end of flow.ends) if (end.ts < flow.start.ts) problems.push(`event ${end.index} (f): flow "${label}" ends at ${end.ts}, before its start at ${flow.start.ts}`);
  }

  for (const [pid, index] of usedProcesses) if (!processNames.has(pid)) problems.push(`event ${index}: process ${pid} has no process_name metadata`);
  for (const [thread, index] of usedThreads) if (!threadNames.has(thread)) problems.push(`event ${index}: thread ${thread} has no thread_name metadata`);
  const pids = new Set([...usedProcesses.keys(), ...processNames]);
  for (const [tid, pid] of processOfThread) if (pids.has(tid) && tid !== pid) problems.push(`tid ${tid} of process ${pid} is also the pid of another process (Perfetto would take it for that process's main thread)`);
  return problems;
}

/** A JSON value of the format, for the tests' hand-made traces. */
export type TraceJson = Json;
