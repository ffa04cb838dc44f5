/**
 * How code outside the simulation talks to a host's dockerd: a short-lived `docker` client
 * process on that host sends each request over the local socket (a message with the local
 * delay), and the caller advances the simulation until the answer arrives, dockerd goes away,
 * or the host dies. This is what makes `sim.exec` and `sim.engine(host)` synchronous.
 */
import { SimulationError } from "../sim/errors.js";
import type { ProcessAddress } from "../sim/events.js";
import type { ProcessBehaviour, ProcessContext, ProcessExit } from "../sim/process.js";
import type { SimulationKernel } from "../sim/simulation.js";
import type { HttpRequest, HttpResponse } from "./api/http.js";
import { dockerdProcessName } from "./dockerd/daemon.js";

/** The client process's name. */
export const clientProcessName = "docker";
/** Bound `engineRequestTimeoutMs`: the longest one Engine API request may take, in virtual ms (a day). */
export const engineRequestTimeoutMs = 86_400_000;

/** The docker client could not reach dockerd, or lost it mid-request: the CLI's own error, not the daemon's. */
export class DaemonConnectionError extends Error {
  override name = "DaemonConnectionError";
}

/** The message the docker CLI prints when nothing listens on the socket. */
export const cannotConnectMessage = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

interface ResponseMessage {
  readonly rpc: "response";
  readonly id: number;
  readonly result?: HttpResponse;
  readonly error?: { readonly code: string; readonly message: string };
}

/** The client process: sends requests, keeps answers, notices dockerd's death. */
class ClientProcess implements ProcessBehaviour {
  context: ProcessContext | null = null;
  readonly answers = new Map<number, HttpResponse>();
  lostDaemon = false;
  /** dockerd runs but does not listen yet (still starting). */
  refused = false;
  nextId = 1;

  start(context: ProcessContext): void {
    this.context = context;
    context.monitor(dockerdProcessName);
  }

  receive(_context: ProcessContext, message: unknown, _from: ProcessAddress): void {
    const response = message as ResponseMessage;
    if (response.rpc !== "response") return;
    if (response.error?.code === "Unavailable") {
      this.refused = true;
      return;
    }
    this.answers.set(
      response.id,
      response.result ?? { statusCode: 500, headers: {}, body: { message: response.error?.message ?? "unknown error" } },
    );
  }

  exited(_context: ProcessContext, exit: ProcessExit): void {
    if (exit.process === dockerdProcessName) this.lostDaemon = true;
  }
}

/**
 * Runs `work` with a function that sends Engine API requests to `hostName`'s dockerd through a
 * fresh client process, which exits when `work` returns.
 */
export function withEngineConnection<T>(kernel: SimulationKernel, hostName: string, work: (send: (request: HttpRequest) => HttpResponse) => T): T {
  const host = kernel.host(hostName);
  if (!host.up) throw new SimulationError(`host "${hostName}" is down`);
  if (host.isRunning(clientProcessName)) throw new SimulationError(`a docker client already runs on host "${hostName}"`);
  const client = new ClientProcess();
  kernel.spawn(hostName, clientProcessName, client);
  try {
    return work((request) => {
      const context = client.context!;
      if (!host.up || !host.isRunning(clientProcessName)) throw new DaemonConnectionError(`error during connect: ${request.method} ${request.path}: EOF`);
      if (!context.isRunning(dockerdProcessName)) throw new DaemonConnectionError(cannotConnectMessage);
      const id = client.nextId++;
      client.lostDaemon = false;
      client.refused = false;
      context.send(hostName, dockerdProcessName, { rpc: "request", id, method: "http", params: request });
      kernel.runUntil(() => client.answers.has(id) || client.lostDaemon || client.refused || !host.isRunning(clientProcessName), {
        timeoutMs: engineRequestTimeoutMs,
      });
      if (client.refused) throw new DaemonConnectionError(cannotConnectMessage);
      const answer = client.answers.get(id);
      if (answer !== undefined) {
        client.answers.delete(id);
        return answer;
      }
      throw new DaemonConnectionError(`error during connect: ${request.method} "http://%2Fvar%2Frun%2Fdocker.sock${request.path}": EOF`);
    });
  } finally {
    if (host.up && host.isRunning(clientProcessName)) kernel.stopProcess(hostName, clientProcessName);
  }
}
