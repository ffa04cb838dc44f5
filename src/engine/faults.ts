/**
 * Faults that teach the engine's layering: `kill` and `restart` of one layer of a host's
 * Docker Engine by name: `"dockerd"`, `"containerd"`, `"shim:<container>"` or
 * `"container:<container>"`, where `<container>` is a container's name, id or unique id prefix.
 */
import { SimulationError } from "../sim/errors.js";
import { Faults } from "../sim/faults.js";
import { containerProcessName, shimProcessName } from "../containerd/paths.js";
import { dockerRoot, loadRecords, type ContainerRecord } from "./dockerd/records.js";

/** Fault injection with engine targets; reached as `sim.faults`. */
export class EngineFaults extends Faults {
  /**
   * Kills a process at once (SIGKILL). `target` is a process name, or `shim:<container>` /
   * `container:<container>` naming a container by name, id or id prefix.
   */
  override kill(hostName: string, target: string): void {
    super.kill(hostName, this.resolve(hostName, target));
  }

  /** Boots a host again, or kills and restarts one process (`dockerd`, `containerd`, ...). */
  override restart(hostName: string, target?: string): void {
    super.restart(hostName, target === undefined ? undefined : this.resolve(hostName, target));
  }

  /** The process name a target denotes on a host. */
  resolve(hostName: string, target: string): string {
    const match = /^(shim|container):(.+)$/.exec(target);
    if (match === null) return target;
    const [, layer, reference] = match as unknown as [string, "shim" | "container", string];
    const host = this.simulation.host(hostName);
    const records = loadRecords<ContainerRecord>(host.disk, `${dockerRoot}/containers/`, "/config.v2.json");
    const found =
      records.find((record) => record.id === reference || record.name === `/${reference}`) ??
      (() => {
        const matches = records.filter((record) => record.id.startsWith(reference));
        if (matches.length > 1) throw new SimulationError(`container reference "${reference}" is ambiguous on host "${hostName}"`);
        return matches[0];
      })();
    if (found === undefined) throw new SimulationError(`No such container: ${reference} (on host "${hostName}")`);
    return layer === "shim" ? shimProcessName(found.id) : containerProcessName(found.id);
  }
}
