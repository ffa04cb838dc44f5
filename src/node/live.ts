/// <reference types="node" />
/**
 * Node-only live mode: a simulated swarm whose virtual clock follows the wall clock (times
 * `speed`), one Engine API port per host for the real `docker` CLI, an admin port for faults,
 * and a session log (newline-delimited JSON: the swarm's settings, then every request and fault
 * with the virtual time it arrived at) from which `replaySession` rebuilds the same run.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Simulation } from "../simulation.js";
import { BodyTooLargeError, closeServer, listen, readRequestBody, type EngineServer, type ServedRequest } from "./http-server.js";
import { openStandaloneStream } from "../engine/transport.js";
import { hijackHeaders, type EngineStream } from "../engine/client.js";

/** How often the virtual clock is brought up to the wall clock, ms of wall time. */
export const clockPumpIntervalMs = 20;
/** Bound `faultBodyBytesMax`: the largest admin request body. */
export const faultBodyBytesMax = 64 * 1024;

/** The swarm a live session runs (the first line of its log). */
export interface LiveSettings {
  readonly seed: string;
  readonly managers: number;
  readonly workers: number;
  /** Virtual ms per wall ms. */
  readonly speed: number;
  /** The simulated calendar's start (ISO 8601): the wall time the session began, so relative times read right. */
  readonly startTime: string;
}

/** A fault asked for through the admin port (or `swarmsim fault`). */
export type LiveFault =
  | { readonly kind: "crash" | "restart" | "isolate"; readonly host: string }
  | { readonly kind: "kill"; readonly host: string; readonly process: string }
  | { readonly kind: "heal" };

/** One line of a session log after the settings. */
export type SessionEntry =
  | ({ readonly type: "request" } & Pick<ServedRequest, "host" | "arrivedAtMs" | "method" | "path" | "query" | "body" | "statusCode" | "streamed">)
  | { readonly type: "fault"; readonly atMs: number; readonly fault: LiveFault };

/** A running live session. */
export interface LiveSwarm {
  readonly sim: Simulation;
  readonly settings: LiveSettings;
  /** One server per host, managers first. */
  readonly servers: readonly EngineServer[];
  /** The admin URL (`POST /faults` with a {@link LiveFault} body). */
  readonly adminUrl: string;
  /** Stops the clock and every server. */
  stop(): Promise<void>;
}

/** Options of {@link startLiveSwarm}. */
export interface LiveOptions {
  readonly seed?: string;
  readonly managers?: number;
  readonly workers?: number;
  readonly speed?: number;
  /** The first host's port; the others follow (0: any free ports). */
  readonly portBase?: number;
  /** Where to write the session log (none when absent). */
  readonly logPath?: string;
  /** Called when the simulation stops with an error (a simulator bug, with its seed). */
  readonly onCrash?: (error: unknown) => void;
}

/** Applies a fault to the simulation; throws a plain Error with a clear message for a bad one. */
export function applyLiveFault(sim: Simulation, fault: LiveFault): void {
  if (fault.kind === "heal") {
    sim.faults.heal();
    return;
  }
  if (!sim.hosts().some((host) => host.name === fault.host)) throw new Error(`no such host: ${fault.host}`);
  if (fault.kind === "kill") sim.faults.kill(fault.host, fault.process);
  else if (fault.kind === "crash") sim.faults.crash(fault.host);
  else if (fault.kind === "restart") sim.faults.restart(fault.host);
  else sim.faults.isolate(fault.host);
}

/** Checks that `value` is a {@link LiveFault}. */
export function parseLiveFault(value: unknown): LiveFault {
  const fault = value as Partial<{ kind: string; host: string; process: string }> | null;
  if (typeof fault !== "object" || fault === null || typeof fault.kind !== "string") throw new Error("a fault needs a kind");
  if (fault.kind === "heal") return { kind: "heal" };
  if (typeof fault.host !== "string" || fault.host === "") throw new Error(`a ${fault.kind} fault needs a host`);
  if (fault.kind === "crash" || fault.kind === "restart" || fault.kind === "isolate") return { kind: fault.kind, host: fault.host };
  if (fault.kind === "kill") {
    if (typeof fault.process !== "string" || fault.process === "") throw new Error("a kill fault needs a process");
    return { kind: "kill", host: fault.host, process: fault.process };
  }
  throw new Error(`unknown fault kind ${JSON.stringify(fault.kind)}: crash, restart, isolate, kill or heal`);
}

/** The swarm of a session (the same settings give the same swarm). */
export function buildSessionSwarm(settings: LiveSettings): Simulation {
  return Simulation.swarm({ seed: settings.seed, managers: settings.managers, workers: settings.workers, startTime: settings.startTime });
}

/** Starts a live session: builds the swarm, serves every host, runs the clock. */
export async function startLiveSwarm(options: LiveOptions = {}): Promise<LiveSwarm> {
  const settings: LiveSettings = {
    seed: options.seed ?? "live",
    managers: options.managers ?? 3,
    workers: options.workers ?? 2,
    speed: options.speed ?? 1,
    startTime: new Date().toISOString(),
  };
  if (!(settings.speed > 0)) throw new Error(`invalid speed ${settings.speed}: expected a number > 0`);
  const sim = buildSessionSwarm(settings);
  const logPath = options.logPath;
  if (logPath !== undefined) writeFileSync(logPath, `${JSON.stringify({ type: "settings", ...settings })}\n`);
  const record = (entry: SessionEntry): void => {
    if (logPath !== undefined) appendFileSync(logPath, `${JSON.stringify(entry)}\n`);
  };
  const hosts = sim.hosts().map((host) => host.name).filter((name) => /^(manager|worker)\d+$/.test(name));
  const servers: EngineServer[] = [];
  for (const [index, host] of hosts.entries()) {
    const port = options.portBase === undefined || options.portBase === 0 ? 0 : options.portBase + index;
    servers.push(
      await listen(sim, host, {
        port,
        // The clock pump below moves time; streamed answers follow it.
        drivesClock: false,
        onServed: (served) =>
          record({
            type: "request",
            host: served.host,
            arrivedAtMs: served.arrivedAtMs,
            method: served.method,
            path: served.path,
            query: served.query,
            body: served.body,
            statusCode: served.statusCode,
            ...(served.streamed === true ? { streamed: true } : {}),
          }),
      }),
    );
  }
  const admin = createServer((request, response) => {
    const answer = (statusCode: number, body: unknown): void => {
      response.writeHead(statusCode, { "Content-Type": "application/json" });
      response.end(`${JSON.stringify(body)}\n`);
    };
    const wrongRoute = request.method !== "POST" || request.url !== "/faults";
    void readRequestBody(request, faultBodyBytesMax).then(
      (raw) => {
        if (wrongRoute) return answer(404, { message: "page not found: POST /faults only" });
        try {
          const fault = parseLiveFault(JSON.parse(raw.toString("utf8")));
          const atMs = sim.now;
          applyLiveFault(sim, fault);
          record({ type: "fault", atMs, fault });
          return answer(200, { atMs, fault });
        } catch (error) {
          return answer(400, { message: error instanceof Error ? error.message : String(error) });
        }
      },
      (error: unknown) => {
        if (wrongRoute) return answer(404, { message: "page not found: POST /faults only" });
        if (error instanceof BodyTooLargeError) return answer(413, { message: "request body too large" });
        return answer(400, { message: error instanceof Error ? error.message : String(error) });
      },
    );
  });
  await new Promise<void>((resolve) => admin.listen(0, "127.0.0.1", resolve));
  const adminUrl = `http://127.0.0.1:${(admin.address() as { port: number }).port}`;
  const wallStartMs = performance.now();
  const simStartMs = sim.now;
  const pump = setInterval(() => {
    const targetMs = simStartMs + (performance.now() - wallStartMs) * settings.speed;
    if (targetMs <= sim.now) return;
    try {
      sim.runFor(targetMs - sim.now);
    } catch (error) {
      clearInterval(pump);
      options.onCrash?.(error);
    }
  }, clockPumpIntervalMs);
  return {
    sim,
    settings,
    servers,
    adminUrl,
    async stop() {
      clearInterval(pump);
      await Promise.all([...servers.map((server) => server.close()), closeServer(admin)]);
    },
  };
}

/** What a replay found. */
export interface ReplayResult {
  readonly sim: Simulation;
  readonly requests: number;
  readonly faults: number;
  /** Requests whose status differs from the logged one (a replay that diverged). */
  readonly mismatches: readonly { readonly index: number; readonly path: string; readonly logged: number; readonly replayed: number }[];
}

/**
 * Rebuilds a live session from its log: the same swarm, then each request and fault at the
 * virtual time it arrived at. The replayed answers' status codes are compared with the logged ones.
 */
export function replaySession(logText: string): ReplayResult {
  const lines = logText.split("\n").filter((line) => line.trim() !== "");
  const header = JSON.parse(lines[0] ?? "null") as ({ type: "settings" } & LiveSettings) | null;
  if (header === null || header.type !== "settings") throw new Error("not a swarmsim session log: the first line must hold the settings");
  const sim = buildSessionSwarm(header);
  let requests = 0;
  let faults = 0;
  const mismatches: { index: number; path: string; logged: number; replayed: number }[] = [];
  const openStreams: EngineStream[] = [];
  for (const [index, line] of lines.slice(1).entries()) {
    const entry = JSON.parse(line) as SessionEntry;
    const atMs = entry.type === "request" ? entry.arrivedAtMs : entry.atMs;
    if (atMs > sim.now) sim.runFor(atMs - sim.now);
    if (entry.type === "fault") {
      applyLiveFault(sim, entry.fault);
      faults++;
      continue;
    }
    requests++;
    const request = {
      method: entry.method as "GET",
      path: entry.path,
      query: entry.query,
      ...(entry.body === undefined ? {} : { body: entry.body }),
    };
    // A streamed answer (attach, exec start, wait) is opened as it was: its head now, the rest as the replay runs on.
    let statusCode: number;
    if (entry.streamed === true) {
      const stream = openStandaloneStream(sim, entry.host, { ...request, headers: upgradeHeaders(entry.path) });
      openStreams.push(stream);
      statusCode = stream.head.statusCode;
    } else {
      statusCode = sim.engine(entry.host).request(request).statusCode;
    }
    if (statusCode !== entry.statusCode) mismatches.push({ index: index + 1, path: entry.path, logged: entry.statusCode, replayed: statusCode });
  }
  for (const stream of openStreams) stream.close();
  return { sim, requests, faults, mismatches };
}

/** The docker CLI hijacks `attach` and `exec start` (their logged status is 101); `wait` is an ordinary request. */
function upgradeHeaders(path: string): Record<string, string> {
  return /\/(attach|start)$/.test(path) ? { ...hijackHeaders } : {};
}
