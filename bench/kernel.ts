// Kernel benchmark: 1,000 pending timers, each firing schedules the next at a random delay,
// 5,000,000 events, trace off. Compared with a bare binary-heap loop written inline here, which
// does the same work with nothing else around it: the physical limit for this machine.
import seedrandom from "seedrandom";
import { SimulationKernel } from "swarmsim";

/** One benchmark's figures. */
export interface KernelBenchResult {
  readonly events: number;
  readonly bareEventsPerSecond: number;
  readonly kernelEventsPerSecond: number;
  readonly ratio: number;
}

const pendingTimers = 1_000;
const delayMsMax = 100;

/** The bare loop: a min-heap of {time, seq} keyed by (time, seq); each pop pushes one successor. */
function bareLoop(eventCount: number): number {
  interface Entry { time: number; seq: number }
  const random = seedrandom.alea("bench");
  const heap: Entry[] = [];
  let seq = 0;
  const less = (a: Entry, b: Entry) => a.time < b.time || (a.time === b.time && a.seq < b.seq);
  const push = (entry: Entry) => {
    let index = heap.length;
    heap.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (less(heap[parent]!, entry)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  };
  const pop = (): Entry => {
    const top = heap[0]!;
    const last = heap.pop()!;
    const length = heap.length;
    if (length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= length) break;
        let child = left;
        if (left + 1 < length && less(heap[left + 1]!, heap[left]!)) child = left + 1;
        if (less(last, heap[child]!)) break;
        heap[index] = heap[child]!;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  };
  for (let index = 0; index < pendingTimers; index++) push({ time: random() * delayMsMax, seq: seq++ });
  let now = 0;
  for (let processed = 0; processed < eventCount; processed++) {
    const entry = pop();
    now = entry.time;
    push({ time: now + random() * delayMsMax, seq: seq++ });
  }
  return now;
}

/** The kernel: one process holding 1,000 timers; each firing sets the next. */
function kernelLoop(eventCount: number): number {
  const sim = new SimulationKernel({ seed: "bench", trace: { level: "off" } });
  sim.addHost("h1");
  sim.spawn("h1", "timers", {
    start(context) {
      for (let index = 0; index < pendingTimers; index++) context.setTimer(context.random.next() * delayMsMax);
    },
    timer(context) {
      context.setTimer(context.random.next() * delayMsMax);
    },
  });
  // 1,000 timers at a mean delay of 50 ms fire 20,000 times per virtual second.
  const virtualMs = (eventCount / pendingTimers) * (delayMsMax / 2);
  sim.runFor(virtualMs * 0.98);
  while (sim.eventCount < eventCount) sim.step();
  return sim.now;
}

function timeIt(run: () => number): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}

/** Runs both loops (best of `repetitions`) and returns the rates. */
export function benchKernel(events = 5_000_000, repetitions = 3): KernelBenchResult {
  let bareSeconds = Infinity;
  let kernelSeconds = Infinity;
  for (let repetition = 0; repetition < repetitions; repetition++) {
    bareSeconds = Math.min(bareSeconds, timeIt(() => bareLoop(events)));
    kernelSeconds = Math.min(kernelSeconds, timeIt(() => kernelLoop(events)));
  }
  const bareEventsPerSecond = events / bareSeconds;
  const kernelEventsPerSecond = events / kernelSeconds;
  return { events, bareEventsPerSecond, kernelEventsPerSecond, ratio: kernelEventsPerSecond / bareEventsPerSecond };
}
