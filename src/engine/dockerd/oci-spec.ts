/**
 * Turns a container's configuration into the OCI runtime spec dockerd hands to containerd
 * (moby's `daemon/oci_linux.go` in spirit): the process (entrypoint + command, env, working
 * directory), the hostname, the standard mounts, the namespaces and the cgroup limits that
 * `--memory` and `--cpus` set.
 */
import { ociVersion, type OciMount, type OciSpec } from "../../containerd/oci.js";
import type { ImageRecord } from "./records.js";
import { dockerRoot, type ContainerRecord } from "./records.js";

/** CFS period dockerd uses with `--cpus`, µs. */
export const cpuPeriodMicroseconds = 100_000;

function standardMounts(id: string): OciMount[] {
  const containerDirectory = `${dockerRoot}/containers/${id}`;
  return [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
    { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
    { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid", "noexec", "nodev"] },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/dev/shm", type: "bind", source: `${containerDirectory}/mounts/shm`, options: ["rbind", "rprivate"] },
    { destination: "/etc/resolv.conf", type: "bind", source: `${containerDirectory}/resolv.conf`, options: ["rbind", "rprivate"] },
    { destination: "/etc/hostname", type: "bind", source: `${containerDirectory}/hostname`, options: ["rbind", "rprivate"] },
    { destination: "/etc/hosts", type: "bind", source: `${containerDirectory}/hosts`, options: ["rbind", "rprivate"] },
  ];
}

/** The PATH dockerd puts first in every container process's environment (moby's `oci.DefaultPathEnv` on Linux). */
export const defaultPathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * moby's `ReplaceOrAppendEnvValues`: each override replaces the entry of the same name or is
 * appended; an override without `=` removes the variable.
 */
export function replaceOrAppendEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const result: (string | null)[] = [...base];
  const indexOf = (key: string): number => result.findIndex((entry) => entry !== null && entry.split("=")[0] === key);
  for (const override of overrides) {
    const key = override.split("=")[0]!;
    const index = indexOf(key);
    if (!override.includes("=")) {
      if (index >= 0) result[index] = null;
      continue;
    }
    if (index >= 0) result[index] = override;
    else result.push(override);
  }
  return result.filter((entry): entry is string => entry !== null);
}

/**
 * The environment of a container's processes (moby's `CreateDaemonEnvironment`): PATH, HOSTNAME,
 * TERM with a TTY, then the container's `Env` replacing or adding to them.
 */
export function daemonEnvironment(record: ContainerRecord, tty: boolean): string[] {
  const base = [defaultPathEnv, `HOSTNAME=${record.config.Hostname}`, ...(tty ? ["TERM=xterm"] : [])];
  return replaceOrAppendEnv(base, record.config.Env);
}

/** The OCI spec for starting `record`. */
export function buildOciSpec(record: ContainerRecord, image: ImageRecord | undefined): OciSpec {
  const { config, hostConfig } = record;
  const memory = hostConfig.Memory > 0 ? { limit: hostConfig.Memory } : undefined;
  const quota = hostConfig.NanoCpus > 0 ? Math.round((hostConfig.NanoCpus * cpuPeriodMicroseconds) / 1e9) : hostConfig.CpuQuota;
  const cpu =
    quota > 0 || hostConfig.CpuShares > 0
      ? { ...(hostConfig.CpuShares > 0 ? { shares: hostConfig.CpuShares } : {}), ...(quota > 0 ? { quota, period: hostConfig.CpuPeriod || cpuPeriodMicroseconds } : {}) }
      : undefined;
  return {
    ociVersion,
    process: {
      terminal: config.Tty,
      user: { uid: 0, gid: 0 },
      args: [record.path, ...record.args],
      env: daemonEnvironment(record, config.Tty),
      cwd: config.WorkingDir === "" ? "/" : config.WorkingDir,
    },
    root: { path: `${dockerRoot}/overlay2/${record.id}/merged` },
    hostname: config.Hostname,
    mounts: standardMounts(record.id),
    annotations: { "org.opencontainers.image.ref.name": record.imageName, ...(image ? { "org.opencontainers.image.id": image.id } : {}) },
    linux: {
      resources: { ...(memory ? { memory } : {}), ...(cpu ? { cpu } : {}) },
      namespaces: [{ type: "mount" }, { type: "network" }, { type: "uts" }, { type: "pid" }, { type: "ipc" }, { type: "cgroup" }],
      cgroupsPath: `/docker/${record.id}`,
    },
  };
}
