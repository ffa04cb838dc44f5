// The simulated Docker Hub process: manifest and blob answers, Docker Hub's error wording, and
// blob latency proportional to size (sizeBytes / bandwidth), all on the virtual clock.
import { describe, expect, it } from "vitest";
import { SimulationKernel } from "../../src/sim/simulation.js";
import { RpcError, RpcProcess, call, type Coroutine, type RpcHandlers } from "../../src/sim/coroutine.js";
import { lookupManifest } from "../../src/engine/images/catalogue.js";
import {
  blobTransferMs,
  manifestUnknownMessage,
  pullAccessDeniedMessage,
  registryBandwidthBytesPerSecond,
  registryManifestDelayMs,
  registryProcess,
} from "../../src/engine/registry.js";
import { registryAddress, registryHostName, registryProcessName, type ImageManifest } from "../../src/engine/registry-api.js";

/** What the client process saw: each call's outcome and the virtual times around it. */
interface Outcome {
  readonly startedMs: number;
  readonly endedMs: number;
  readonly result?: unknown;
  readonly error?: { code: string; message: string };
}

/** A client that makes the given calls one after the other and records the outcomes. */
class Client extends RpcProcess {
  constructor(
    private readonly calls: readonly { method: string; params: unknown }[],
    private readonly outcomes: Outcome[],
  ) {
    super();
  }

  protected handlers(): RpcHandlers {
    return {};
  }

  protected override onStart(): void {
    this.run(this.work());
  }

  private *work(): Coroutine<void> {
    for (const { method, params } of this.calls) {
      const startedMs = this.context.now;
      try {
        const result = yield* call(registryHostName, registryProcessName, method, params, 120_000);
        this.outcomes.push({ startedMs, endedMs: this.context.now, result });
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        this.outcomes.push({ startedMs, endedMs: this.context.now, error: { code: error.code, message: error.message } });
      }
    }
  }
}

function setUp(calls: readonly { method: string; params: unknown }[]): { sim: SimulationKernel; outcomes: Outcome[] } {
  const sim = new SimulationKernel({ seed: "registry", network: { latencyMs: [1, 1], lossRate: 0 } });
  sim.addHost("node1");
  sim.addHost(registryHostName, { address: registryAddress });
  sim.spawn(registryHostName, registryProcessName, registryProcess, { startOnBoot: true });
  const outcomes: Outcome[] = [];
  sim.spawn("node1", "dockerd", () => new Client(calls, outcomes));
  return { sim, outcomes };
}

describe("registry", () => {
  it("answers manifests, including by digest and through tag aliases", () => {
    const digest = lookupManifest("library/nginx", "latest")!.digest;
    const { sim, outcomes } = setUp([
      { method: "manifest", params: { repository: "library/nginx", tag: "latest" } },
      { method: "manifest", params: { repository: "library/nginx", tag: "1.27" } },
      { method: "manifest", params: { repository: "library/nginx", tag: digest } },
    ]);
    sim.runFor(10_000);
    expect(outcomes).toHaveLength(3);
    const manifests = outcomes.map((outcome) => (outcome.result as { manifest: ImageManifest }).manifest);
    expect(manifests[0]!.config.Cmd).toEqual(["nginx", "-g", "daemon off;"]);
    expect(manifests.map((manifest) => manifest.digest)).toEqual([digest, digest, digest]);
    expect(manifests[1]!.tag).toBe("1.27");
    // Two 1 ms network hops around the registry's own delay.
    expect(outcomes[0]!.endedMs - outcomes[0]!.startedMs).toBeCloseTo(registryManifestDelayMs + 2, 6);
  });

  it("answers Docker Hub's errors with dockerd's wording", () => {
    const { sim, outcomes } = setUp([
      { method: "manifest", params: { repository: "doesnotexist/nope", tag: "1" } },
      { method: "manifest", params: { repository: "library/nginx", tag: "nosuchtag" } },
      { method: "blob", params: { repository: "library/nginx", digest: `sha256:${"0".repeat(64)}` } },
      { method: "blob", params: { repository: "library/nosuchimage", digest: `sha256:${"0".repeat(64)}` } },
    ]);
    sim.runFor(10_000);
    expect(outcomes.map((outcome) => outcome.error)).toEqual([
      {
        code: "NotFound",
        message:
          "pull access denied for doesnotexist/nope, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      },
      { code: "NotFound", message: "manifest for nginx:nosuchtag not found: manifest unknown: manifest unknown" },
      { code: "NotFound", message: "blob unknown: blob unknown to registry" },
      {
        code: "NotFound",
        message:
          "pull access denied for nosuchimage, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      },
    ]);
    expect(pullAccessDeniedMessage("library/foo")).toContain("pull access denied for foo,");
    expect(manifestUnknownMessage("user/app", "v2")).toBe("manifest for user/app:v2 not found: manifest unknown: manifest unknown");
  });

  it("takes size / bandwidth to send a blob", () => {
    const layers = lookupManifest("library/nginx", "latest")!.layers;
    const { sim, outcomes } = setUp(layers.map((layer) => ({ method: "blob", params: { repository: "library/nginx", digest: layer.digest } })));
    sim.runFor(60_000);
    expect(outcomes).toHaveLength(layers.length);
    outcomes.forEach((outcome, index) => {
      const layer = layers[index]!;
      expect(outcome.result).toEqual({ digest: layer.digest, sizeBytes: layer.sizeBytes });
      const expectedMs = (layer.sizeBytes / registryBandwidthBytesPerSecond) * 1000;
      expect(blobTransferMs(layer.sizeBytes)).toBeCloseTo(expectedMs, 9);
      expect(outcome.endedMs - outcome.startedMs).toBeCloseTo(expectedMs + 2, 6);
    });
    // The big nginx layer (~42 MB) takes most of a second at 50 MB/s.
    const longest = Math.max(...outcomes.map((outcome) => outcome.endedMs - outcome.startedMs));
    expect(longest).toBeGreaterThan(800);
    expect(longest).toBeLessThan(900);
  });

  it("is cut off by a partition during a download", () => {
    const big = lookupManifest("library/nginx", "latest")!.layers[1]!;
    const { sim, outcomes } = setUp([{ method: "blob", params: { repository: "library/nginx", digest: big.digest } }]);
    sim.runFor(100);
    sim.faults.partition(["node1"], [registryHostName]);
    sim.runFor(200_000);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.error?.code).toBe("DeadlineExceeded");
  });
});
