// Tests of the V8 settings the experiment runner applies before starting its workers: the
// default inlining cap is set, `[]` sets nothing, a malformed flag is refused before anything is
// set or started, and the results do not depend on the flags.
import { afterEach, describe, expect, it, vi } from "vitest";
import { fileURLToPath } from "node:url";
import { experiment, toJson } from "swarmsim/testing";
import election from "./fixtures/election-experiment.js";

const setFlags = vi.hoisted(() => vi.fn<(flags: string) => void>());
vi.mock("node:v8", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:v8")>();
  return { ...original, setFlagsFromString: setFlags, default: { ...original, setFlagsFromString: setFlags } };
});

const { applyV8Flags, checkV8Flags, experimentV8Flags, runExperimentFile, v8FlagsMax } = await import("../../src/node/index.js");
const electionFile = fileURLToPath(new URL("./fixtures/election-experiment.ts", import.meta.url));

afterEach(() => setFlags.mockClear());

describe("experiment V8 flags", () => {
  it("caps inlining and delays optimising by default, before the workers start, with the same results", async () => {
    const result = await runExperimentFile(electionFile, { workers: 1, progress: false });
    expect(setFlags.mock.calls).toEqual([["--max-inlined-bytecode-size-cumulative=230"], ["--max-inlined-bytecode-size=120"], ["--interrupt-budget=264000"]]);
    expect(experimentV8Flags).toEqual(["--max-inlined-bytecode-size-cumulative=230", "--max-inlined-bytecode-size=120", "--interrupt-budget=264000"]);
    expect(toJson(result)).toBe(toJson(experiment(election)));
  });

  it("sets nothing when given no flags", async () => {
    await runExperimentFile(electionFile, { workers: 1, progress: false, v8Flags: [] });
    expect(setFlags).not.toHaveBeenCalled();
  });

  it("refuses a malformed flag before setting any or starting a worker", async () => {
    await expect(runExperimentFile(electionFile, { workers: 1, progress: false, v8Flags: ["--max-semi-space-size=32", "max-inlined"] })).rejects.toThrow(
      'invalid V8 flag "max-inlined": expected --name or --name=value',
    );
    expect(() => applyV8Flags(["--expose-gc", "--x y"])).toThrow(RangeError);
    expect(() => checkV8Flags(Array.from({ length: v8FlagsMax + 1 }, () => "--expose-gc"))).toThrow(/at most 32 \(the v8FlagsMax bound\)/);
    expect(setFlags).not.toHaveBeenCalled();
  });
});
