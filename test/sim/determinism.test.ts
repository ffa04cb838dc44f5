// Determinism of the kernel: the same seed and fault schedule give the same trace hash, in
// this process, in a child process and in a worker thread; different seeds give different traces.
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { propertyOptions } from "../helpers/property.js";
import { runKernelScenario, type KernelFault } from "./scenario.js";

const faultArbitrary: fc.Arbitrary<KernelFault> = fc.oneof(
  fc.record({ atMs: fc.integer({ min: 0, max: 5_000 }), kind: fc.constantFrom("crash" as const, "restart" as const), host: fc.nat(10) }),
  fc.record({ atMs: fc.integer({ min: 0, max: 5_000 }), kind: fc.constant("partition" as const), split: fc.nat(10) }),
  fc.record({ atMs: fc.integer({ min: 0, max: 5_000 }), kind: fc.constant("heal" as const) }),
  fc.record({
    atMs: fc.integer({ min: 0, max: 5_000 }),
    kind: fc.constant("link" as const),
    from: fc.nat(10),
    to: fc.nat(10),
    lossRate: fc.double({ min: 0, max: 1, noNaN: true }),
    duplicateRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  }),
);
const scheduleArbitrary = fc.array(faultArbitrary, { maxLength: 8 });
const hashScript = fileURLToPath(new URL("./hash-scenario.ts", import.meta.url));

describe("determinism", () => {
  it("gives the same trace hash for the same seed and fault schedule (200 seeds)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), scheduleArbitrary, (seed, faults) => {
        const first = runKernelScenario(seed, faults);
        const second = runKernelScenario(seed, faults);
        expect(second.traceHash()).toBe(first.traceHash());
        expect(second.trace.length).toBe(first.trace.length);
        expect(first.trace.length).toBeGreaterThan(10);
      }),
      propertyOptions("same seed, same trace", 200),
    );
  });

  it("gives different traces for different seeds", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ minLength: 1, maxLength: 12 }), scheduleArbitrary, (seedA, seedB, faults) => {
        fc.pre(seedA !== seedB);
        expect(runKernelScenario(seedA, faults).traceHash()).not.toBe(runKernelScenario(seedB, faults).traceHash());
      }),
      propertyOptions("different seeds, different traces", 100),
    );
  });

  const jobs = [
    { seed: "alpha", faults: [] as KernelFault[] },
    { seed: "beta", faults: [{ atMs: 1_000, kind: "crash", host: 1 }, { atMs: 2_500, kind: "restart", host: 1 }] as KernelFault[] },
    { seed: "gamma", faults: [{ atMs: 800, kind: "partition", split: 1 }, { atMs: 3_000, kind: "heal" }] as KernelFault[] },
  ];
  const localHashes = jobs.map((job) => runKernelScenario(job.seed, job.faults).traceHash());

  it("gives the same hashes in a fresh child process", () => {
    const output = execFileSync(process.execPath, ["--import", "tsx", hashScript, JSON.stringify(jobs)], { encoding: "utf8" });
    expect(JSON.parse(output)).toEqual(localHashes);
  });

  it("gives the same hashes in a worker thread", async () => {
    const entry = fileURLToPath(new URL("../helpers/tsx-worker.mjs", import.meta.url));
    const worker = new Worker(entry, { workerData: { script: pathToFileURL(hashScript).href, jobs } });
    const hashes = await new Promise<string[]>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(hashes).toEqual(localHashes);
  });
});
