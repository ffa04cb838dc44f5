/**
 * The simulation users build: the kernel, with a Docker Engine (dockerd, containerd, a shim
 * and runC per container) on every host, the simulated Docker Hub, `sim.exec` for docker
 * command lines and `sim.engine(host)` for typed Engine API calls.
 */
import type { Host, HostOptions } from "./host/host.js";
import { SimulationKernel, type SimulationOptions as KernelOptions } from "./sim/simulation.js";
import { Faults } from "./sim/faults.js";
import { EngineClient } from "./engine/client.js";
import { ensureRegistry, installEngine, type EngineOptions } from "./engine/install.js";
import { DaemonConnectionError, withEngineConnection } from "./engine/transport.js";
import { EngineFaults } from "./engine/faults.js";
import { runDocker } from "./cli/docker.js";

/** Options for `new Simulation(...)`. */
export interface SimulationOptions extends KernelOptions {
  /** Engine settings for every host (each `addHost` can override them); `false` for bare hosts. */
  readonly engine?: EngineOptions | false;
}

/** Options for `Simulation.addHost`. */
export interface EngineHostOptions extends HostOptions {
  /** This host's engine settings, or `false` for a bare host without Docker. */
  readonly engine?: EngineOptions | false;
}

/** Options for `Simulation.exec`. */
export interface ExecOptions {
  /** Behave as if output were a terminal (progress redrawn with escape codes). Default false. */
  readonly tty?: boolean;
  /** Terminal width. Default 80. */
  readonly columns?: number;
}

/** What a command line printed and returned. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A deterministic simulation of Docker hosts: every host added runs containerd and dockerd.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: "demo" });
 * sim.addHost("node1");
 * console.log(sim.exec("node1", "docker run -d --name web nginx").stdout);
 * console.log(sim.exec("node1", "docker ps").stdout);
 * ```
 */
export class Simulation extends SimulationKernel {
  private readonly engineDefaults: EngineOptions | false;

  constructor(options: SimulationOptions = {}) {
    super(options);
    this.engineDefaults = options.engine ?? {};
  }

  protected override createFaults(): Faults {
    return new EngineFaults(this);
  }

  /** Adds a powered-on host with a Docker Engine (unless `engine: false`). */
  override addHost(name: string, options: EngineHostOptions = {}): Host {
    const host = super.addHost(name, options);
    const engine = options.engine ?? this.engineDefaults;
    if (engine !== false) {
      ensureRegistry(this);
      installEngine(this, host, engine);
    }
    return host;
  }

  /**
   * Runs a `docker ...` command line on a host against its dockerd, advancing the simulation
   * until it completes, and returns what the docker CLI would print.
   */
  exec(hostName: string, line: string, options: ExecOptions = {}): ExecResult {
    return withEngineConnection(this, hostName, (send) => {
      try {
        return runDocker(line, {
          client: new EngineClient(send),
          tty: options.tty ?? false,
          columns: options.columns ?? 80,
          nowWallMs: () => this.wallTimeMs(),
        });
      } catch (error) {
        // The CLI's own connection errors: printed as the docker CLI prints them, exit 1.
        if (error instanceof DaemonConnectionError) return { exitCode: 1, stdout: "", stderr: `${error.message}\n` };
        throw error;
      }
    });
  }

  /** A typed client of the host's Engine API; every call advances the simulation until dockerd answers. */
  engine(hostName: string): EngineClient {
    this.host(hostName);
    return new EngineClient((request) => withEngineConnection(this, hostName, (send) => send(request)));
  }
}
