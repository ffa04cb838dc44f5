// Request bodies read back into specs: round trips, swarmkit's defaults, and each refusal with
// the daemon's exact text and HTTP status.
import { describe, expect, it } from "vitest";
import { nodeSpecFromApi, nodeToApi, serviceSpecFromApi, serviceToApi, type SpecResult } from "../../../src/swarm/api/index.js";
import type { ServiceSpec } from "../../../src/swarm/types.js";
import { context, fullSpec, node, service, spec } from "./fixtures.js";

function value<T>(result: SpecResult<T>): T {
  if (!result.ok) throw new Error(`refused (${result.statusCode}): ${result.message}`);
  return result.value;
}

function refusal<T>(result: SpecResult<T>): { statusCode: number; message: string } {
  if (result.ok) throw new Error("accepted");
  return { statusCode: result.statusCode, message: result.message };
}

/** The Spec JSON of a service with `spec`. */
function specJson(serviceSpec: ServiceSpec): Record<string, unknown> {
  return serviceToApi(service({ spec: serviceSpec }), context()).Spec as Record<string, unknown>;
}

/** A minimal create body, with `extra` merged into it and its task template. */
function body(extra: Record<string, unknown> = {}, template: Record<string, unknown> = {}): Record<string, unknown> {
  return { Name: "web", TaskTemplate: { ContainerSpec: { Image: "nginx" }, ...template }, ...extra };
}

describe("serviceSpecFromApi round trip", () => {
  it.each([
    ["a default spec", spec()],
    ["a spec using every field", fullSpec()],
    ["a global dnsrr spec", spec({ mode: { kind: "global" }, endpoint: { mode: "dnsrr", ports: [{ name: "", protocol: "sctp", targetPort: 9, publishedPort: 9, publishMode: "host" }] } })],
  ])("reproduces %s", (_, original) => {
    const result = serviceSpecFromApi(JSON.parse(JSON.stringify(specJson(original))), null);
    expect(value(result)).toEqual(original);
    expect(result.ok && result.warnings).toEqual([]);
  });

  it("accepts an update that keeps the name and mode", () => {
    const updated = fullSpec();
    expect(value(serviceSpecFromApi(specJson(updated), spec({ name: "api", mode: { kind: "replicated", replicas: 1 } })))).toEqual(updated);
  });
});

describe("serviceSpecFromApi defaults", () => {
  it("applies swarmkit's defaults to a minimal body", () => {
    // What the body left out is remembered: swarmkit stores it as nil (the API shows it only with insertDefaults).
    expect(value(serviceSpecFromApi(body(), null))).toEqual(
      spec({ task: { ...spec().task, container: { ...spec().task.container, image: "nginx" }, omitted: ["restartPolicy", "dnsConfig"] }, omitted: ["update", "rollback"] }),
    );
  });

  it("defaults the fields left out of present structs", () => {
    const result = value(
      serviceSpecFromApi(
        body(
          { Mode: { Replicated: {} }, UpdateConfig: { Parallelism: 3 }, RollbackConfig: {}, EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }, { TargetPort: 81, Protocol: "UDP", PublishMode: "bogus" }] } },
          { RestartPolicy: { MaxAttempts: 2 } },
        ),
        null,
      ),
    );
    expect(result.mode).toEqual({ kind: "replicated", replicas: 1 });
    expect(result.task.restartPolicy).toEqual({ condition: "any", delayMs: 5_000, maxAttempts: 2, windowMs: 0 });
    expect(result.update).toEqual({ parallelism: 3, delayMs: 0, failureAction: "pause", monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" });
    expect(result.rollback).toEqual({ parallelism: 0, delayMs: 0, failureAction: "pause", monitorMs: 5_000, maxFailureRatio: 0, order: "stop-first" });
    expect(result.endpoint).toEqual({
      mode: "vip",
      ports: [
        { name: "", protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "ingress" },
        { name: "", protocol: "udp", targetPort: 81, publishedPort: 0, publishMode: "ingress" },
      ],
    });
  });

  it("matches field names case-insensitively, as Go does", () => {
    const result = value(serviceSpecFromApi({ name: "web", taskTemplate: { containerSpec: { image: "redis:7" } }, mode: { global: {} } }, null));
    expect(result.task.container.image).toBe("redis:7");
    expect(result.mode).toEqual({ kind: "global" });
  });

  it("keeps an empty name on create for the caller to fill", () => {
    expect(value(serviceSpecFromApi(body({ Name: "" }), null)).name).toBe("");
  });
});

describe("serviceSpecFromApi refusals", () => {
  const invalid = (description: string) => ({ statusCode: 400, message: `rpc error: code = InvalidArgument desc = ${description}` });

  it.each<[string, unknown, { statusCode: number; message: string }]>([
    ["a missing image", body({}, { ContainerSpec: { Image: "" } }), invalid("ContainerSpec: image reference must be provided")],
    ["an invalid image", body({}, { ContainerSpec: { Image: "Nginx:latest" } }), invalid('ContainerSpec: "Nginx:latest" is not a valid repository/tag')],
    ["an invalid name", body({ Name: "web app" }), invalid("name must be valid as a DNS name component")],
    ["a name with a trailing dash", body({ Name: "web-" }), invalid("name must be valid as a DNS name component")],
    ["a long name", body({ Name: "a".repeat(64) }), invalid("name must be 63 characters or fewer")],
    ["too little CPU", body({}, { Resources: { Limits: { NanoCPUs: 100 } } }), invalid("invalid cpu value 1e-07: Must be at least 0.001")],
    ["too little memory", body({}, { Resources: { Reservations: { MemoryBytes: 1024 } } }), invalid("invalid memory value 1024: Must be at least 4MiB")],
    ["a negative restart delay", body({}, { RestartPolicy: { Delay: -1 } }), invalid("TaskSpec: restart-delay cannot be negative")],
    ["a negative restart window", body({}, { RestartPolicy: { Window: -5 } }), invalid("TaskSpec: restart-window cannot be negative")],
    ["a negative update delay", body({ UpdateConfig: { Delay: -1 } }), invalid("TaskSpec: update-delay cannot be negative")],
    ["a negative update monitor", body({ UpdateConfig: { Monitor: -1 } }), invalid("TaskSpec: update-monitor cannot be negative")],
    ["a failure ratio above 1", body({ UpdateConfig: { MaxFailureRatio: 1.5 } }), invalid("TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1")],
    [
      "duplicate published ports",
      body({ EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }, { TargetPort: 81, PublishedPort: 8080, Protocol: "tcp" }] } }),
      invalid("EndpointSpec: duplicate published ports provided"),
    ],
    [
      "an ingress port with dnsrr",
      body({ EndpointSpec: { Mode: "dnsrr", Ports: [{ TargetPort: 80 }] } }),
      invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode"),
    ],
    ["a constraint without operator", body({}, { Placement: { Constraints: ["node.role"] } }), { statusCode: 500, message: "rpc error: code = Unknown desc = constraint expected one operator from ==, !=" }],
    ["a constraint with a bad key", body({}, { Placement: { Constraints: ["no de==x"] } }), { statusCode: 500, message: "rpc error: code = Unknown desc = key 'no de' is invalid" }],
    ["a bad restart condition", body({}, { RestartPolicy: { Condition: "always" } }), { statusCode: 400, message: 'invalid RestartCondition: "always"' }],
    ["a bad failure action", body({ UpdateConfig: { FailureAction: "stop" } }), { statusCode: 400, message: "unrecognized update failure action stop" }],
    ["a bad update order", body({ RollbackConfig: { Order: "random" } }), { statusCode: 400, message: "unrecognized update order random" }],
    ["a bad endpoint mode", body({ EndpointSpec: { Mode: "rr" } }), { statusCode: 400, message: 'invalid resolution mode: "rr"' }],
    ["two modes", body({ Mode: { Replicated: { Replicas: 2 }, Global: {} } }), { statusCode: 400, message: "must specify only one service mode" }],
    ["no ContainerSpec", { Name: "web", TaskTemplate: {} }, { statusCode: 400, message: "mismatched Runtime and *Spec fields" }],
    ["an unknown runtime", body({}, { Runtime: "attachment" }), { statusCode: 400, message: "unsupported runtime" }],
    [
      "negative replicas",
      body({ Mode: { Replicated: { Replicas: -1 } } }),
      { statusCode: 400, message: "invalid JSON: json: cannot unmarshal number -1 into Go struct field ReplicatedService.Mode.Replicated.Replicas of type uint64" },
    ],
    [
      "a string where a number goes",
      body({ UpdateConfig: { Parallelism: "2" } }),
      { statusCode: 400, message: "invalid JSON: json: cannot unmarshal string into Go struct field UpdateConfig.UpdateConfig.Parallelism of type uint64" },
    ],
    ["a body that is not an object", [1], { statusCode: 400, message: "invalid JSON: json: cannot unmarshal array into Go value of type swarm.serviceWithLegacy" }],
  ])("refuses %s", (_, json, expected) => {
    expect(refusal(serviceSpecFromApi(json, null))).toEqual(expected);
  });

  it("checks in the daemon's order: moby's conversion, then the name, then the task", () => {
    expect(refusal(serviceSpecFromApi(body({ Name: "bad name", EndpointSpec: { Mode: "x" } }, { ContainerSpec: { Image: "" } }), null)).message).toBe('invalid resolution mode: "x"');
    expect(refusal(serviceSpecFromApi(body({ Name: "bad name" }, { ContainerSpec: { Image: "" } }), null)).message).toContain("DNS name component");
  });

  it("refuses a mode change or a rename on update", () => {
    expect(refusal(serviceSpecFromApi(body({ Mode: { Global: {} } }), spec()))).toEqual({
      statusCode: 501,
      message: "rpc error: code = Unimplemented desc = service mode change is not allowed",
    });
    expect(refusal(serviceSpecFromApi(body({ Name: "web2" }), spec()))).toEqual({
      statusCode: 501,
      message: "rpc error: code = Unimplemented desc = renaming services is not supported",
    });
    expect(refusal(serviceSpecFromApi(body({ Name: "" }), spec())).message).toBe("rpc error: code = Unimplemented desc = renaming services is not supported");
  });
});

describe("nodeSpecFromApi", () => {
  it("reads the whole spec, matching role and availability case-insensitively", () => {
    expect(value(nodeSpecFromApi({ Name: "n1", Labels: { zone: "b" }, Role: "Manager", Availability: "DRAIN" }, node()))).toEqual({
      name: "n1",
      labels: { zone: "b" },
      desiredRole: "manager",
      availability: "drain",
    });
  });

  it("round-trips a node's Spec", () => {
    const original = node();
    expect(value(nodeSpecFromApi(nodeToApi(original, context()).Spec, original))).toEqual(original.spec);
  });

  it.each<[string, unknown, string]>([
    ["a bad role", { Role: "leader", Availability: "active" }, 'invalid Role: "leader"'],
    ["a missing role", { Availability: "active" }, 'invalid Role: ""'],
    ["a bad availability", { Role: "worker", Availability: "paused" }, 'invalid Availability: "paused"'],
    ["a wrong type", { Role: 1, Availability: "active" }, "invalid JSON: json: cannot unmarshal number into Go struct field NodeSpec.Role of type swarm.NodeRole"],
  ])("refuses %s with 400", (_, json, message) => {
    expect(refusal(nodeSpecFromApi(json, node()))).toEqual({ statusCode: 400, message });
  });
});
