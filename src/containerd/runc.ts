/**
 * runC: the short-lived OCI runtime a shim runs for each step of a container's life. Like
 * `runc --log <bundle>/log.json create|start <id>`, it reads the bundle's config.json, does its
 * work, writes any error to the bundle's log.json, and exits (0 on success, 1 on failure).
 * The shim waits for the exit, as go-runc waits for the command, and then reads log.json.
 */
import "./events.js";
import type { OciSpec } from "./oci.js";
import { bundleFileKey, bundleFiles } from "./paths.js";
import type { RuncCommand } from "./events.js";
import type { ProcessBehaviour, ProcessContext, ProcessFactory } from "../sim/process.js";

/** How long `runc create` takes (set up namespaces, cgroups, mounts, the init process), in virtual ms. */
export const runcCreateDurationMs = 20;
/** How long `runc start` takes (let the init process exec the program), in virtual ms. */
export const runcStartDurationMs = 5;

/** One line of runC's log.json. */
export interface RuncLogEntry {
  readonly level: "error" | "warning" | "info";
  readonly msg: string;
  /** Virtual time, ms. */
  readonly time: number;
}

/** Bound `runcLogEntriesMax`: lines kept in a bundle's log.json (older lines are dropped). */
export const runcLogEntriesMax = 100;

/** What a runC invocation does. */
export interface RuncOptions {
  readonly command: RuncCommand;
  readonly containerId: string;
}

/** A runC invocation's behaviour, fresh for each run. */
export function runcProcess(options: RuncOptions): ProcessFactory {
  return () => new Runc(options);
}

/** The most recent error runC wrote to a bundle's log.json, or a generic one. */
export function lastRuncError(context: ProcessContext, containerId: string): string {
  const entries = context.disk.read<readonly RuncLogEntry[]>(bundleFileKey(containerId, bundleFiles.runcLog)) ?? [];
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    if (entry.level === "error") return entry.msg;
  }
  return "exit status 1";
}

class Runc implements ProcessBehaviour {
  constructor(private readonly options: RuncOptions) {}

  start(context: ProcessContext): void {
    const fields = { host: context.host, containerId: this.options.containerId, pid: context.pid };
    if (this.options.command === "create") context.emit("runc.create", fields);
    else context.emit("runc.start", fields);
    context.setTimer(this.options.command === "create" ? runcCreateDurationMs : runcStartDurationMs, "done");
  }

  timer(context: ProcessContext): void {
    const problem = this.check(context);
    if (problem === null) {
      context.exit(0);
      return;
    }
    this.logError(context, problem);
    context.exit(1);
  }

  /** What is wrong with the bundle, or null. */
  private check(context: ProcessContext): string | null {
    const spec = context.disk.read<OciSpec>(bundleFileKey(this.options.containerId, bundleFiles.config));
    if (spec === undefined) return `JSON specification file ${bundleFiles.config} not found`;
    if (this.options.command === "create" && spec.process.args.length === 0) return "args must not be empty";
    return null;
  }

  private logError(context: ProcessContext, message: string): void {
    const key = bundleFileKey(this.options.containerId, bundleFiles.runcLog);
    const entries = context.disk.read<readonly RuncLogEntry[]>(key) ?? [];
    const kept = entries.slice(Math.max(0, entries.length - runcLogEntriesMax + 1));
    context.disk.write(key, [...kept, { level: "error", msg: `runc ${this.options.command} failed: ${message}`, time: context.now }]);
  }
}
