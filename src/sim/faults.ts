/**
 * Fault injection: what an experimenter can do to a running simulation. Host power faults,
 * process kills and restarts, partitions and link degradation. Every fault is recorded in the
 * trace; bad arguments (an unknown host, a bad rate) throw a SimulationError and change nothing.
 */
import { SimulationError } from "./errors.js";
import type { LinkOptions } from "./network.js";
import type { SimulationKernel } from "./simulation.js";

/** Injects faults into a simulation; reached as `sim.faults`. */
export class Faults {
  /** @internal */
  constructor(protected readonly simulation: SimulationKernel) {}

  /** Powers a host off: its processes die, their memory is lost, its disk is kept. */
  crash(hostName: string): void {
    const host = this.simulation.host(hostName);
    if (!host.up) throw new SimulationError(`host "${hostName}" is already down`);
    this.simulation.crashHost(host);
  }

  /**
   * Without `processName`: boots a host again (power-cycling it if it is up); its boot-time
   * processes start from what is on its disk. With `processName`: kills that process if it
   * runs, then starts it again from its definition.
   */
  restart(hostName: string, processName?: string): void {
    const host = this.simulation.host(hostName);
    if (processName === undefined) {
      this.simulation.bootHost(host);
      return;
    }
    const unit = host.units.get(processName);
    if (!unit) throw new SimulationError(`no process "${processName}" was ever started on host "${hostName}"`);
    if (!host.up) throw new SimulationError(`cannot restart "${processName}": host "${hostName}" is down`);
    const running = host.running.get(processName);
    if (running) this.simulation.endProcess(running, "killed", 137);
    this.simulation.startProcess(host, unit.name, unit.behaviour, unit.options);
  }

  /** Kills a process at once (SIGKILL: no stop handler runs, exit code 137). */
  kill(hostName: string, processName: string): void {
    const instance = this.simulation.liveProcess(hostName, processName);
    this.simulation.endProcess(instance, "killed", 137);
  }

  /** Hosts of `groupA` and hosts of `groupB` can no longer reach each other (both directions). */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    this.requireHosts(groupA);
    this.requireHosts(groupB);
    if (groupA.length === 0 || groupB.length === 0) throw new SimulationError("partition: both groups need at least one host");
    this.simulation.network.partition(groupA, groupB);
    this.simulation.emit("network.partition", { groups: [[...groupA], [...groupB]] });
  }

  /** Cuts one host off from every other host. */
  isolate(hostName: string): void {
    this.simulation.host(hostName);
    const others = this.simulation.hosts().map((host) => host.name).filter((name) => name !== hostName);
    if (others.length > 0) this.partition([hostName], others);
  }

  /** Removes every partition. Link settings are kept. */
  heal(): void {
    this.simulation.network.heal();
    this.simulation.emit("network.heal", {});
  }

  /** Changes latency, loss or duplication between two hosts (both directions unless `oneWay`); settings not given keep their value. */
  setLink(fromHost: string, toHost: string, options: LinkOptions): void {
    this.requireLink(fromHost, toHost);
    const settings = this.simulation.network.setLink(fromHost, toHost, options);
    this.simulation.emit("network.link", { from: fromHost, to: toHost, oneWay: options.oneWay ?? false, settings });
  }

  /** Sets the link between two hosts back to the network's defaults (both directions unless `oneWay`). */
  resetLink(fromHost: string, toHost: string, options: { readonly oneWay?: boolean } = {}): void {
    this.requireLink(fromHost, toHost);
    const oneWay = options.oneWay ?? false;
    this.simulation.network.resetLink(fromHost, toHost, oneWay);
    this.simulation.emit("network.link.reset", { from: fromHost, to: toHost, oneWay });
  }

  private requireHosts(names: readonly string[]): void {
    if (!Array.isArray(names)) throw new SimulationError("partition: expected arrays of host names");
    for (const name of names) this.simulation.host(name);
  }

  private requireLink(fromHost: string, toHost: string): void {
    this.simulation.host(fromHost);
    this.simulation.host(toHost);
    if (fromHost === toHost) throw new SimulationError(`a link needs two different hosts, got "${fromHost}" twice`);
  }
}
