// A rolling update's progress as the docker CLI prints it, against the real recording
// (test/fixtures/docker/swarm/service-lifecycle.json: create helloworld, scale to 3, update
// --image busybox on a single-node swarm, about 41 s because each old ping task takes its 10 s
// stop grace period). The simulated run must print the same lines, in the same order of
// progress, for about as long: "overall progress: k out of 3 tasks" for k = 0, 1, 2 through the
// update (one line per 200 ms poll), then 3 of 3, the 5-second verification countdown and
// "converged".
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";

interface CliStep {
  readonly command?: string;
  readonly stdout?: string;
  readonly durationMs?: number;
}

function recordedStep(command: string): CliStep {
  const recording = JSON.parse(readFileSync(new URL("../fixtures/docker/swarm/service-lifecycle.json", import.meta.url), "utf8")) as { steps?: CliStep[] } | CliStep[];
  const steps = Array.isArray(recording) ? recording : (recording.steps ?? []);
  const step = steps.find((candidate) => candidate.command === command);
  if (step === undefined) throw new Error(`no recorded step ${command}`);
  return step;
}

/** The distinct lines in order of first appearance, with how often each appears. */
function lineCounts(stdout: string): [string, number][] {
  const counts = new Map<string, number>();
  for (const line of stdout.split("\n")) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts];
}

describe("docker service update progress", () => {
  it("prints the recorded sequence of progress lines, for about as long as real Docker took", () => {
    const sim = Simulation.swarm({ seed: "update-progress", managers: 1, workers: 0 });
    expect(sim.exec("manager1", "docker service create --name helloworld alpine ping 127.0.0.1").exitCode).toBe(0);
    expect(sim.exec("manager1", "docker service scale helloworld=3").exitCode).toBe(0);
    const command = "docker service update --image busybox helloworld";
    const startMs = sim.now;
    const simulated = sim.exec("manager1", command);
    const tookMs = sim.now - startMs;
    const recorded = recordedStep(command);
    const simulatedLines = lineCounts(simulated.stdout);
    const recordedLines = lineCounts(recorded.stdout!);
    // The same distinct lines in the same order.
    expect(simulatedLines.map(([line]) => line)).toEqual(recordedLines.map(([line]) => line));
    // Lines printed once per poll appear about as often (the time per task differs by the image's start).
    for (const [index, [line, count]] of recordedLines.entries()) {
      const simulatedCount = simulatedLines[index]![1];
      if (count <= 5) expect(simulatedCount, line).toBe(count);
      else expect(Math.abs(simulatedCount - count) / count, line).toBeLessThan(0.25);
    }
    expect(Math.abs(tookMs - recorded.durationMs!) / recorded.durationMs!).toBeLessThan(0.25);
  });
});
