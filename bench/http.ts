// HTTP benchmark: Engine API requests per second through the HTTP server of live mode, with 50
// concurrent clients polling /services and /tasks of a 3-manager, 20-worker swarm (10 services)
// while its virtual clock runs at 100x wall time. Wall time is measured around the polling only.
import { startLiveSwarm } from "swarmsim/node";

/** The HTTP benchmark's figures. */
export interface HttpBenchResult {
  readonly clients: number;
  readonly requests: number;
  readonly wallSeconds: number;
  readonly requestsPerSecond: number;
  readonly virtualSecondsElapsed: number;
}

/** Runs the benchmark for `durationMs` of wall time. */
export async function benchHttp(durationMs = 5_000, clients = 50): Promise<HttpBenchResult> {
  const live = await startLiveSwarm({ seed: "bench-http", managers: 3, workers: 20, speed: 100 });
  try {
    const manager = live.servers[0]!;
    const base = manager.url.replace("tcp://", "http://");
    for (let index = 0; index < 10; index++) {
      const response = await fetch(`${base}/v1.50/services/create`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ Name: `service${index}`, TaskTemplate: { ContainerSpec: { Image: index % 2 === 0 ? "nginx:latest" : "redis:latest" } }, Mode: { Replicated: { Replicas: 4 } } }),
      });
      if (response.status !== 201) throw new Error(`service create answered ${response.status}`);
    }
    const virtualStartMs = live.sim.now;
    const start = performance.now();
    let requests = 0;
    const client = async (index: number): Promise<void> => {
      const paths = ["/v1.50/services", "/v1.50/tasks"];
      for (let turn = 0; performance.now() - start < durationMs; turn++) {
        const response = await fetch(`${base}${paths[(index + turn) % 2]}`);
        if (response.status !== 200) throw new Error(`poll answered ${response.status}`);
        await response.arrayBuffer();
        requests++;
      }
    };
    await Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
    const wallSeconds = (performance.now() - start) / 1000;
    return { clients, requests, wallSeconds, requestsPerSecond: requests / wallSeconds, virtualSecondsElapsed: (live.sim.now - virtualStartMs) / 1000 };
  } finally {
    await live.stop();
  }
}
