/**
 * A simulated machine: a name, an address, resources and labels, a disk that survives
 * crashes, and the processes running on it (lost on a crash). The simulation owns hosts and
 * changes them; users read them through {@link Host}'s read-only members.
 */
import { Disk } from "./disk.js";
import type { ProcessBehaviour, ProcessFactory, ProcessInfo, ProcessInstance, SpawnOptions } from "../sim/process.js";
import { SimulationError } from "../sim/errors.js";

/** Options for `Simulation.addHost`. */
export interface HostOptions {
  /** Number of CPUs. Default 2. */
  readonly cpus?: number;
  /** Memory in bytes. Default 2 GiB. */
  readonly memoryBytes?: number;
  /** IPv4 address; assigned in order of addition (10.0.0.1, 10.0.0.2, ...) when not given. */
  readonly address?: string;
  /** Labels of the machine (e.g. `{ zone: "a" }`). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** How a process is started: kept per name so it can be restarted, and started at boot if its options say so. */
export interface ProcessUnit {
  readonly name: string;
  readonly behaviour: ProcessBehaviour | ProcessFactory;
  readonly options: SpawnOptions;
}

/** A simulated machine. */
export class Host {
  /** Whether the host is powered on. */
  up = true;
  /** How many times it has booted (1 after it is added). */
  bootCount = 1;
  /** The disk, kept across crashes. */
  readonly disk: Disk;
  /** Live processes by name, in start order. */
  readonly running = new Map<string, ProcessInstance>();
  /** Every process ever started here, by name (the latest definition), in first-start order. */
  readonly units = new Map<string, ProcessUnit>();
  /** Next process id; reset at each boot. */
  nextPid = 1;

  constructor(
    /** The host's name, unique in the simulation. */
    readonly name: string,
    /** The host's IPv4 address. */
    readonly address: string,
    /** Number of CPUs. */
    readonly cpus: number,
    /** Memory in bytes. */
    readonly memoryBytes: number,
    /** The machine's labels. */
    readonly labels: Readonly<Record<string, string>>,
    diskEntriesMax: number,
  ) {
    this.disk = new Disk(diskEntriesMax);
  }

  /** Lets go of the processes (each releasing its own state), their definitions and the disk (the simulation was disposed). */
  release(): void {
    for (const instance of this.running.values()) instance.release();
    this.running.clear();
    this.units.clear();
    this.disk.clear();
  }

  /** The live processes, in start order, like `ps -ef`. */
  processes(): ProcessInfo[] {
    const list: ProcessInfo[] = [];
    for (const instance of this.running.values()) {
      list.push({ name: instance.process, pid: instance.pid, parent: instance.parent });
    }
    return list;
  }

  /** Whether a live process of that name runs here. */
  isRunning(processName: string): boolean {
    return this.running.has(processName);
  }
}

const hostNamePattern = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Throws a {@link SimulationError} unless `name` is a valid host name (RFC 1123). */
export function validateHostName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > 253 || !hostNamePattern.test(name)) {
    throw new SimulationError(
      `invalid host name ${JSON.stringify(name)}: use letters, digits and hyphens (RFC 1123), e.g. "manager1"`,
    );
  }
}

/** Throws a {@link SimulationError} unless `address` is a dotted-quad IPv4 address. */
export function validateAddress(address: unknown): asserts address is string {
  const parts = typeof address === "string" ? address.split(".") : [];
  const valid = parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
  if (!valid) throw new SimulationError(`invalid address ${JSON.stringify(address)}: expected an IPv4 address like "10.0.0.1"`);
}

/** The automatic address of the `ordinal`-th host (1-based): 10.0.0.1 ... 10.0.0.254, 10.0.1.1, ... */
export function automaticAddress(ordinal: number): string {
  const index = ordinal - 1;
  const fourth = (index % 254) + 1;
  const block = Math.floor(index / 254);
  return `10.${(block >> 8) & 255}.${block & 255}.${fourth}`;
}
