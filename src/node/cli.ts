#!/usr/bin/env node
/// <reference types="node" />
/**
 * Node-only: the `swarmsim` executable (package.json `bin`). Runs the command line with the
 * process's arguments and sets the exit code (0 ok, 1 failed run, 2 usage error).
 */
import { runCommandLine } from "./command-line.js";

process.exitCode = await runCommandLine(process.argv.slice(2));
