/**
 * Names and disk layout of the container runtime layer, as on a real Docker host:
 * containerd's metadata under `/var/lib/containerd/...` (kept across reboots), task bundles
 * under `/run/containerd/...` (tmpfs: gone after a reboot), and the process names of shims,
 * runC invocations, container processes and exec'd processes (`shim:<id12>`, `runc:<id12>`,
 * `container:<id12>`, `runc-exec:<exec12>`, `exec:<exec12>`).
 */

/** The containerd namespace dockerd uses. */
export const containerdNamespace = "moby";

/** Disk prefix of the container metadata (containerd's bolt database, one key per container). */
export const containerMetadataPrefix = `/var/lib/containerd/io.containerd.metadata.v1.bolt/${containerdNamespace}/containers/`;

/** Disk prefix of the task bundles (a directory per container id, on tmpfs). */
export const taskBundlePrefix = `/run/containerd/io.containerd.runtime.v2.task/${containerdNamespace}/`;

/** Characters of a container id used in process names, as `docker ps` shows ids. */
export const shortIdLength = 12;

/** The first 12 characters of a container id. */
export function shortId(containerId: string): string {
  return containerId.slice(0, shortIdLength);
}

/** The process name of a container's shim: `shim:<id12>`. */
export function shimProcessName(containerId: string): string {
  return `shim:${shortId(containerId)}`;
}

/** The process name of a runC invocation for a container: `runc:<id12>`. */
export function runcProcessName(containerId: string): string {
  return `runc:${shortId(containerId)}`;
}

/** The process name of an exec'd process (`docker exec`) in a container: `exec:<execId12>`. */
export function execProcessName(execId: string): string {
  return `exec:${shortId(execId)}`;
}

/** The process name of the `runc exec` that starts an exec'd process: `runc-exec:<execId12>`. */
export function runcExecProcessName(execId: string): string {
  return `runc-exec:${shortId(execId)}`;
}

/** The process name of a container's process: `container:<id12>`. */
export function containerProcessName(containerId: string): string {
  return `container:${shortId(containerId)}`;
}

/** The disk key of a container's metadata. */
export function containerMetadataKey(containerId: string): string {
  return containerMetadataPrefix + containerId;
}

/** The bundle directory of a container's task (ends with a slash). */
export function bundlePath(containerId: string): string {
  return `${taskBundlePrefix}${containerId}/`;
}

/** Files of a task bundle. */
export const bundleFiles = {
  /** The OCI spec (written by containerd, read by runC). */
  config: "config.json",
  /** The shim's address (its process name here, a unix socket in real life), written by the shim. */
  address: "address",
  /** The shim's pid, written by the shim. */
  shimPid: "shim.pid",
  /** The container process's pid, written once it runs. */
  initPid: "init.pid",
  /** runC's error log (`runc --log log.json`). */
  runcLog: "log.json",
} as const;

/** The disk key of one bundle file. */
export function bundleFileKey(containerId: string, file: (typeof bundleFiles)[keyof typeof bundleFiles]): string {
  return bundlePath(containerId) + file;
}
