// Swarm autolock end to end: `docker swarm init --autolock`, `swarm unlock-key [-q] [--rotate]`,
// `swarm update --autolock`, a manager whose dockerd restarts coming back locked, and
// `docker swarm unlock` with wrong and right keys. The recorded scenario of a real engine
// (test/fixtures/docker/swarm/autolock.json) is replayed step by step on a one-node simulation
// and every output compared, with ids, tokens and keys replaced by placeholders in order of
// appearance; then a three-manager swarm shows what the recording could not: quorum kept while
// one manager is locked, a rejoin after unlock, rotation, and workers never locked.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Simulation } from "swarmsim";
import { swarmBootMs } from "../../src/simulation.js";
import type { HttpRequest } from "../../src/engine/api/http.js";
import { expectEngineApi, expectEngineApiResponse } from "../support/engine-api-schema.js";
import { asSimulated, Placeholders, type ApiStep, type CliStep } from "./single-node-replay.js";

const fixturePath = fileURLToPath(new URL("../fixtures/docker/swarm/autolock.json", import.meta.url));

type RecordedStep = CliStep | ApiStep;

const recording = JSON.parse(readFileSync(fixturePath, "utf8")) as { readonly steps: readonly RecordedStep[] };

const lockedMessage = 'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.';
const unlockKeyPattern = /^SWMKEY-1-[A-Za-z0-9+/]{43}$/;

describe("docker swarm autolock, replayed from a real engine (fixture autolock.json)", () => {
  it("gives the recorded output at every step", () => {
    const sim = new Simulation({ seed: "autolock-replay" });
    sim.addHost("manager1");
    sim.runFor(swarmBootMs);
    const engine = sim.engine("manager1");
    const recorded = new Placeholders();
    const simulated = new Placeholders();
    let compared = 0;
    for (const step of recording.steps) {
      if ("command" in step) {
        if (step.note?.startsWith("dockerd restarted") === true) {
          sim.faults.restart("manager1", "dockerd");
          sim.runFor(2_000);
        }
        const command = asSimulated(step.command);
        const stdin = step.stdin === undefined ? undefined : simulated.translate(step.stdin, recorded);
        const result = sim.exec("manager1", command, stdin === undefined ? {} : { stdin });
        const label = `${command}${step.stdin === undefined ? "" : ` <<< ${step.stdin.trim()}`}`;
        const expected = { exitCode: step.exitCode, stdout: recorded.normalise(asSimulated(step.stdout)), stderr: recorded.normalise(step.stderr) };
        const actual = { exitCode: result.exitCode, stdout: simulated.normalise(result.stdout), stderr: simulated.normalise(result.stderr) };
        if (command === "docker info") {
          // Host facts differ (kernel, storage, plugins); the swarm part is one line when locked.
          expect(result.stdout, label).toContain("\n Swarm: locked\n Runtimes:");
          expect(step.stdout, label).toContain("\n Swarm: locked\n Runtimes:");
        } else if (command === "docker info --format '{{json .Swarm}}'" && step.stdout.includes('"LocalNodeState":"active"')) {
          // An active node's cluster object carries certificates swarmsim does not model: compare the lock setting.
          const actualSwarm = JSON.parse(result.stdout) as { LocalNodeState: string; Cluster: { Spec: { EncryptionConfig: unknown } } };
          const expectedSwarm = JSON.parse(step.stdout) as typeof actualSwarm;
          expect(actualSwarm.LocalNodeState, label).toBe("active");
          expect(actualSwarm.Cluster.Spec.EncryptionConfig, label).toEqual(expectedSwarm.Cluster.Spec.EncryptionConfig);
        } else {
          expect(actual, label).toEqual(expected);
        }
      } else {
        const [method, versioned] = step.request.split(" ") as [HttpRequest["method"], string];
        const path = versioned.replace(/^\/v1\.\d+/, "");
        const requestBody = step.requestBody === undefined ? undefined : JSON.parse(simulated.translate(JSON.stringify(step.requestBody), recorded));
        const response = engine.request({ method, path, query: {}, ...(requestBody === undefined ? {} : { body: requestBody }) });
        const label = `${method} ${path}`;
        expect(response.statusCode, label).toBe(step.statusCode);
        if (path === "/info") {
          const swarm = (response.body as { Swarm: unknown }).Swarm;
          expect(swarm, label).toEqual(JSON.parse(asSimulated(JSON.stringify((step.body as { Swarm: unknown }).Swarm))));
          expectEngineApi("SwarmInfo", swarm);
        } else if (path === "/_ping") {
          // moby 20.10 sent no Swarm header (added in API 1.42); a current engine says "locked".
          expect(step.headers?.Swarm).toBeUndefined();
          expect(response.headers.Swarm).toBe("locked");
        } else if (path === "/swarm" && step.statusCode === 200) {
          const spec = (response.body as { Spec: { EncryptionConfig: unknown } }).Spec;
          expect(spec.EncryptionConfig, label).toEqual((step.body as typeof response.body & { Spec: { EncryptionConfig: unknown } }).Spec.EncryptionConfig);
          expectEngineApiResponse("GET", "/swarm", 200, response.body);
        } else {
          expect(simulated.normalise(JSON.stringify(response.body ?? null)), label).toBe(recorded.normalise(JSON.stringify(step.body)));
          if (step.statusCode >= 400) expectEngineApi("ErrorResponse", response.body);
          else if (path === "/swarm/unlockkey") expectEngineApiResponse("GET", "/swarm/unlockkey", 200, response.body);
        }
      }
      compared++;
    }
    expect(compared).toBe(recording.steps.length);
    expect(compared).toBeGreaterThan(50);
  });
});

/** `docker swarm unlock-key -q` on `host`. */
function unlockKeyOf(sim: Simulation, host: string): string {
  const key = sim.exec(host, "docker swarm unlock-key -q").stdout.trim();
  expect(key).toMatch(unlockKeyPattern);
  return key;
}

/** Restarts dockerd on `host` and lets it boot. */
function restartDockerd(sim: Simulation, host: string): void {
  sim.faults.restart(host, "dockerd");
  sim.runFor(2_000);
}

function swarmState(sim: Simulation, host: string): string {
  return sim.exec(host, "docker info --format '{{.Swarm.LocalNodeState}}'").stdout.trim();
}

function runsSwarmManager(sim: Simulation, host: string): boolean {
  return sim.host(host).running.has("swarm-manager");
}

describe("autolock on a three-manager swarm", () => {
  it("prints the key at init, and keeps it from the seeded generator", () => {
    const run = (): string => {
      const sim = new Simulation({ seed: "autolock-init" });
      sim.addHost("manager1");
      sim.runFor(swarmBootMs);
      return sim.exec("manager1", "docker swarm init --autolock").stdout;
    };
    const output = run();
    expect(output).toMatch(
      /\nTo add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions\.\nTo unlock a swarm manager after it restarts, run the `docker swarm unlock`\ncommand and provide the following key:\n\n {4}SWMKEY-1-[A-Za-z0-9+/]{43}\n\nRemember to store this key in a password manager, since without it you\nwill not be able to restart the manager\.\n$/,
    );
    expect(run()).toBe(output); // the same seed gives the same key
  });

  it("locks a restarted manager until the right key is given; the other two keep the quorum", () => {
    const sim = Simulation.swarm({ seed: "autolock-three", managers: 3, workers: 1 });
    const turnedOn = sim.exec("manager1", "docker swarm update --autolock=true");
    expect(turnedOn.exitCode).toBe(0);
    expect(turnedOn.stdout).toMatch(/^Swarm updated\.\nTo unlock a swarm manager after it restarts/);
    const key = unlockKeyOf(sim, "manager1");
    expect(turnedOn.stdout).toContain(`\n    ${key}\n`);
    expect(sim.engine("manager2").swarmUnlockkey()).toEqual({ UnlockKey: key }); // every manager answers the same key
    expect(sim.engine("manager1").swarmInspect().Spec.EncryptionConfig).toEqual({ AutoLockManagers: true });
    sim.runFor(2_000); // every manager applies the new cluster object (and re-encrypts its key)

    const locked = sim.leader()!.host === "manager2" ? "manager3" : "manager2";
    restartDockerd(sim, locked);
    expect(swarmState(sim, locked)).toBe("locked");
    expect(runsSwarmManager(sim, locked)).toBe(false);
    expect(sim.host(locked).running.has("swarm-agent")).toBe(false);
    expect(() => sim.raftStatus(locked)).toThrow(`no Raft member runs on host "${locked}"`);
    const info = sim.exec(locked, "docker info");
    expect(info.stdout).toContain("\n Swarm: locked\n Runtimes:");
    expectEngineApi("SwarmInfo", sim.engine(locked).systemInfo().Swarm);
    for (const command of ["docker node ls", "docker service ls", "docker swarm join-token worker"]) {
      expect(sim.exec(locked, command), command).toEqual({ exitCode: 1, stdout: "", stderr: `Error response from daemon: ${lockedMessage}\n` });
    }
    expect(sim.exec(locked, "docker swarm unlock-key").stderr).toBe(`could not fetch unlock key: Error response from daemon: ${lockedMessage}\n`);

    // The other two managers are a quorum of three: writes go on, and the locked one is seen down.
    const leader = sim.leader()!.host;
    expect(sim.raftStatus(leader).members).toContain(locked);
    expect(sim.exec(leader, "docker service create -d --name web --replicas 2 nginx").exitCode).toBe(0);
    sim.runFor(30_000);
    const lockedNode = sim.engine(leader).nodeInspect(locked);
    expect(lockedNode.Status.State).toBe("down");
    expect(lockedNode.ManagerStatus.Reachability).toBe("unreachable");

    // Wrong keys are refused in moby's words and change nothing.
    const before = sim.host(locked).disk.keys("/var/lib/docker/swarm/").map((path) => `${path}=${JSON.stringify(sim.host(locked).disk.read(path))}`);
    const wrongKey = `SWMKEY-1-${"A".repeat(43)}`;
    expect(sim.exec(locked, "docker swarm unlock", { stdin: `${wrongKey}\n` })).toEqual({ exitCode: 1, stdout: "", stderr: "Error response from daemon: swarm could not be unlocked: invalid key provided\n" });
    expect(sim.exec(locked, "docker swarm unlock", { stdin: "not-a-key\n" }).stderr).toBe("Error response from daemon: invalid key string\n");
    expect(sim.exec(locked, "docker swarm unlock").stderr).toBe("Error response from daemon: invalid key string\n");
    const api = sim.engine(locked).request({ method: "POST", path: "/swarm/unlock", query: {}, body: { UnlockKey: wrongKey } });
    expect(api).toMatchObject({ statusCode: 401, body: { message: "swarm could not be unlocked: invalid key provided" } });
    expect(swarmState(sim, locked)).toBe("locked");
    expect(runsSwarmManager(sim, locked)).toBe(false);
    expect(sim.host(locked).disk.keys("/var/lib/docker/swarm/").map((path) => `${path}=${JSON.stringify(sim.host(locked).disk.read(path))}`)).toEqual(before);

    // The right key: the manager starts, rejoins the Raft group and is reachable again.
    expect(sim.exec(locked, "docker swarm unlock", { stdin: `  ${key}  \n` })).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    expect(swarmState(sim, locked)).toBe("active");
    expect(runsSwarmManager(sim, locked)).toBe(true);
    let rejoined = false;
    for (let second = 0; second < 30 && !rejoined; second++) {
      const node = sim.engine(leader).nodeInspect(locked);
      rejoined = node.ManagerStatus.Reachability === "reachable" && node.Status.State === "ready";
      if (!rejoined) sim.runFor(1_000);
    }
    expect(rejoined).toBe(true);
    expect(sim.raftStatus(locked).members).toEqual(sim.raftStatus(leader).members);
    expect(sim.exec(locked, "docker service ls --format '{{.Name}} {{.Replicas}}'").stdout).toBe("web 2/2\n");
    expect(sim.exec(locked, "docker swarm unlock", { stdin: `${key}\n` }).stderr).toBe("Error: swarm is not locked\n");
    expect(sim.engine(locked).request({ method: "POST", path: "/swarm/unlock", query: {}, body: { UnlockKey: key } })).toMatchObject({ statusCode: 409, body: { message: "swarm is not locked" } });
  });

  it("rotates the key: a manager restarted after the rotation needs the new key", () => {
    const sim = Simulation.swarm({ seed: "autolock-rotate", managers: 3, workers: 0 });
    sim.exec("manager1", "docker swarm update --autolock=true");
    const oldKey = unlockKeyOf(sim, "manager1");
    const rotated = sim.exec("manager1", "docker swarm unlock-key --rotate");
    expect(rotated.stdout).toMatch(/^Successfully rotated manager unlock key\.\nTo unlock a swarm manager after it restarts/);
    const newKey = unlockKeyOf(sim, "manager1");
    expect(newKey).not.toBe(oldKey);
    expect(rotated.stdout).toContain(`\n    ${newKey}\n`);
    const quietRotation = sim.exec("manager1", "docker swarm unlock-key --rotate -q").stdout.trim();
    expect(quietRotation).toMatch(unlockKeyPattern);
    expect(quietRotation).not.toBe(newKey);
    sim.runFor(2_000);

    const host = sim.leader()!.host === "manager3" ? "manager2" : "manager3";
    restartDockerd(sim, host);
    expect(swarmState(sim, host)).toBe("locked");
    for (const stale of [oldKey, newKey]) {
      expect(sim.exec(host, "docker swarm unlock", { stdin: `${stale}\n` }).stderr).toBe("Error response from daemon: swarm could not be unlocked: invalid key provided\n");
    }
    expect(swarmState(sim, host)).toBe("locked");
    expect(sim.exec(host, "docker swarm unlock", { stdin: `${quietRotation}\n` }).exitCode).toBe(0);
    expect(swarmState(sim, host)).toBe("active");
  });

  it("turning autolock off lets a restarted manager start unlocked; workers are never locked", () => {
    const sim = Simulation.swarm({ seed: "autolock-off", managers: 3, workers: 1 });
    sim.exec("manager1", "docker swarm update --autolock=true");
    sim.runFor(2_000);
    restartDockerd(sim, "worker1");
    expect(swarmState(sim, "worker1")).toBe("active");
    expect(sim.exec("worker1", "docker swarm unlock")).toEqual({ exitCode: 1, stdout: "", stderr: "Error: swarm is not locked\n" });
    const workerApi = sim.engine("worker1").request({ method: "POST", path: "/swarm/unlock", query: {}, body: { UnlockKey: unlockKeyOf(sim, "manager1") } });
    expect(workerApi.statusCode).toBe(503);
    expect((workerApi.body as { message: string }).message).toMatch(/^This node is not a swarm manager\. Worker nodes can't be used/);

    const turnedOff = sim.exec("manager1", "docker swarm update --autolock=false");
    expect(turnedOff).toEqual({ exitCode: 0, stdout: "Swarm updated.\n", stderr: "" }); // no key printed
    expect(sim.engine("manager1").swarmUnlockkey()).toEqual({ UnlockKey: "" });
    expect(sim.exec("manager1", "docker swarm unlock-key")).toEqual({ exitCode: 1, stdout: "", stderr: "no unlock key is set\n" });
    expect(sim.exec("manager1", "docker swarm unlock-key --rotate")).toEqual({ exitCode: 1, stdout: "", stderr: "cannot rotate because autolock is not turned on\n" });
    sim.runFor(2_000);
    const host = sim.leader()!.host === "manager2" ? "manager3" : "manager2";
    restartDockerd(sim, host);
    expect(swarmState(sim, host)).toBe("active");
    expect(sim.runUntil(() => runsSwarmManager(sim, host) && sim.raftStatus(host).leader !== null, { timeoutMs: 30_000 })).toBe(true);
    expect(sim.exec(host, "docker node ls -q").stdout.trim().split("\n")).toHaveLength(4);
  });

  it("serves the unlock routes as the Engine API describes them", () => {
    const sim = Simulation.swarm({ seed: "autolock-api", managers: 1, workers: 0 });
    const engine = sim.engine("manager1");
    expectEngineApiResponse("GET", "/swarm/unlockkey", 200, engine.swarmUnlockkey());
    const swarm = engine.swarmInspect();
    engine.swarmUpdate({ ...swarm.Spec, EncryptionConfig: { AutoLockManagers: true } }, { version: Number(swarm.Version.Index) });
    const first = engine.swarmUnlockkey();
    expectEngineApiResponse("GET", "/swarm/unlockkey", 200, first);
    expect(first.UnlockKey).toMatch(unlockKeyPattern);
    const current = engine.swarmInspect();
    expectEngineApiResponse("GET", "/swarm", 200, current);
    engine.swarmUpdate(current.Spec, { version: Number(current.Version.Index), rotateManagerUnlockKey: true });
    expect(engine.swarmUnlockkey().UnlockKey).not.toBe(first.UnlockKey);
    // A spec without EncryptionConfig turns autolock off, as Go decodes the missing field as false.
    const latest = engine.swarmInspect();
    const { EncryptionConfig: _dropped, ...withoutEncryption } = latest.Spec as Record<string, unknown>;
    engine.swarmUpdate(withoutEncryption, { version: Number(latest.Version.Index) });
    expect(engine.swarmUnlockkey()).toEqual({ UnlockKey: "" });
    expect(engine.swarmInspect().Spec.EncryptionConfig).toEqual({ AutoLockManagers: false });
    const bad = engine.request({ method: "POST", path: "/swarm/update", query: { version: String(engine.swarmInspect().Version.Index) }, body: { ...withoutEncryption, EncryptionConfig: { AutoLockManagers: "yes" } } });
    expect(bad.statusCode).toBe(400);
    expect((bad.body as { message: string }).message).toContain("cannot unmarshal string into Go struct field");
  });
});
