#!/usr/bin/env node
/// <reference types="node" />
/**
 * Node-only: the `swarmsim` executable (package.json `bin`). Runs the command line with the
 * process's arguments and sets the exit code (0 ok, 1 failed run, 2 usage error). An experiment
 * whose workers fill the cores runs in a Node process started again with other V8 settings
 * (`relaunch.ts`); its output and exit code are this process's.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism, constants } from "node:os";
import { runCommandLine } from "./command-line.js";
import { relaunchArguments, relaunchedVariable } from "./relaunch.js";

const commandArguments = process.argv.slice(2);
const relaunch = relaunchArguments(commandArguments, process.execArgv, process.argv[1]!, process.env, availableParallelism());
if (relaunch === null) {
  process.exitCode = await runCommandLine(commandArguments);
} else {
  const child = spawnSync(process.execPath, relaunch, { stdio: "inherit", env: { ...process.env, [relaunchedVariable]: "1" } });
  if (child.error !== undefined) throw child.error;
  // A child ended by a signal (Ctrl-C reaches both) is reported as a shell reports it: 128 + the signal's number.
  process.exitCode = child.status ?? 128 + (child.signal === null ? 0 : constants.signals[child.signal]);
}
