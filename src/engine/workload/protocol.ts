/**
 * What passes between a container's process and its shim (its parent), and how a program is
 * chosen. The shim starts the container process with the behaviour `createProgram` returns for
 * the bundle's OCI spec; the program writes output lines to the shim, and the shim forwards
 * signals to it. SIGKILL never reaches the program: the shim kills the process outright.
 */
import type { OciSpec } from "../../containerd/oci.js";

/** An output line from the program to its shim. */
export interface StdioMessage {
  readonly stdio: "stdout" | "stderr";
  readonly text: string;
}

/** A catchable signal from the shim to the program (SIGKILL is not sent: the shim kills). */
export interface SignalMessage {
  readonly signal: string;
}

/** The program tells its shim the memory limit was exceeded, just before it exits with 137. */
export interface OomMessage {
  readonly oom: true;
}

/** A process of a container's PID namespace, as `ps` inside the container shows it. */
export interface ContainerProcessInfo {
  /** Its pid inside the namespace (1 for the container's own process). */
  readonly pid: number;
  readonly args: readonly string[];
}

/** Everything a program needs to know about where it runs. */
export interface ProgramOptions {
  /** The OCI spec from the bundle (args, env, cwd, hostname, resource limits); for an exec process, its own `process`. */
  readonly spec: OciSpec;
  /** The name of the shim process to write output to, on the same host. */
  readonly shimProcess: string;
  /** The processes running in the container now (for `ps`); absent: only this one, as PID 1. */
  readonly processes?: () => readonly ContainerProcessInfo[];
}
