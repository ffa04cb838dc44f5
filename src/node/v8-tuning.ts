/// <reference types="node" />
/**
 * Node-only: the V8 settings the experiment runner gives its worker threads. An experiment runs
 * a few hundred short seeds per thread, each through broad code (swarm formation, the Engine API,
 * containerd, fault handling), so V8's optimising compiler keeps compiling ever more of it: under
 * V8's defaults it still executes about half the instructions of a thread's later seeds.
 * Optimising only functions that stay hot four times longer, and inlining a quarter as much into
 * each, saves more compiling than the compiled code loses. V8 reads its flags process-wide (a worker thread cannot take flags of its own), so they
 * are set in the process before the workers start.
 */
import { setFlagsFromString } from "node:v8";

/**
 * The V8 flags experiments run with by default: inlining capped at a quarter of V8's cumulative
 * budget (920 bytes of bytecode) and no callee above 120 bytes inlined (V8's limit is 460), and
 * four times V8's interrupt budget (67,584) before a function is considered for optimisation.
 * Smaller compilation units cost less to compile, and cost less to compile again when a path
 * seen for the first time deoptimises one. Over 300 fault-schedule seeds per thread they cost 2.6%
 * fewer instructions than the cumulative cap at half did, which had cost 10-11% fewer than V8's
 * defaults over 250, compiling included (the README's benchmark section says how this was measured).
 */
export const experimentV8Flags: readonly string[] = ["--max-inlined-bytecode-size-cumulative=230", "--max-inlined-bytecode-size=120", "--interrupt-budget=264000"];

/** Bound `v8FlagsMax`: most V8 flags one run sets. */
export const v8FlagsMax = 32;

const flagPattern = /^--[a-z][a-z0-9_-]*(=[^\s]+)?$/;

/** Checks `flags` (each `--name` or `--name=value`, at most `v8FlagsMax`); throws a RangeError naming the first bad one. */
export function checkV8Flags(flags: readonly string[]): void {
  if (flags.length > v8FlagsMax) throw new RangeError(`too many V8 flags (${flags.length}): at most ${v8FlagsMax} (the v8FlagsMax bound)`);
  for (const flag of flags) {
    if (typeof flag !== "string" || !flagPattern.test(flag)) throw new RangeError(`invalid V8 flag ${JSON.stringify(flag)}: expected --name or --name=value`);
  }
}

/**
 * Sets `flags` in this process's V8, for the worker threads started after (and this thread's
 * own later compiles). They tune the compiler and collector only: no flag changes what a
 * simulation computes, so results stay byte for byte the same.
 */
export function applyV8Flags(flags: readonly string[]): void {
  checkV8Flags(flags);
  for (const flag of flags) setFlagsFromString(flag);
}
