// The real engine's recordings (test/fixtures/docker/engine/*.json: docker CLI 28.2.2 against
// dockerd 20.10.24) replayed on a real Simulation: every CLI step through `sim.exec` (swarmsim's own
// docker CLI), every API step through the simulated Engine API in process (`sim.engine(host)`'s raw
// requests), each compared with what Docker printed or answered after normalising only what varies
// per run (./engine-replay.ts). Known differences, each with its reason, are the one table
// `knownDifferences` there (and docs/differences.md); anything else that differs is a bug.
import { describe, expect, it } from "vitest";
import type { LogFrame } from "../../src/engine/api/http.js";
import { engineScenarios, engineSimulation, knownDifferences, loadEngineRecording, recordingHostname, replayEngineRecording, scenarioNotReplayed, stepKey, type ReplayDriver } from "./engine-replay.js";

describe("the real engine's recordings replayed through sim.exec and the in-process Engine API", () => {
  for (const scenario of engineScenarios) {
    // A scenario whose every step is a known difference (see its reason in knownDifferences) is skipped.
    it.skipIf(scenarioNotReplayed(scenario) !== undefined)(`${scenario}.json: every step prints and answers what Docker did`, async () => {
      const recording = loadEngineRecording(scenario);
      const sim = engineSimulation(scenario);
      const driver: ReplayDriver = {
        cliPath: "exec",
        apiPath: "api",
        cli: (command) => sim.exec(recordingHostname, command),
        api: (request) => {
          const answer = sim.engine(recordingHostname).request(request);
          const body = answer.body as { frames?: LogFrame[] } | null;
          const frames = request.path.endsWith("/logs") && body !== null && Array.isArray(body.frames) ? body.frames.map((frame) => ({ stream: frame.stream === 1 ? ("stdout" as const) : ("stderr" as const), text: frame.text })) : undefined;
          // Through JSON and back, as on the wire: fields whose value is undefined are not sent.
          const wire: unknown = answer.body === undefined ? null : JSON.parse(JSON.stringify(answer.body));
          return { statusCode: answer.statusCode, headers: null, body: wire, ...(frames === undefined ? {} : { frames }) };
        },
      };
      const report = await replayEngineRecording(recording, sim, driver);
      expect(report.compared.length, `no step of ${scenario} compared: ${report.notCompared.join("; ")}`).toBeGreaterThan(0);
      expect(report.compared.length + report.notCompared.length).toBe(recording.steps.length);
      expect(report.differences, report.differences.join("\n\n")).toEqual([]);
    }, 60_000);
  }

  it("gives every known difference a reason, and names a scenario that exists", () => {
    for (const difference of knownDifferences) {
      expect(difference.reason.length, JSON.stringify(difference)).toBeGreaterThan(20);
      expect(difference.scenario === "*" || engineScenarios.includes(difference.scenario), difference.scenario).toBe(true);
      // A step named must be one of the scenario's, so that an entry cannot outlive its step unnoticed.
      if (difference.step !== undefined) expect(loadEngineRecording(difference.scenario).steps.map(stepKey), difference.step).toContain(difference.step);
    }
  });
});
