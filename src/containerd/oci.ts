/**
 * The OCI runtime bundle's config.json, as far as swarmsim uses it (a subset of
 * opencontainers/runtime-spec `config.md` and `config-linux.md`, field names as in the spec).
 * dockerd builds it, containerd hands it to the shim, the shim writes it into the bundle, and
 * runC reads it to create the container.
 */

/** `process.user`. */
export interface OciUser {
  readonly uid: number;
  readonly gid: number;
}

/** `process`: what runs in the container. */
export interface OciProcess {
  readonly terminal: boolean;
  readonly user: OciUser;
  /** Executable and arguments (`args[0]` is the program). */
  readonly args: readonly string[];
  /** `KEY=value` strings. */
  readonly env: readonly string[];
  readonly cwd: string;
}

/** One entry of `mounts`. */
export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options?: readonly string[];
}

/** `linux.resources`: cgroup limits. */
export interface OciLinuxResources {
  readonly memory?: { readonly limit?: number };
  /** CPU quota and period in µs (as `--cpus` sets them) and relative shares. */
  readonly cpu?: { readonly shares?: number; readonly quota?: number; readonly period?: number };
}

/** A Linux namespace the container gets. */
export interface OciNamespace {
  readonly type: "pid" | "network" | "ipc" | "uts" | "mount" | "cgroup" | "user";
  readonly path?: string;
}

/** The bundle's config.json. */
export interface OciSpec {
  readonly ociVersion: string;
  readonly process: OciProcess;
  readonly root: { readonly path: string; readonly readonly?: boolean };
  readonly hostname: string;
  readonly mounts: readonly OciMount[];
  /** Annotations; swarmsim keeps the image reference here (`org.opencontainers.image.ref.name`). */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly linux: {
    readonly resources?: OciLinuxResources;
    readonly namespaces: readonly OciNamespace[];
    readonly cgroupsPath?: string;
  };
}

/** The runtime-spec version swarmsim writes, as containerd 1.7 / runc 1.1 do. */
export const ociVersion = "1.0.2-dev";
