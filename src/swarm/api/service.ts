/**
 * Services as the Engine API shows them (`GET /services`, `GET /services/{id}`): moby's
 * `convert.ServiceFromGRPC` applied to swarmsim's Service. Go's omitempty rules are kept (zero
 * numbers, empty strings and empty lists are left out; label maps are always sent), so the JSON
 * has the shape `docker service inspect` shows: `"Resources": {"Limits": {}, "Reservations": {}}`,
 * `"Placement": {}`, `"Isolation": "default"`, `"Runtime": "container"`.
 */
import type { PortConfig, Service, ServiceSpec, TaskSpec, TaskSpecOmission, UpdateConfigSpec } from "../types.js";
import { serviceVirtualIps } from "../network/view.js";
import { apiTime, durationNanoseconds, labelsToApi, metaToApi, type ApiContext, type ApiObject } from "./common.js";

/** Sets `object[key]` only when `value` is not Go's zero value (omitempty). */
function setUnlessZero(object: ApiObject, key: string, value: string | number | readonly unknown[] | null): void {
  if (value === null || value === 0 || value === "") return;
  if (Array.isArray(value) && value.length === 0) return;
  object[key] = value;
}

/** A port as `swarmPortConfigToAPIPortConfig` writes it (protocol and publish mode always present). */
export function portToApi(port: PortConfig): ApiObject {
  const json: ApiObject = {};
  setUnlessZero(json, "Name", port.name);
  json.Protocol = port.protocol;
  setUnlessZero(json, "TargetPort", port.targetPort);
  setUnlessZero(json, "PublishedPort", port.publishedPort);
  json.PublishMode = port.publishMode;
  return json;
}

/** `EndpointSpec`: the resolution mode and the ports, when there are any. */
export function endpointSpecToApi(endpoint: ServiceSpec["endpoint"]): ApiObject {
  const json: ApiObject = { Mode: endpoint.mode };
  if (endpoint.ports.length > 0) json.Ports = endpoint.ports.map(portToApi);
  return json;
}

/** A `{NanoCPUs, MemoryBytes}` pair with zeros left out. */
function resourcesToApi(resources: { readonly nanoCpus: number; readonly memoryBytes: number }): ApiObject {
  const json: ApiObject = {};
  setUnlessZero(json, "NanoCPUs", resources.nanoCpus);
  setUnlessZero(json, "MemoryBytes", resources.memoryBytes);
  return json;
}

/** swarmkit's default `StopGracePeriod` (api/defaults: `defaults.Service`), shown with `insertDefaults`. */
const defaultStopGracePeriodMs = 10_000;

/**
 * A task spec as `taskSpecFromGRPC` writes it. `Runtime` is set by the service conversion only:
 * a task's own spec has none. With `insertDefaults` (`GET /services/{id}?insertDefaults=true`),
 * what the client left out comes filled in as swarmkit's `defaults.InterpolateService` fills it.
 */
export function taskSpecToApi(spec: TaskSpec, options: { runtime: boolean; insertDefaults?: boolean }): ApiObject {
  const insertDefaults = options.insertDefaults ?? false;
  const shows = (field: TaskSpecOmission) => insertDefaults || !(spec.omitted ?? []).includes(field);
  const container: ApiObject = { Image: spec.container.image };
  if (Object.keys(spec.container.labels).length > 0) container.Labels = labelsToApi(spec.container.labels);
  setUnlessZero(container, "Command", spec.container.command);
  setUnlessZero(container, "Args", spec.container.args);
  setUnlessZero(container, "Env", spec.container.env);
  if (spec.container.init !== undefined) container.Init = spec.container.init;
  if (spec.container.stopGracePeriodMs !== null) container.StopGracePeriod = durationNanoseconds(spec.container.stopGracePeriodMs);
  else if (insertDefaults) container.StopGracePeriod = durationNanoseconds(defaultStopGracePeriodMs);
  if (shows("dnsConfig")) container.DNSConfig = {};
  container.Isolation = "default";

  const restart: ApiObject = {
    Condition: spec.restartPolicy.condition,
    Delay: durationNanoseconds(spec.restartPolicy.delayMs),
    MaxAttempts: spec.restartPolicy.maxAttempts,
  };
  if (spec.restartPolicy.windowMs !== 0) restart.Window = durationNanoseconds(spec.restartPolicy.windowMs);

  const placement: ApiObject = {};
  setUnlessZero(placement, "Constraints", spec.placement.constraints);
  setUnlessZero(
    placement,
    "Preferences",
    spec.placement.preferences.map((preference) => ({ Spread: { SpreadDescriptor: preference.spreadDescriptor } })),
  );
  setUnlessZero(placement, "MaxReplicas", spec.placement.maxReplicas);
  setUnlessZero(
    placement,
    "Platforms",
    spec.placement.platforms.map((platform) => {
      const json: ApiObject = {};
      setUnlessZero(json, "Architecture", platform.architecture);
      setUnlessZero(json, "OS", platform.os);
      return json;
    }),
  );

  const json: ApiObject = {
    ContainerSpec: container,
    Resources: { Limits: resourcesToApi(spec.resources.limits), Reservations: resourcesToApi(spec.resources.reservations) },
    ...(shows("restartPolicy") ? { RestartPolicy: restart } : {}),
    Placement: placement,
  };
  if (spec.networks !== undefined && spec.networks.length > 0) {
    json.Networks = spec.networks.map((network) => {
      const entry: ApiObject = { Target: network.target };
      setUnlessZero(entry, "Aliases", network.aliases);
      return entry;
    });
  }
  json.ForceUpdate = spec.forceUpdate;
  if (options.runtime) json.Runtime = "container";
  return json;
}

/** `UpdateConfig` / `RollbackConfig` as `updateConfigFromGRPC` writes them (Delay and Monitor omitted when 0). */
export function updateConfigToApi(config: UpdateConfigSpec): ApiObject {
  const json: ApiObject = { Parallelism: config.parallelism };
  setUnlessZero(json, "Delay", durationNanoseconds(config.delayMs));
  json.FailureAction = config.failureAction;
  setUnlessZero(json, "Monitor", durationNanoseconds(config.monitorMs));
  json.MaxFailureRatio = config.maxFailureRatio;
  json.Order = config.order;
  return json;
}

/**
 * A service spec as the Engine API shows it (`Spec` and `PreviousSpec` of a Service): as the client
 * sent it, or with `insertDefaults` filled in as swarmkit's `defaults.InterpolateService` fills it.
 */
export function serviceSpecToApi(spec: ServiceSpec, options: { insertDefaults?: boolean } = {}): ApiObject {
  const insertDefaults = options.insertDefaults ?? false;
  const json: ApiObject = {};
  setUnlessZero(json, "Name", spec.name);
  json.Labels = labelsToApi(spec.labels);
  json.TaskTemplate = taskSpecToApi(spec.task, { runtime: true, insertDefaults });
  json.Mode = spec.mode.kind === "global" ? { Global: {} } : { Replicated: { Replicas: spec.mode.replicas } };
  if (insertDefaults || !(spec.omitted ?? []).includes("update")) json.UpdateConfig = updateConfigToApi(spec.update);
  if (insertDefaults || !(spec.omitted ?? []).includes("rollback")) json.RollbackConfig = updateConfigToApi(spec.rollback);
  json.EndpointSpec = endpointSpecToApi(spec.endpoint);
  return json;
}

/**
 * `ServiceStatus` as swarmkit's `ListServiceStatuses` counts it: running tasks (status running),
 * desired tasks (the replica count, or for a global service the tasks whose desired state is
 * running), completed tasks (jobs only, so 0).
 */
export function serviceStatusToApi(service: Service, context: ApiContext): ApiObject {
  let running = 0;
  let desiredGlobal = 0;
  for (const task of Object.values(context.state.tasks)) {
    if (task.serviceId !== service.id) continue;
    if (task.status.state === "running") running += 1;
    if (task.desiredState === "running") desiredGlobal += 1;
  }
  const desired = service.spec.mode.kind === "replicated" ? service.spec.mode.replicas : desiredGlobal;
  return { RunningTasks: running, DesiredTasks: desired, CompletedTasks: 0 };
}

/** Whether a Go time would be sent by `ServiceFromGRPC` (it drops zero times and those in the epoch's first second). */
function isSentTime(epochMs: number): boolean {
  return Math.floor(epochMs / 1000) !== 0;
}

/**
 * The Engine API's Service for `service`; with `status`, also `ServiceStatus` (as
 * `GET /services?status=true` adds it); with `insertDefaults`, the specs filled in (as
 * `GET /services/{id}?insertDefaults=true`).
 *
 * `Endpoint.Spec` is swarmkit's allocated copy of the spec's endpoint: a service with neither
 * published ports nor networks is never allocated (cnmallocator's `IsServiceAllocated` holds at
 * once), so its `Endpoint` is `{"Spec": {}}`.
 */
export function serviceToApi(service: Service, context: ApiContext, options: { status?: boolean; insertDefaults?: boolean } = {}): Record<string, unknown> {
  const insertDefaults = options.insertDefaults ?? false;
  const json: ApiObject = { ...metaToApi(service, context), Spec: serviceSpecToApi(service.spec, { insertDefaults }) };
  if (service.previousSpec !== null) json.PreviousSpec = serviceSpecToApi(service.previousSpec, { insertDefaults });

  const allocated = service.spec.endpoint.ports.length > 0 || (service.spec.task.networks?.length ?? 0) > 0 || service.endpoint.ports.length > 0 || service.endpoint.virtualIps.length > 0;
  const endpoint: ApiObject = { Spec: allocated ? endpointSpecToApi(service.spec.endpoint) : {} };
  if (service.endpoint.ports.length > 0) endpoint.Ports = service.endpoint.ports.map(portToApi);
  // The network allocation's virtual IPs (the service's endpoint, copied from it, when there is none).
  const allocatedVirtualIps = serviceVirtualIps(context.state, service);
  const virtualIps = allocatedVirtualIps.length > 0 ? allocatedVirtualIps : service.endpoint.virtualIps;
  if (virtualIps.length > 0) {
    endpoint.VirtualIPs = virtualIps.map((virtualIp) => {
      const entry: ApiObject = {};
      setUnlessZero(entry, "NetworkID", virtualIp.networkId);
      setUnlessZero(entry, "Addr", virtualIp.address);
      return entry;
    });
  }
  json.Endpoint = endpoint;

  if (service.updateStatus !== null) {
    const status = service.updateStatus;
    const updateStatus: ApiObject = { State: status.state };
    if (isSentTime(context.startTimeMs + status.startedAt)) updateStatus.StartedAt = apiTime(status.startedAt, context);
    if (status.completedAt !== null && isSentTime(context.startTimeMs + status.completedAt)) {
      updateStatus.CompletedAt = apiTime(status.completedAt, context);
    }
    setUnlessZero(updateStatus, "Message", status.message);
    json.UpdateStatus = updateStatus;
  }
  if (options.status === true) json.ServiceStatus = serviceStatusToApi(service, context);
  return json;
}
