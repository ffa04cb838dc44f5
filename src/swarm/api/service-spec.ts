/**
 * The body of `POST /services/create` and `POST /services/{id}/update` read into a ServiceSpec,
 * with the daemon's checks in the daemon's order:
 *
 * 1. Go's JSON decoding (400 `invalid JSON: json: cannot unmarshal ...`; a negative replica count
 *    fails here, as `Replicas` is a uint64);
 * 2. moby's `convert.ServiceSpecToGRPC` (400, plain text: `invalid RestartCondition: "x"`,
 *    `unrecognized update failure action x`, `invalid resolution mode: "x"`, ...);
 * 3. swarmkit's `controlapi.validateServiceSpec` (gRPC errors passed on as
 *    `rpc error: code = InvalidArgument desc = ...`, 400; an unparsable placement constraint is
 *    returned by swarmkit unwrapped, so it reaches the daemon as `code = Unknown`, 500);
 * 4. for an update, swarmkit's `UpdateService` refusals of a mode change or a rename (501).
 *
 * Defaults are those swarmkit applies when a field is absent: restart on any exit after 5 s,
 * unlimited attempts, no window; updates and rollbacks one task at a time, no delay, pause on
 * failure, 5 s monitor, failure ratio 0, stop-first; replicated with 1 replica; VIP endpoint;
 * ports TCP and published through the ingress mesh. An unknown port protocol or publish mode is
 * not refused: swarmkit's enum lookup falls back to TCP and ingress, and so does this.
 *
 * Not checked here (they need the cluster state): published ports already used by other services,
 * the ingress network's existence. An empty name on create is kept empty: moby then picks a random
 * name (`namesgenerator`), which the caller must do.
 */
import { parseReference } from "../../engine/images/catalogue.js";
import { validateConstraints } from "../scheduler/constraint.js";
import { swarmDefaults, type PlacementPreference, type PortConfig, type RestartPolicySpec, type ServiceSpec, type TaskSpec, type TaskSpecOmission, type UpdateConfigSpec } from "../types.js";
import { durationMs, failure, goFormatFloat, goQuote, grpcFailure, type SpecResult } from "./common.js";
import { GoJsonDecoder, type GoStruct } from "./go-json.js";

/** The update (and rollback) configuration swarmkit uses when the spec has none. */
export const defaultUpdateConfig: UpdateConfigSpec = {
  parallelism: 1,
  delayMs: 0,
  failureAction: "pause",
  monitorMs: swarmDefaults.updateMonitorMs,
  maxFailureRatio: 0,
  order: "stop-first",
};

/** The restart policy swarmkit uses when the spec has none. */
export const defaultRestartPolicy: RestartPolicySpec = {
  condition: "any",
  delayMs: swarmDefaults.restartDelayMs,
  maxAttempts: 0,
  windowMs: 0,
};

/** A refusal on the way to a spec. */
type Refusal = { ok: false; statusCode: number; message: string };

/** The fields of the body as decoded, before moby's conversion. */
interface DecodedBody {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly runtime: string;
  readonly hasContainerSpec: boolean;
  /** Whether the container spec has a `DNSConfig` (the docker CLI always sends one, maybe empty). */
  readonly hasDnsConfig: boolean;
  readonly hasPluginSpec: boolean;
  readonly container: TaskSpec["container"];
  readonly resources: TaskSpec["resources"];
  readonly restart: { readonly condition: string; readonly delayNanoseconds: number | null; readonly maxAttempts: number; readonly windowNanoseconds: number | null } | null;
  readonly placement: TaskSpec["placement"];
  readonly networks: NonNullable<TaskSpec["networks"]>;
  readonly forceUpdate: number;
  readonly modes: { readonly replicated: boolean; readonly replicas: number | null; readonly global: boolean; readonly replicatedJob: boolean; readonly globalJob: boolean };
  readonly update: DecodedUpdateConfig | null;
  readonly rollback: DecodedUpdateConfig | null;
  readonly endpoint: { readonly mode: string; readonly ports: readonly DecodedPort[] } | null;
}

interface DecodedUpdateConfig {
  readonly parallelism: number;
  readonly delayNanoseconds: number;
  readonly failureAction: string;
  readonly monitorNanoseconds: number;
  readonly maxFailureRatio: number;
  readonly order: string;
}

interface DecodedPort {
  readonly name: string;
  readonly protocol: string;
  readonly targetPort: number;
  readonly publishedPort: number;
  readonly publishMode: string;
}

/** A `{NanoCPUs, MemoryBytes}` struct. */
function decodeResources(struct: GoStruct): { nanoCpus: number; memoryBytes: number } {
  return { nanoCpus: struct.integer("NanoCPUs", "int64") ?? 0, memoryBytes: struct.integer("MemoryBytes", "int64") ?? 0 };
}

/** An `UpdateConfig` struct, or null when absent. */
function decodeUpdateConfig(struct: GoStruct): DecodedUpdateConfig | null {
  if (struct.object === null) return null;
  return {
    parallelism: struct.integer("Parallelism", "uint64") ?? 0,
    delayNanoseconds: struct.integer("Delay", "time.Duration") ?? 0,
    failureAction: struct.string("FailureAction", "swarm.FailureAction") ?? "",
    monitorNanoseconds: struct.integer("Monitor", "time.Duration") ?? 0,
    maxFailureRatio: struct.float32("MaxFailureRatio") ?? 0,
    order: struct.string("Order", "swarm.UpdateOrder") ?? "",
  };
}

/** Decodes the body as Go decodes it into moby's `serviceWithLegacy`. */
function decodeBody(decoder: GoJsonDecoder, json: unknown): DecodedBody {
  const body = decoder.root(json, "serviceWithLegacy", "swarm.serviceWithLegacy");
  const name = body.string("Name") ?? "";
  const labels = body.stringMap("Labels") ?? {};

  const template = body.struct("TaskTemplate", "TaskSpec");
  const containerStruct = template.struct("ContainerSpec", "ContainerSpec");
  const init = containerStruct.boolean("Init");
  const container: TaskSpec["container"] = {
    ...(init === null ? {} : { init }),
    image: containerStruct.string("Image") ?? "",
    labels: containerStruct.stringMap("Labels") ?? {},
    command: containerStruct.stringList("Command"),
    args: containerStruct.stringList("Args"),
    env: containerStruct.stringList("Env") ?? [],
    stopGracePeriodMs: ((nanoseconds) => (nanoseconds === null ? null : durationMs(nanoseconds)))(containerStruct.integer("StopGracePeriod", "time.Duration")),
  };
  const hasDnsConfig = containerStruct.has("DNSConfig");
  const hasPluginSpec = template.has("PluginSpec");
  const resourcesStruct = template.struct("Resources", "ResourceRequirements");
  const resources: TaskSpec["resources"] = {
    limits: decodeResources(resourcesStruct.struct("Limits", "Limit")),
    reservations: decodeResources(resourcesStruct.struct("Reservations", "Resources")),
  };
  const restartStruct = template.struct("RestartPolicy", "RestartPolicy");
  const restart =
    restartStruct.object === null
      ? null
      : {
          condition: restartStruct.string("Condition", "swarm.RestartPolicyCondition") ?? "",
          delayNanoseconds: restartStruct.integer("Delay", "time.Duration"),
          maxAttempts: restartStruct.integer("MaxAttempts", "uint64") ?? 0,
          windowNanoseconds: restartStruct.integer("Window", "time.Duration"),
        };
  const placementStruct = template.struct("Placement", "Placement");
  const preferences: PlacementPreference[] = [];
  for (const preference of placementStruct.structList("Preferences", "PlacementPreference") ?? []) {
    const spread = preference.struct("Spread", "SpreadOver");
    if (spread.object !== null) preferences.push({ spreadDescriptor: spread.string("SpreadDescriptor") ?? "" });
  }
  const placement: TaskSpec["placement"] = {
    constraints: placementStruct.stringList("Constraints") ?? [],
    preferences,
    maxReplicas: placementStruct.integer("MaxReplicas", "uint64") ?? 0,
    platforms: (placementStruct.structList("Platforms", "Platform") ?? []).map((platform) => ({
      architecture: platform.string("Architecture") ?? "",
      os: platform.string("OS") ?? "",
    })),
  };
  const networks = (template.structList("Networks", "NetworkAttachmentConfig") ?? []).map((network) => ({
    target: network.string("Target") ?? "",
    aliases: network.stringList("Aliases") ?? [],
  }));
  const forceUpdate = template.integer("ForceUpdate", "uint64") ?? 0;
  const runtime = template.string("Runtime", "swarm.RuntimeType") ?? "";

  const mode = body.struct("Mode", "ServiceMode");
  const replicated = mode.struct("Replicated", "ReplicatedService");
  const modes = {
    replicated: replicated.object !== null,
    replicas: replicated.integer("Replicas", "uint64"),
    global: mode.has("Global"),
    replicatedJob: mode.has("ReplicatedJob"),
    globalJob: mode.has("GlobalJob"),
  };
  const update = decodeUpdateConfig(body.struct("UpdateConfig", "UpdateConfig"));
  const rollback = decodeUpdateConfig(body.struct("RollbackConfig", "UpdateConfig"));
  const endpointStruct = body.struct("EndpointSpec", "EndpointSpec");
  const endpoint =
    endpointStruct.object === null
      ? null
      : {
          mode: endpointStruct.string("Mode", "swarm.ResolutionMode") ?? "",
          ports: (endpointStruct.structList("Ports", "PortConfig") ?? []).map((port) => ({
            name: port.string("Name") ?? "",
            protocol: port.string("Protocol", "network.IPProtocol") ?? "",
            targetPort: port.integer("TargetPort", "uint32") ?? 0,
            publishedPort: port.integer("PublishedPort", "uint32") ?? 0,
            publishMode: port.string("PublishMode", "swarm.PortConfigPublishMode") ?? "",
          })),
        };
  return {
    name,
    labels,
    runtime,
    hasContainerSpec: containerStruct.object !== null,
    hasDnsConfig,
    hasPluginSpec,
    container,
    resources,
    restart,
    placement,
    networks,
    forceUpdate,
    modes,
    update,
    rollback,
    endpoint,
  };
}

/** moby's `updateConfigToGRPC` with swarmkit's defaults for what it leaves unset; a string is moby's error. */
function convertUpdateConfig(config: DecodedUpdateConfig | null): UpdateConfigSpec | string {
  if (config === null) return defaultUpdateConfig;
  const failureActions = ["pause", "continue", "rollback"] as const;
  const failureAction = config.failureAction === "" ? "pause" : failureActions.find((action) => action === config.failureAction);
  if (failureAction === undefined) return `unrecognized update failure action ${config.failureAction}`;
  const orders = ["stop-first", "start-first"] as const;
  const order = config.order === "" ? "stop-first" : orders.find((candidate) => candidate === config.order);
  if (order === undefined) return `unrecognized update order ${config.order}`;
  return {
    parallelism: config.parallelism,
    delayMs: durationMs(config.delayNanoseconds),
    failureAction,
    // A zero Monitor is not sent to swarmkit, which then uses its default.
    monitorMs: config.monitorNanoseconds === 0 ? swarmDefaults.updateMonitorMs : durationMs(config.monitorNanoseconds),
    maxFailureRatio: config.maxFailureRatio,
    order,
  };
}

/** swarmkit's enum lookup of an upper-cased name, falling back to the zero value (the first). */
function enumOrFirst<T extends string>(values: readonly T[], text: string): T {
  return values.find((value) => value.toUpperCase() === text.toUpperCase()) ?? values[0]!;
}

/** swarmkit's `validateResources`. */
function resourcesError(resources: { readonly nanoCpus: number; readonly memoryBytes: number }): Refusal | null {
  if (resources.nanoCpus !== 0 && resources.nanoCpus < 1e6) {
    return grpcFailure("InvalidArgument", `invalid cpu value ${goFormatFloat(resources.nanoCpus / 1e9)}: Must be at least ${goFormatFloat(1e6 / 1e9)}`);
  }
  if (resources.memoryBytes !== 0 && resources.memoryBytes < 4 * 1024 * 1024) {
    return grpcFailure("InvalidArgument", `invalid memory value ${resources.memoryBytes}: Must be at least 4MiB`);
  }
  return null;
}

/** swarmkit's `validateImage`. */
function imageError(image: string): Refusal | null {
  if (image === "") return grpcFailure("InvalidArgument", "ContainerSpec: image reference must be provided");
  try {
    parseReference(image);
  } catch {
    return grpcFailure("InvalidArgument", `ContainerSpec: ${goQuote(image)} is not a valid repository/tag`);
  }
  return null;
}

/** swarmkit's `validateEndpointSpec`. */
function endpointError(endpoint: ServiceSpec["endpoint"]): Refusal | null {
  const seen = new Set<string>();
  for (const port of endpoint.ports) {
    if (endpoint.mode === "dnsrr" && port.publishMode === "ingress") {
      return grpcFailure("InvalidArgument", "EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
    }
    if (port.publishedPort === 0) continue;
    const key = `${port.publishedPort}/${port.protocol}`;
    if (seen.has(key)) return grpcFailure("InvalidArgument", "EndpointSpec: duplicate published ports provided");
    seen.add(key);
  }
  return null;
}

/**
 * Reads a service create or update body into a ServiceSpec (see the file comment for the checks
 * and defaults). `existing` is the current spec for an update, null for a create.
 */
export function serviceSpecFromApi(json: unknown, existing: ServiceSpec | null): SpecResult<ServiceSpec> {
  const decoder = new GoJsonDecoder();
  const body = decodeBody(decoder, json);
  if (decoder.firstError !== null) return failure(400, `invalid JSON: ${decoder.firstError}`);

  // moby's convert.ServiceSpecToGRPC (errors wrapped as InvalidParameter: 400, plain text).
  const plain = (message: string): Refusal => failure(400, message);
  if (body.runtime === "container" || body.runtime === "") {
    if (!body.hasContainerSpec) return plain("mismatched Runtime and *Spec fields");
  } else if (body.runtime === "plugin") {
    if (!body.hasPluginSpec) return plain("mismatched Runtime and *Spec fields");
    if (body.modes.replicated) return plain("plugins must not use replicated mode");
  } else {
    return plain("unsupported runtime");
  }
  let restartPolicy = defaultRestartPolicy;
  if (body.restart !== null) {
    const conditions = ["none", "on-failure", "any"] as const;
    const condition = body.restart.condition === "" ? "any" : conditions.find((candidate) => candidate === body.restart!.condition);
    if (condition === undefined) return plain(`invalid RestartCondition: ${goQuote(body.restart.condition)}`);
    restartPolicy = {
      condition,
      delayMs: body.restart.delayNanoseconds === null ? swarmDefaults.restartDelayMs : durationMs(body.restart.delayNanoseconds),
      maxAttempts: body.restart.maxAttempts,
      windowMs: body.restart.windowNanoseconds === null ? 0 : durationMs(body.restart.windowNanoseconds),
    };
  }
  const update = convertUpdateConfig(body.update);
  if (typeof update === "string") return plain(update);
  const rollback = convertUpdateConfig(body.rollback);
  if (typeof rollback === "string") return plain(rollback);
  let endpoint: ServiceSpec["endpoint"] = { mode: "vip", ports: [] };
  if (body.endpoint !== null) {
    const endpointMode = body.endpoint.mode === "" ? "vip" : (["vip", "dnsrr"] as const).find((candidate) => candidate === body.endpoint!.mode);
    if (endpointMode === undefined) return plain(`invalid resolution mode: ${goQuote(body.endpoint.mode)}`);
    const ports: PortConfig[] = body.endpoint.ports.map((port) => ({
      name: port.name,
      protocol: enumOrFirst(["tcp", "udp", "sctp"] as const, port.protocol),
      targetPort: port.targetPort,
      publishedPort: port.publishedPort,
      publishMode: enumOrFirst(["ingress", "host"] as const, port.publishMode),
    }));
    endpoint = { mode: endpointMode, ports };
  }
  const modeCount = [body.modes.global, body.modes.replicated, body.modes.replicatedJob, body.modes.globalJob].filter(Boolean).length;
  if (modeCount > 1) return plain("must specify only one service mode");
  if (body.runtime === "plugin") return failure(500, 'runtime type "plugin" only supported in experimental');
  if (body.modes.replicatedJob || body.modes.globalJob) {
    return failure(501, "swarmsim does not simulate job-mode services (ReplicatedJob, GlobalJob)");
  }
  const mode: ServiceSpec["mode"] = body.modes.global ? { kind: "global" } : { kind: "replicated", replicas: body.modes.replicas ?? 1 };

  // swarmkit's controlapi.validateServiceSpec.
  if (body.name !== "") {
    if (!/^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/.test(body.name)) return grpcFailure("InvalidArgument", "name must be valid as a DNS name component");
    if (body.name.length > 63) return grpcFailure("InvalidArgument", "name must be 63 characters or fewer");
  }
  const resourceRefusal = resourcesError(body.resources.limits) ?? resourcesError(body.resources.reservations);
  if (resourceRefusal !== null) return resourceRefusal;
  if (restartPolicy.delayMs < 0) return grpcFailure("InvalidArgument", "TaskSpec: restart-delay cannot be negative");
  if (restartPolicy.windowMs < 0) return grpcFailure("InvalidArgument", "TaskSpec: restart-window cannot be negative");
  const constraintError = validateConstraints(body.placement.constraints);
  if (constraintError !== null) return grpcFailure("Unknown", constraintError);
  const imageRefusal = imageError(body.container.image);
  if (imageRefusal !== null) return imageRefusal;
  if (update.delayMs < 0) return grpcFailure("InvalidArgument", "TaskSpec: update-delay cannot be negative");
  if (update.monitorMs < 0) return grpcFailure("InvalidArgument", "TaskSpec: update-monitor cannot be negative");
  if (update.maxFailureRatio < 0 || update.maxFailureRatio > 1) {
    return grpcFailure("InvalidArgument", "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1");
  }
  const endpointRefusal = endpointError(endpoint);
  if (endpointRefusal !== null) return endpointRefusal;

  // swarmkit's UpdateService: the mode's kind and the name cannot change (an empty name gets a
  // random one from moby, so it is a rename too).
  if (existing !== null) {
    if (existing.mode.kind !== mode.kind) return grpcFailure("Unimplemented", "service mode change is not allowed");
    if (existing.name !== body.name) return grpcFailure("Unimplemented", "renaming services is not supported");
  }

  const taskOmissions: TaskSpecOmission[] = [...(body.restart === null ? (["restartPolicy"] as const) : []), ...(body.hasDnsConfig ? [] : (["dnsConfig"] as const))];
  const serviceOmissions = [...(body.update === null ? (["update"] as const) : []), ...(body.rollback === null ? (["rollback"] as const) : [])];
  const spec: ServiceSpec = {
    name: body.name,
    labels: body.labels,
    task: {
      container: body.container,
      resources: body.resources,
      restartPolicy,
      placement: body.placement,
      forceUpdate: body.forceUpdate,
      // Absent rather than empty, so that a spec without networks compares as it always did.
      ...(body.networks.length > 0 ? { networks: body.networks } : {}),
      ...(taskOmissions.length > 0 ? { omitted: taskOmissions } : {}),
    },
    mode,
    update,
    rollback,
    endpoint,
    ...(serviceOmissions.length > 0 ? { omitted: serviceOmissions } : {}),
  };
  return { ok: true, value: spec, warnings: [] };
}
