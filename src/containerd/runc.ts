/**
 * runC: the short-lived OCI runtime a shim runs for each step of a container's life. Like
 * `runc --log <bundle>/log.json create|start <id>`, it reads the bundle's config.json, does its
 * work, writes any error to the bundle's log.json, and exits (0 on success, 1 on failure).
 * The shim waits for the exit, as go-runc waits for the command, and then reads log.json.
 * `runc exec --process process.json -d <id>` starts an extra process in the container. `create`
 * and `exec` fail, as runC's init does, when the program is not found in the container.
 */
import "./events.js";
import type { OciProcess, OciSpec } from "./oci.js";
import { bundleFileKey, bundleFiles } from "./paths.js";
import type { RuncCommand } from "./events.js";
import type { ProcessBehaviour, ProcessContext, ProcessFactory } from "../sim/process.js";

/**
 * How long `runc create` takes (set up namespaces, cgroups, mounts, the init process, and run the
 * prestart hook, moby's `libnetwork-setkey`, which has dockerd put the network sandbox in place),
 * in virtual ms. Measured on the recording VM (2 CPUs, runc 1.1.5, containerd 1.6.20, dockerd
 * 20.10.24): containerd's `/tasks/create` event comes about 280 ms after the shim is up, of which
 * dockerd logs about 100 ms of "sandbox set key processing" (see docs/engine.md).
 */
export const runcCreateDurationMs = 280;
/** How long `runc start` takes (let the init process exec the program), in virtual ms: `/tasks/create` to `/tasks/start`, about 12 ms. */
export const runcStartDurationMs = 12;
/** How long `runc exec` takes (join the container's namespaces and cgroup, exec the program), in virtual ms. */
export const runcExecDurationMs = 10;

/**
 * Whether a program exists in a container, as `exec.LookPath` inside it would find it:
 * `argv0` is the first word of the process's args, `spec` the container's bundle spec.
 */
export type LookPath = (argv0: string, spec: OciSpec) => boolean;

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
  /** How `create` and `exec` find the program (every program is found when absent). */
  readonly lookPath?: LookPath;
  /** For `exec`: the process to start and its exec id. */
  readonly exec?: { readonly execId: string; readonly process: OciProcess };
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
    const command = this.options.command;
    if (command === "create") context.emit("runc.create", fields);
    else if (command === "start") context.emit("runc.start", fields);
    else context.emit("runc.exec", { ...fields, execId: this.options.exec?.execId ?? "" });
    context.setTimer(command === "create" ? runcCreateDurationMs : command === "start" ? runcStartDurationMs : runcExecDurationMs, "done");
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
    const lookPath = this.options.lookPath;
    if (this.options.command === "create" && lookPath !== undefined) {
      const missing = notFound(spec.process.args[0]!, spec, lookPath);
      if (missing !== null) return `unable to start container process: error during container init: ${missing}`;
    }
    const exec = this.options.exec;
    if (this.options.command === "exec" && exec !== undefined) {
      const missing = notFound(exec.process.args[0] ?? "", spec, lookPath);
      if (missing !== null) return `exec failed: unable to start container process: ${missing}`;
    }
    return null;
  }

  private logError(context: ProcessContext, message: string): void {
    const key = bundleFileKey(this.options.containerId, bundleFiles.runcLog);
    const entries = context.disk.read<readonly RuncLogEntry[]>(key) ?? [];
    const kept = entries.slice(Math.max(0, entries.length - runcLogEntriesMax + 1));
    // runC's exec errors are its init's words (`exec failed: ...`); the others name the command.
    const text = this.options.command === "exec" ? message : `runc ${this.options.command} failed: ${message}`;
    context.disk.write(key, [...kept, { level: "error", msg: text, time: context.now }]);
  }
}

/** runC's init failing to find a program (`exec: "x": executable file not found in $PATH`), or null when it is there. */
function notFound(program: string, spec: OciSpec, lookPath: LookPath | undefined): string | null {
  if (program !== "" && (lookPath === undefined || lookPath(program, spec))) return null;
  const why = program.includes("/") ? `stat ${program}: no such file or directory` : "executable file not found in $PATH";
  return `exec: ${JSON.stringify(program)}: ${why}`;
}
