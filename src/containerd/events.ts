/**
 * The trace events of the container runtime layer (containerd, its shims and runC), added to
 * the kernel's typed event map by module augmentation. Tutorials follow a container's life
 * through them: `containerd.task.create`, `shim.start`, `runc.create`, `runc.exit`, ...
 * Every event names its host and the container's full id.
 */

/** The runC command a `runc.*` event is about (`exec` starts an extra process in a running container). */
export type RuncCommand = "create" | "start" | "exec";

declare module "../sim/events.js" {
  interface SimulationEventMap {
    /** containerd stored a container's metadata. */
    "containerd.container.create": { host: string; containerId: string; image: string };
    /** containerd removed a container's metadata. */
    "containerd.container.delete": { host: string; containerId: string };
    /** containerd began creating a task: it writes the bundle and starts a shim. */
    "containerd.task.create": { host: string; containerId: string };
    /** A task's process started; `pid` is the container process's pid. */
    "containerd.task.start": { host: string; containerId: string; pid: number };
    /** containerd learnt that a task's process exited (from its shim, or because the shim died); `execId` names an exec'd process. */
    "containerd.task.exit": { host: string; containerId: string; pid: number; exitStatus: number; execId?: string };
    /** containerd added an exec process to a task (`/tasks/exec-added`): the shim knows it, runC has not run yet. */
    "containerd.task.exec-added": { host: string; containerId: string; execId: string };
    /** An exec process started (`/tasks/exec-started`); `pid` is its pid on the host. */
    "containerd.task.exec-started": { host: string; containerId: string; execId: string; pid: number };
    /** containerd removed a stopped task; its shim exits. */
    "containerd.task.delete": { host: string; containerId: string; pid: number; exitStatus: number | null };
    /** A shim started; `pid` is the shim's pid. */
    "shim.start": { host: string; containerId: string; pid: number };
    /** A shim ended, as containerd saw it; `exitStatus` is null when it died with its host. */
    "shim.exit": { host: string; containerId: string; pid: number; exitStatus: number | null };
    /** `runc create` began; `pid` is runC's pid. */
    "runc.create": { host: string; containerId: string; pid: number };
    /** `runc start` began; `pid` is runC's pid. */
    "runc.start": { host: string; containerId: string; pid: number };
    /** `runc exec` began (an exec process is being started in the container); `pid` is runC's pid. */
    "runc.exec": { host: string; containerId: string; execId: string; pid: number };
    /** A runC command ended (seen by its shim); `pid` is runC's pid. */
    "runc.exit": { host: string; containerId: string; pid: number; command: RuncCommand; exitStatus: number | null };
  }
}
