// Engine benchmark: start and stop 10,000 containers across 100 hosts through the Engine
// API (create, start, stop of an nginx container each), trace off. Reports containers per
// second of wall time and simulated events per container.
import { Simulation } from "swarmsim";

/** The engine benchmark's figures. */
export interface EngineBenchResult {
  readonly hosts: number;
  readonly containers: number;
  readonly wallSeconds: number;
  readonly containersPerSecond: number;
  readonly eventsPerContainer: number;
}

/** Runs the benchmark. */
export function benchEngine(hostCount = 100, containersPerHost = 100): EngineBenchResult {
  const sim = new Simulation({ seed: "bench-engine", trace: { level: "off" } });
  const hosts = Array.from({ length: hostCount }, (_, index) => `node${index + 1}`);
  for (const host of hosts) sim.addHost(host);
  sim.runFor(1_000);
  for (const host of hosts) sim.engine(host).imageCreate({ fromImage: "nginx" });
  const eventsBefore = sim.eventCount;
  const start = performance.now();
  for (const host of hosts) {
    const engine = sim.engine(host);
    for (let index = 0; index < containersPerHost; index++) {
      const { Id } = engine.containerCreate({ Image: "nginx" });
      engine.containerStart(Id);
      engine.containerStop(Id);
    }
  }
  const wallSeconds = (performance.now() - start) / 1000;
  const containers = hostCount * containersPerHost;
  return { hosts: hostCount, containers, wallSeconds, containersPerSecond: containers / wallSeconds, eventsPerContainer: (sim.eventCount - eventsBefore) / containers };
}
