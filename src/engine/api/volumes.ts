/**
 * The Engine API's volume routes: local volumes, named or anonymous, refused removal while a
 * container uses them.
 */
import type { Coroutine } from "../../sim/coroutine.js";
import type { Dockerd } from "../dockerd/daemon.js";
import { dockerRoot, recordKeys, type VolumeRecord } from "../dockerd/records.js";
import { formatTime } from "../../sim/calendar.js";
import { badRequest, conflict, notFound } from "./http.js";
import { parseFilters } from "./lookup.js";
import type { Route, RouteRequest, RouteResult } from "./router.js";

const volumeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function volumeShape(daemon: Dockerd, record: VolumeRecord): Record<string, unknown> {
  const startTimeMs = daemon.wallTimeMs - daemon.now;
  return {
    CreatedAt: formatTime(startTimeMs + record.created, 0),
    Driver: record.driver,
    Labels: Object.keys(record.labels).length > 0 ? record.labels : null,
    Mountpoint: `${dockerRoot}/volumes/${record.name}/_data`,
    Name: record.name,
    Options: Object.keys(record.options).length > 0 ? record.options : null,
    Scope: "local",
  };
}

/** Containers whose binds name the volume. */
function usersOf(daemon: Dockerd, name: string): string[] {
  return [...daemon.containers.values()].filter((record) => (record.hostConfig.Binds ?? []).some((bind) => bind.split(":")[0] === name)).map((record) => record.id);
}

function* listVolumes(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const filters = parseFilters(request.query.filters);
  const volumes = [...daemon.volumes.values()]
    .filter((record) => (filters.name ?? [""]).some((value) => record.name.includes(value)))
    .filter((record) => (filters.dangling === undefined ? true : filters.dangling.includes(String(usersOf(daemon, record.name).length === 0))))
    .sort((left, right) => (left.name < right.name ? -1 : 1));
  return { statusCode: 200, body: { Volumes: volumes.map((record) => volumeShape(daemon, record)), Warnings: null } };
}

function* createVolume(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const body = (typeof request.body === "object" && request.body !== null ? request.body : {}) as Record<string, any>;
  const anonymous = typeof body.Name !== "string" || body.Name === "";
  const name: string = anonymous ? daemon.newId() : body.Name;
  if (!volumeNamePattern.test(name)) {
    throw badRequest(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  const existing = daemon.volumes.get(name);
  if (existing) return { statusCode: 201, body: volumeShape(daemon, existing) };
  const record: VolumeRecord = { name, driver: body.Driver ?? "local", created: daemon.now, labels: body.Labels ?? {}, options: body.DriverOpts ?? {}, anonymous };
  daemon.volumes.set(name, record);
  daemon.context.disk.write(recordKeys.volume(name), record);
  return { statusCode: 201, body: volumeShape(daemon, record) };
}

function findVolume(daemon: Dockerd, name: string): VolumeRecord {
  const record = daemon.volumes.get(name);
  if (record === undefined) throw notFound(`get ${name}: no such volume`);
  return record;
}

function* inspectVolume(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  return { statusCode: 200, body: volumeShape(daemon, findVolume(daemon, request.params.name!)) };
}

function* removeVolume(daemon: Dockerd, request: RouteRequest): Coroutine<RouteResult> {
  const name = request.params.name!;
  const force = request.query.force === "1" || request.query.force === "true";
  if (!daemon.volumes.has(name)) {
    if (force) return { statusCode: 204 };
    throw notFound(`get ${name}: no such volume`);
  }
  const users = usersOf(daemon, name);
  if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(", ")}]`);
  daemon.volumes.delete(name);
  daemon.context.disk.delete(recordKeys.volume(name));
  return { statusCode: 204 };
}

/** The volume routes. */
export const volumeRoutes: readonly Route<Dockerd>[] = [
  { method: "GET", pattern: "/volumes", handler: listVolumes },
  { method: "POST", pattern: "/volumes/create", handler: createVolume },
  { method: "GET", pattern: "/volumes/{name}", handler: inspectVolume },
  { method: "DELETE", pattern: "/volumes/{name}", handler: removeVolume },
];
