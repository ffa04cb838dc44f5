/**
 * The Engine API's container routes: create, list, inspect, start, stop, kill, restart,
 * wait, logs and remove, with Docker's status codes and messages (checked against recordings
 * of a real engine in test/fixtures/docker/engine/). `wait` writes its head at once and its
 * body when the condition is met, as moby does (see `stream.ts`); attach and exec are in `exec.ts`.
 */
import { randomName } from "../../cli/ids.js";
import { formatLogTimestamp } from "../../cli/times.js";
import { waitFor, type Coroutine } from "../../sim/coroutine.js";
import type { Dockerd } from "../dockerd/daemon.js";
import { defaultStopTimeoutSeconds } from "../dockerd/daemon.js";
import { recordKeys, type ContainerConfig, type ContainerRecord, type HostConfigRecord, type PortBindingRecord, type RestartPolicy, type SwarmEndpointRecord } from "../dockerd/records.js";
import { ApiError, badRequest, conflict, notFound, type LogFrame } from "./http.js";
import type { Route, RouteRequest, RouteResult } from "./router.js";
import { containerInspect, containerSummary } from "./container-shapes.js";
import { findImage, parseFilters } from "./lookup.js";
import { activeExecIds } from "../dockerd/exec.js";
import { ResponseStream } from "./stream.js";

/** One line of a container's json-file log, as the shim appends it. */
export interface LogEntry {
  readonly stream: "stdout" | "stderr";
  readonly text: string;
  /** Virtual ms. */
  readonly time: number;
}

/** Smallest memory limit Docker accepts, bytes (6 MB). */
export const memoryLimitBytesMin = 6 * 1024 * 1024;
/** Longest a `wait` request blocks, ms (a day of virtual time). */
export const waitTimeoutMsMax = 86_400_000;

const containerNamePattern = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function asRecord(value: unknown): Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, any>) : {};
}

function stringList(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return [value];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw badRequest("json: cannot unmarshal into Go value of type []string");
  return value;
}

function restartPolicyOf(value: unknown): RestartPolicy {
  const policy = asRecord(value);
  const name = policy.Name ?? "no";
  if (!["", "no", "always", "unless-stopped", "on-failure"].includes(name)) throw badRequest(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  const count = Number(policy.MaximumRetryCount ?? 0);
  if (count < 0) throw badRequest("invalid restart policy: maximum retry count can't be negative");
  if (count > 0 && name !== "on-failure") throw badRequest(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  return { Name: name === "" ? "no" : name, MaximumRetryCount: count };
}

function hostConfigOf(daemon: Dockerd, value: unknown): HostConfigRecord {
  const body = asRecord(value);
  const memory = Number(body.Memory ?? 0);
  if (memory > 0 && memory < memoryLimitBytesMin) throw badRequest("Minimum memory limit allowed is 6MB");
  const nanoCpus = Number(body.NanoCpus ?? 0);
  const cpus = daemon.machine.cpus;
  if (nanoCpus < 0 || nanoCpus > cpus * 1e9) throw badRequest(`Range of CPUs is from 0.01 to ${cpus.toFixed(2)}, as there are only ${cpus} CPUs available`);
  const portBindings: Record<string, PortBindingRecord[]> = {};
  for (const [key, bindings] of Object.entries(asRecord(body.PortBindings))) {
    portBindings[key] = (Array.isArray(bindings) ? bindings : []).map((binding) => ({ HostIp: String(asRecord(binding).HostIp ?? ""), HostPort: String(asRecord(binding).HostPort ?? "") }));
  }
  return {
    Binds: stringList(body.Binds),
    NetworkMode: typeof body.NetworkMode === "string" && body.NetworkMode !== "" ? body.NetworkMode : "default",
    PortBindings: portBindings,
    RestartPolicy: restartPolicyOf(body.RestartPolicy),
    AutoRemove: body.AutoRemove === true,
    Memory: memory,
    NanoCpus: nanoCpus,
    CpuShares: Number(body.CpuShares ?? 0),
    CpuQuota: Number(body.CpuQuota ?? 0),
    CpuPeriod: Number(body.CpuPeriod ?? 0),
    PublishAllPorts: body.PublishAllPorts === true,
    Privileged: body.Privileged === true,
  };
}

/**
 * The swarm endpoints a managed (swarm task) container is created with: the entries of
 * `NetworkingConfig.EndpointsConfig` that name a network id and an IPv4 address, as swarmkit's
 * container adapter sends them (the address the managers allocated). Others are ignored.
 */
function swarmEndpointsOf(value: unknown): SwarmEndpointRecord[] {
  const endpoints: SwarmEndpointRecord[] = [];
  for (const [networkName, settings] of Object.entries(asRecord(asRecord(value).EndpointsConfig))) {
    const entry = asRecord(settings);
    const address = String(asRecord(entry.IPAMConfig).IPv4Address ?? "");
    const networkId = String(entry.NetworkID ?? "");
    if (networkId === "" || !/^\d+\.\d+\.\d+\.\d+$/.test(address)) continue;
    endpoints.push({ networkName, networkId, ipAddress: address, prefixLength: Number(entry.IPPrefixLen ?? 24) });
  }
  return endpoints;
}

function* createContainer(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const body = asRecord(request.body);
  if (typeof body.Image !== "string" || body.Image === "") throw badRequest("config cannot be empty in order to create a container");
  let name = request.query.name ?? "";
  if (name !== "" && !containerNamePattern.test(name)) throw badRequest(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (name !== "") {
    const holder = [...daemon.containers.values()].find((record) => record.name === (name.startsWith("/") ? name : `/${name}`));
    if (holder) {
      throw conflict(`Conflict. The container name "${holder.name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
  }
  const image = findImage(daemon, body.Image);
  if (image === undefined) throw notFound(`No such image: ${normalizeForMessage(body.Image)}`);
  const hostConfig = hostConfigOf(daemon, body.HostConfig);
  if (hostConfig.NetworkMode !== "default" && hostConfig.NetworkMode !== "host" && hostConfig.NetworkMode !== "none") {
    const network = [...daemon.networks.values()].find((candidate) => candidate.name === hostConfig.NetworkMode || candidate.id.startsWith(hostConfig.NetworkMode));
    if (network === undefined) throw notFound(`network ${hostConfig.NetworkMode} not found`);
  }
  if (name === "") {
    const taken = new Set([...daemon.containers.values()].map((record) => record.name));
    for (let retry = 0; name === "" || taken.has(`/${name}`); retry++) name = randomName(daemon.context.random, retry);
  }
  const id = daemon.newId();
  // A null Entrypoint or Cmd means "the image's"; an entrypoint given (even [""]: none) drops the image's Cmd, as in moby.
  const entrypointGiven = body.Entrypoint !== undefined && body.Entrypoint !== null;
  const givenEntrypoint = entrypointGiven ? stringList(body.Entrypoint)!.filter((word) => word !== "") : [];
  const entrypoint = entrypointGiven ? (givenEntrypoint.length > 0 ? givenEntrypoint : null) : image.config.Entrypoint;
  const command = body.Cmd === undefined || body.Cmd === null ? (entrypointGiven ? null : image.config.Cmd) : stringList(body.Cmd);
  const words = [...(entrypoint ?? []), ...(command ?? [])];
  if (words.length === 0) throw badRequest("no command specified");
  const exposedPorts = { ...(image.config.ExposedPorts ?? {}), ...asRecord(body.ExposedPorts) } as Record<string, Record<string, never>>;
  for (const key of Object.keys(hostConfig.PortBindings)) exposedPorts[key] ??= {};
  const env = [...image.config.Env];
  for (const entry of stringList(body.Env) ?? []) {
    const key = entry.split("=")[0];
    const index = env.findIndex((existing) => existing.split("=")[0] === key);
    if (index >= 0) env[index] = entry;
    else env.push(entry);
  }
  const config: ContainerConfig = {
    Hostname: typeof body.Hostname === "string" && body.Hostname !== "" ? body.Hostname : id.slice(0, 12),
    Domainname: "",
    User: typeof body.User === "string" ? body.User : image.config.User,
    AttachStdin: body.AttachStdin === true,
    AttachStdout: body.AttachStdout === true,
    AttachStderr: body.AttachStderr === true,
    ...(Object.keys(exposedPorts).length > 0 ? { ExposedPorts: exposedPorts } : {}),
    Tty: body.Tty === true,
    OpenStdin: body.OpenStdin === true,
    StdinOnce: body.StdinOnce === true,
    Env: env,
    Cmd: command,
    Image: body.Image,
    Volumes: null,
    WorkingDir: typeof body.WorkingDir === "string" && body.WorkingDir !== "" ? body.WorkingDir : image.config.WorkingDir,
    Entrypoint: entrypoint,
    OnBuild: null,
    // Object.assign, not two spreads: the second adding keys would give each object a hidden class of its own in V8.
    Labels: Object.assign({}, image.config.Labels, asRecord(body.Labels) as Record<string, string>),
    ...(typeof body.StopSignal === "string" ? { StopSignal: body.StopSignal } : image.config.StopSignal ? { StopSignal: image.config.StopSignal } : {}),
    ...(typeof body.StopTimeout === "number" ? { StopTimeout: body.StopTimeout } : {}),
  };
  const swarmEndpoints = swarmEndpointsOf(body.NetworkingConfig);
  const record: ContainerRecord = {
    id,
    name: `/${name.replace(/^\//, "")}`,
    created: daemon.now,
    imageName: body.Image,
    imageId: image.id,
    path: words[0]!,
    args: words.slice(1),
    config,
    hostConfig,
    state: { status: "created", running: false, restarting: false, oomKilled: false, dead: false, pid: 0, exitCode: 0, error: "", startedAt: null, finishedAt: null },
    restartCount: 0,
    hasBeenManuallyStopped: false,
    hasBeenStartedBefore: false,
    endpoint: null,
    ...(swarmEndpoints.length > 0 ? { swarmEndpoints } : {}),
    sandboxId: daemon.newId(),
  };
  daemon.saveContainer(record);
  daemon.containerEvent(record, "create");
  return { statusCode: 201, body: { Id: id, Warnings: [] } };
}

function normalizeForMessage(reference: string): string {
  return /[:@]/.test(reference.split("/").pop() ?? "") ? reference : `${reference}:latest`;
}

function* listContainers(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const all = request.query.all === "1" || request.query.all === "true";
  const filters = parseFilters(request.query.filters);
  let records = [...daemon.containers.values()].filter((record) => all || record.state.running);
  for (const [key, values] of Object.entries(filters)) {
    records = records.filter((record) =>
      values.some((value) => {
        switch (key) {
          case "status":
            return record.state.status === value;
          case "name":
            return record.name.slice(1).includes(value.replace(/^\//, ""));
          case "id":
            return record.id.startsWith(value);
          case "label": {
            const [labelKey, labelValue] = value.split("=");
            return labelKey! in record.config.Labels && (labelValue === undefined || record.config.Labels[labelKey!] === labelValue);
          }
          case "ancestor":
            return record.imageName === value || record.imageId === value;
          default:
            throw badRequest(`invalid filter '${key}'`);
        }
      }),
    );
  }
  // Newest first, as Docker lists them.
  records.sort((left, right) => right.created - left.created || (right.id < left.id ? -1 : 1));
  const limit = Number(request.query.limit ?? -1);
  if (limit > 0) records = records.slice(0, limit);
  const startTimeMs = daemon.wallTimeMs - daemon.now;
  return { statusCode: 200, body: records.map((record) => containerSummary(record, startTimeMs, daemon.now)) };
}

function* inspectContainer(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const record = daemon.findContainer(request.params.id!);
  const imageLayerDigests = daemon.images.get(record.imageId)?.layers.map((layer) => layer.digest) ?? [];
  return { statusCode: 200, body: containerInspect(record, daemon.networks, daemon.wallTimeMs - daemon.now, activeExecIds(daemon, record.id), imageLayerDigests) };
}

function* startContainer(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const record = daemon.findContainer(request.params.id!);
  if (record.state.running && !record.state.restarting) return { statusCode: 304 };
  try {
    yield* daemon.startContainer(record.id);
  } catch (error) {
    // moby's containerStart: a container with AutoRemove that fails to start is removed.
    if (error instanceof ApiError && record.hostConfig.AutoRemove && daemon.containers.has(record.id) && !daemon.containers.get(record.id)!.state.running) {
      daemon.deleteContainer(record.id);
      daemon.containerEvent(record, "destroy");
    }
    throw error;
  }
  daemon.containerEvent(record, "start");
  return { statusCode: 204 };
}

function timeoutSecondsOf(request: RouteRequest, record: ContainerRecord): number {
  const text = request.query.t ?? request.query.timeout;
  if (text === undefined) return record.config.StopTimeout ?? defaultStopTimeoutSeconds;
  if (!/^-?\d+$/.test(text)) throw badRequest(`invalid value for t: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

function* stopContainer(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const record = daemon.findContainer(request.params.id!);
  const stopped = yield* daemon.stopContainer(record.id, timeoutSecondsOf(request, record));
  if (!stopped) return { statusCode: 304 };
  daemon.containerEvent(record, "stop");
  return { statusCode: 204 };
}

/** Signal names and numbers Docker accepts for `kill`. */
const signalNumbers: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15, SIGSTOP: 19, SIGCONT: 18, SIGWINCH: 28 };

function* killContainer(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  // moby's postContainersKill wraps every error of ContainerKill (which parses the signal, then finds the container) in "Cannot kill container: NAME: ".
  const cannotKill = (error: ApiError) => new ApiError(error.statusCode, `Cannot kill container: ${request.params.id}: ${error.message}`);
  const requested = (request.query.signal ?? "SIGKILL").toUpperCase();
  const signal = /^\d+$/.test(requested)
    ? Object.keys(signalNumbers).find((name) => signalNumbers[name] === Number(requested))
    : requested.startsWith("SIG") ? requested : `SIG${requested}`;
  if (signal === undefined || !(signal in signalNumbers)) throw cannotKill(badRequest(`Invalid signal: ${request.query.signal}`));
  let record: ContainerRecord;
  try {
    record = daemon.findContainer(request.params.id!);
  } catch (error) {
    if (error instanceof ApiError) throw cannotKill(error);
    throw error;
  }
  if (!record.state.running || record.state.restarting) throw conflict(`Cannot kill container: ${request.params.id}: container ${record.id} is not running`);
  if (signal === "SIGKILL") yield* daemon.killAndWait(record.id);
  else yield* daemon.signalContainer(record.id, signal);
  daemon.context.emit("engine.container.kill", { host: daemon.hostName, id: record.id, name: record.name.slice(1), signal });
  return { statusCode: 204 };
}

function* restartContainer(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const record = daemon.findContainer(request.params.id!);
  yield* daemon.stopContainer(record.id, timeoutSecondsOf(request, record));
  yield* daemon.startContainer(record.id);
  return { statusCode: 204 };
}

/**
 * `POST /containers/{id}/wait?condition=not-running|next-exit|removed`: the head (200) is written
 * at once, so a client can start the container after it (as `docker run` does); the body
 * `{ StatusCode, Error }` follows when the container is not running (now or later), next exits,
 * or is removed.
 */
function* waitContainer(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const record = daemon.findContainer(request.params.id!);
  const condition = request.query.condition === undefined || request.query.condition === "" ? "not-running" : request.query.condition;
  if (!["not-running", "next-exit", "removed"].includes(condition)) throw badRequest(`invalid condition: "${condition}"`);
  const stream = new ResponseStream((host, process, message) => daemon.context.send(host, process, message), request.stream ?? null, false, "");
  stream.head(200, { "Content-Type": "application/json" });
  let exitCode: number;
  if (condition === "not-running") {
    exitCode = yield* daemon.waitNotRunning(record.id, waitTimeoutMsMax);
  } else {
    const key = condition === "removed" ? `removed:${record.id}` : `exit:${record.id}`;
    const woken = yield* waitFor<number>(key, waitTimeoutMsMax);
    exitCode = woken ?? daemon.containers.get(record.id)?.state.exitCode ?? record.state.exitCode;
  }
  return stream.finish({ StatusCode: exitCode, Error: null });
}

function* containerLogs(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const record = daemon.findContainer(request.params.id!);
  const wantStdout = request.query.stdout === "1" || request.query.stdout === "true";
  const wantStderr = request.query.stderr === "1" || request.query.stderr === "true";
  if (!wantStdout && !wantStderr) throw badRequest("Bad parameters: you must choose at least one stream");
  const timestamps = request.query.timestamps === "1" || request.query.timestamps === "true";
  let entries = (daemon.context.disk.read<readonly LogEntry[]>(recordKeys.containerLog(record.id)) ?? []).filter(
    (entry) => (entry.stream === "stdout" && wantStdout) || (entry.stream === "stderr" && wantStderr),
  );
  const tail = request.query.tail;
  if (tail !== undefined && tail !== "all" && /^\d+$/.test(tail)) entries = entries.slice(Math.max(0, entries.length - Number(tail)));
  const startTimeMs = daemon.wallTimeMs - daemon.now;
  const frames: LogFrame[] = entries.map((entry) => ({
    stream: entry.stream === "stdout" ? 1 : 2,
    text: `${timestamps ? `${formatLogTimestamp(startTimeMs + entry.time)} ` : ""}${entry.text}\n`,
  }));
  // `tty`: the stream is raw text, not multiplexed (the HTTP server writes it so).
  return { statusCode: 200, body: { frames, tty: record.config.Tty === true } };
}

function* removeContainer(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const record = daemon.findContainer(request.params.id!);
  const force = request.query.force === "1" || request.query.force === "true";
  if (record.state.running) {
    if (!force) {
      throw conflict(`You cannot remove a running container ${record.id}. Stop the container before attempting removal or force remove`);
    }
    if (record.state.restarting) yield* daemon.stopContainer(record.id, 0);
    else yield* daemon.killAndWait(record.id);
  }
  if (daemon.containers.get(record.id)?.state.running) throw new ApiError(500, `Could not kill running container ${record.id}, cannot remove - tried to kill container, but did not receive an exit event`);
  daemon.deleteContainer(record.id);
  daemon.containerEvent(record, "destroy");
  return { statusCode: 204 };
}

/** The container routes. */
export const containerRoutes: readonly Route<Dockerd>[] = [
  { method: "POST", pattern: "/containers/create", handler: createContainer },
  { method: "GET", pattern: "/containers/json", handler: listContainers },
  { method: "GET", pattern: "/containers/{id}/json", handler: inspectContainer },
  { method: "POST", pattern: "/containers/{id}/start", handler: startContainer },
  { method: "POST", pattern: "/containers/{id}/stop", handler: stopContainer },
  { method: "POST", pattern: "/containers/{id}/kill", handler: killContainer },
  { method: "POST", pattern: "/containers/{id}/restart", handler: restartContainer },
  { method: "POST", pattern: "/containers/{id}/wait", handler: waitContainer },
  { method: "GET", pattern: "/containers/{id}/logs", handler: containerLogs },
  { method: "DELETE", pattern: "/containers/{id}", handler: removeContainer },
];
