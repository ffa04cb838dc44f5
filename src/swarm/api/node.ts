/**
 * Nodes as the Engine API shows them (`GET /nodes`, `GET /nodes/{id}`; moby's
 * `convert.NodeFromGRPC`), and the body of `POST /nodes/{id}/update` read as moby's
 * `convert.NodeSpecToGRPC` reads it: Role and Availability are matched case-insensitively against
 * swarmkit's enum names, and anything else (a missing field included) is refused with 400
 * `invalid Role: "..."` / `invalid Availability: "..."`. The update replaces the whole spec:
 * absent Name and Labels become empty.
 */
import type { NodeAvailability, NodeRole, NodeSpec, SwarmNode } from "../types.js";
import { failure, goQuote, labelsToApi, metaToApi, type ApiContext, type ApiObject, type SpecResult } from "./common.js";
import { GoJsonDecoder } from "./go-json.js";
import { rootCaTlsInfo } from "../node/root-ca.js";

/**
 * The engine plugins a default Linux dockerd reports in `Description.Engine.Plugins`
 * (`docker node inspect`), in the order the engine lists them.
 */
export const defaultEnginePlugins: readonly { readonly Type: string; readonly Name: string }[] = [
  ...["awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "splunk", "syslog"].map((name) => ({ Type: "Log", Name: name })),
  ...["bridge", "host", "ipvlan", "macvlan", "null", "overlay"].map((name) => ({ Type: "Network", Name: name })),
  { Type: "Volume", Name: "local" },
];

/** The Engine API's Node for `node`. */
export function nodeToApi(node: SwarmNode, context: ApiContext): Record<string, unknown> {
  const spec: ApiObject = {};
  if (node.spec.name !== "") spec.Name = node.spec.name;
  spec.Labels = labelsToApi(node.spec.labels);
  spec.Role = node.spec.desiredRole;
  spec.Availability = node.spec.availability;

  const description = node.description;
  const platform: ApiObject = {};
  if (description.platform.architecture !== "") platform.Architecture = description.platform.architecture;
  if (description.platform.os !== "") platform.OS = description.platform.os;
  const resources: ApiObject = {};
  if (description.resources.nanoCpus !== 0) resources.NanoCPUs = description.resources.nanoCpus;
  if (description.resources.memoryBytes !== 0) resources.MemoryBytes = description.resources.memoryBytes;
  const engine: ApiObject = {};
  if (description.engine.engineVersion !== "") engine.EngineVersion = description.engine.engineVersion;
  if (Object.keys(description.engine.labels).length > 0) engine.Labels = labelsToApi(description.engine.labels);
  engine.Plugins = defaultEnginePlugins.map((plugin) => ({ ...plugin }));
  const descriptionJson: ApiObject = {};
  if (description.hostname !== "") descriptionJson.Hostname = description.hostname;
  descriptionJson.Platform = platform;
  descriptionJson.Resources = resources;
  descriptionJson.Engine = engine;
  const cluster = context.state.cluster;
  descriptionJson.TLSInfo = cluster === null ? {} : { ...rootCaTlsInfo(cluster.rootCaDigest, context.startTimeMs + cluster.createdAt) };

  const status: ApiObject = { State: node.status.state };
  if (node.status.message !== "") status.Message = node.status.message;
  if (node.status.address !== "") status.Addr = node.status.address;

  const json: ApiObject = { ...metaToApi(node, context), Spec: spec, Description: descriptionJson, Status: status };
  if (node.managerStatus !== null) {
    const managerStatus: ApiObject = {};
    if (node.managerStatus.leader) managerStatus.Leader = true;
    managerStatus.Reachability = node.managerStatus.reachability;
    if (node.managerStatus.address !== "") managerStatus.Addr = node.managerStatus.address;
    json.ManagerStatus = managerStatus;
  }
  return json;
}

const roles: readonly NodeRole[] = ["worker", "manager"];
const availabilities: readonly NodeAvailability[] = ["active", "pause", "drain"];

/**
 * Reads a `POST /nodes/{id}/update` body (a NodeSpec). `existing` is the node being updated; the
 * body replaces its spec entirely (the CLI sends the whole spec back), so it is not merged in.
 * Errors: 400 `invalid JSON: ...` for a body Go cannot decode into `swarm.NodeSpec`, 400
 * `invalid Role: "x"` and `invalid Availability: "x"` (moby's NodeSpecToGRPC).
 */
export function nodeSpecFromApi(json: unknown, existing: SwarmNode): SpecResult<NodeSpec> {
  void existing;
  const decoder = new GoJsonDecoder();
  const body = decoder.root(json, "NodeSpec", "swarm.NodeSpec");
  const name = body.string("Name") ?? "";
  const labels = body.stringMap("Labels") ?? {};
  const role = body.string("Role", "swarm.NodeRole") ?? "";
  const availability = body.string("Availability", "swarm.NodeAvailability") ?? "";
  if (decoder.firstError !== null) return failure(400, `invalid JSON: ${decoder.firstError}`);

  const desiredRole = roles.find((candidate) => candidate.toUpperCase() === role.toUpperCase());
  if (desiredRole === undefined) return failure(400, `invalid Role: ${goQuote(role)}`);
  const availabilityValue = availabilities.find((candidate) => candidate.toUpperCase() === availability.toUpperCase());
  if (availabilityValue === undefined) return failure(400, `invalid Availability: ${goQuote(availability)}`);
  return { ok: true, value: { name, labels, desiredRole, availability: availabilityValue }, warnings: [] };
}
