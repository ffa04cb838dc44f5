// The real engine's recordings (test/fixtures/docker/engine/*.json) replayed through the REAL docker
// CLI (28.2.2, the recorder's) against the simulated Engine API served over HTTP by `listen`: every
// CLI step run by the docker binary with `-H` set to the server, every API step sent with fetch as
// curl sent it, each compared with what Docker printed or answered after the same normalisation as
// the `sim.exec` replay (../engine/engine-replay.ts), headers included. Known differences are the
// one table `knownDifferences` there (and docs/differences.md).
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { listen } from "../../src/node/http-server.js";
import { engineScenarios, engineSimulation, loadEngineRecording, recordingHostname, replayEngineRecording, scenarioNotReplayed, type ReplayAnswer, type ReplayDriver, type ReplayRequest } from "../engine/engine-replay.js";
import { dockerWords, realDocker } from "./real-docker.js";

/** The frames of Docker's multiplexed stream: a stream byte, three zero bytes, a big-endian size, the payload. */
function demultiplex(bytes: Buffer): { stream: "stdout" | "stderr"; text: string }[] {
  const frames: { stream: "stdout" | "stderr"; text: string }[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(offset + 4);
    frames.push({ stream: bytes[offset] === 2 ? "stderr" : "stdout", text: bytes.subarray(offset + 8, offset + 8 + size).toString("utf8") });
    offset += 8 + size;
  }
  return frames;
}

/** Sends a recorded request over HTTP, as the recorder's curl did. */
async function send(base: string, request: ReplayRequest): Promise<ReplayAnswer> {
  const query = new URLSearchParams(request.query).toString();
  const response = await fetch(`${base}${request.path}${query === "" ? "" : `?${query}`}`, {
    method: request.method,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body), headers: { "Content-Type": "application/json" } }),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const headers = Object.fromEntries(response.headers.entries());
  const contentType = response.headers.get("content-type") ?? "";
  if (request.path.endsWith("/logs") && response.status === 200) return { statusCode: response.status, headers, body: null, frames: demultiplex(bytes) };
  const text = bytes.toString("utf8");
  const body: unknown = text === "" ? null : contentType.startsWith("application/json") ? JSON.parse(text) : text;
  return { statusCode: response.status, headers, body };
}

describe("the real engine's recordings through the real docker CLI and HTTP on the simulated API", () => {
  for (const scenario of engineScenarios) {
    // A scenario whose every step is a known difference (see its reason in knownDifferences) is skipped.
    it.skipIf(scenarioNotReplayed(scenario) !== undefined)(`${scenario}.json: every step prints and answers what Docker did`, async () => {
      const recording = loadEngineRecording(scenario);
      const sim = engineSimulation(scenario);
      const server = await listen(sim, recordingHostname, { port: 0 });
      try {
        const base = server.url.replace(/^tcp:/, "http:");
        const driver: ReplayDriver = {
          cliPath: "real-cli",
          apiPath: "http",
          cli: (command) => realDocker(server.url, dockerWords(command)),
          api: (request) => send(base, request),
        };
        const report = await replayEngineRecording(recording, sim, driver);
        expect(report.compared.length, `no step of ${scenario} compared: ${report.notCompared.join("; ")}`).toBeGreaterThan(0);
        expect(report.compared.length + report.notCompared.length).toBe(recording.steps.length);
      expect(report.compared.length + report.notCompared.length).toBe(recording.steps.length);
        expect(report.differences, report.differences.join("\n\n")).toEqual([]);
      } finally {
        await server.close();
      }
    }, 120_000);
  }
});

describe("docker port and docker events beyond the recordings", () => {
  it("prints through sim.exec what the real CLI prints on a twin simulation", async () => {
    const twin = (): Simulation => {
      const sim = new Simulation({ seed: "port-and-events" });
      sim.addHost(recordingHostname);
      sim.runFor(1_000);
      sim.exec(recordingHostname, "docker run -d -p 8080:80 -p 127.0.0.1:9090:90/udp --name pub nginx");
      return sim;
    };
    const viaExec = twin();
    const viaHttp = twin();
    const server = await listen(viaHttp, recordingHostname, { port: 0 });
    try {
      for (const command of [
        "docker port pub",
        "docker port pub 80",
        "docker port pub 90/udp",
        "docker port pub 81",
        "docker port pub x",
        "docker port nosuch",
        "docker port",
        "docker events --since 0 --until 1795636774 --format json --filter event=start",
        "docker events --since 0 --until 1795636774 --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'",
      ]) {
        const expected = await realDocker(server.url, dockerWords(command));
        expect(viaExec.exec(recordingHostname, command), command).toEqual(expected);
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
