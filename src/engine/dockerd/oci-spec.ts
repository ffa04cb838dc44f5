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
      env: config.Env,
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
