// Validates JSON produced by swarmsim's simulated Engine API against the real Docker
// Engine API definitions (test/fixtures/engine-api/swagger.yaml, Swagger 2.0, API
// v1.56, copied from moby/moby's api/swagger.yaml).
//
// Swagger 2.0 schemas are close to JSON Schema but not equal to it, so the file is
// converted once, on first use, into plain draft-07 JSON Schema for Ajv:
//  - `x-nullable: true` allows null; vendor keys (`x-go-name`, `x-go-type`,
//    `x-omitempty`, ...), `example`, `description` and `title` are dropped;
//  - `format: dateTime` (non-standard) and `date-time` must be RFC 3339 strings;
//    `int64`, `uint64`, `uint32`, ... must be integers in the format's range;
//    `ip-address` and `CIDR` are checked; `uri`, `binary`, `json` are not checked;
//  - `$ref: "#/definitions/X"` resolves inside the same document; `allOf` of
//    object schemas (HostConfig = Resources + own fields, Swarm = ClusterInfo +
//    JoinTokens, ...) is merged into one object so strict mode can work;
//  - in strict mode (the default) an object schema that lists `properties` and says
//    nothing about `additionalProperties` gets `additionalProperties: false`, so a
//    misspelled field name is an error instead of passing silently.
//
// Go's encoding/json writes a nil slice or map as `null`, and the engine's types have
// many such fields without `omitempty` (`HostConfig.Binds`, `Config.Entrypoint`,
// `EndpointSettings.Aliases`, ...) that the file does not mark `x-nullable`. By
// default arrays and maps therefore also accept null (`nilCollections: false` turns
// that off). Every other difference between the file and what a real engine sends is
// listed, with its reason, in ENGINE_API_KNOWN_GAPS below and patched into the
// definitions before conversion.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse as parseYaml } from "yaml";

/** Path of the Swagger 2.0 definition of the Engine API that values are checked against. */
export const ENGINE_API_SWAGGER_PATH = fileURLToPath(
  new URL("../fixtures/engine-api/swagger.yaml", import.meta.url),
);

/** Options of {@link validateEngineApi} and {@link validateEngineApiResponse}. */
export interface EngineApiValidationOptions {
  /**
   * Reject properties that the definitions do not describe (default `true`): object
   * schemas that list `properties` and do not declare `additionalProperties` get
   * `additionalProperties: false`. Fields the real engine is known to send although
   * the file omits them are allowed through {@link ENGINE_API_KNOWN_GAPS}.
   */
  readonly strict?: boolean;
  /**
   * Accept `null` for any array, and for any object that has no `properties` (a Go
   * map), as Go's encoding/json writes nil slices and maps as `null` (default
   * `true`). The value at the top level is never allowed to be null this way.
   */
  readonly nilCollections?: boolean;
}

/**
 * One known difference between swagger.yaml and what a real Docker engine sends,
 * applied to the definitions before they are converted.
 */
export interface EngineApiKnownGap {
  /** Name of the definition under `#/definitions` that the gap is in. */
  readonly definition: string;
  /**
   * Property names leading from the definition to the schema to change (searching
   * `properties` and inline `allOf` branches); empty for the definition itself.
   */
  readonly path: readonly string[];
  /** What to change in that schema. */
  readonly change:
    | { readonly kind: "addProperty"; readonly name: string; readonly schema: Readonly<Record<string, unknown>> }
    | { readonly kind: "addEnumValues"; readonly values: readonly string[] }
    | { readonly kind: "removeEnumValues"; readonly values: readonly string[] }
    | { readonly kind: "nullable" }
    | { readonly kind: "replace"; readonly schema: Readonly<Record<string, unknown>> };
  /** Why: the engine behaviour (and the Go type behind it) that the file misses. */
  readonly reason: string;
}

// swarm.Driver, swarm.IPAMOptions and swarm.Network (moby api/types/swarm/network.go),
// which swagger.yaml does not define; used by ENGINE_API_KNOWN_GAPS.
const SWARM_DRIVER = {
  type: "object",
  properties: { Name: { type: "string" }, Options: { type: "object", additionalProperties: { type: "string" } } },
};
const SWARM_IPAM_OPTIONS = {
  type: "object",
  properties: {
    Driver: SWARM_DRIVER,
    Configs: {
      type: "array",
      items: {
        type: "object",
        properties: { Subnet: { type: "string" }, Range: { type: "string" }, Gateway: { type: "string" } },
      },
    },
  },
};
const SWARM_NETWORK = {
  type: "object",
  properties: {
    ID: { type: "string" },
    Version: { $ref: "#/definitions/ObjectVersion" },
    CreatedAt: { type: "string", format: "dateTime" },
    UpdatedAt: { type: "string", format: "dateTime" },
    Spec: {
      type: "object",
      properties: {
        Name: { type: "string" },
        Labels: { type: "object", "x-nullable": true, additionalProperties: { type: "string" } },
        DriverConfiguration: SWARM_DRIVER,
        IPv6Enabled: { type: "boolean" },
        Internal: { type: "boolean" },
        Attachable: { type: "boolean" },
        Ingress: { type: "boolean" },
        IPAMOptions: SWARM_IPAM_OPTIONS,
        ConfigFrom: { $ref: "#/definitions/ConfigReference" },
        Scope: { type: "string" },
      },
    },
    DriverState: SWARM_DRIVER,
    IPAMOptions: SWARM_IPAM_OPTIONS,
  },
};

/**
 * Every known difference between swagger.yaml (v1.56) and a real engine's JSON. This
 * is the one place to allow something the file does not describe; add an entry (with
 * its reason) rather than loosening a whole check.
 */
export const ENGINE_API_KNOWN_GAPS: readonly EngineApiKnownGap[] = [
  {
    definition: "Service",
    path: [],
    change: { kind: "addProperty", name: "PreviousSpec", schema: { $ref: "#/definitions/ServiceSpec" } },
    reason:
      "swarm.Service has `PreviousSpec *ServiceSpec` (omitempty): after an update the engine sends the " +
      "spec before it, which `docker service rollback` and `service inspect` use; the file omits it.",
  },
  {
    definition: "Task",
    path: [],
    change: {
      kind: "addProperty",
      name: "Volumes",
      schema: {
        type: "array",
        "x-nullable": true,
        items: {
          type: "object",
          properties: { ID: { type: "string" }, Source: { type: "string" }, Target: { type: "string" } },
        },
      },
    },
    reason:
      "swarm.Task has `Volumes []VolumeAttachment` without omitempty (cluster volumes), so the engine " +
      'sends `"Volumes": null` on every task; the file omits it.',
  },
  {
    definition: "Task",
    path: [],
    change: { kind: "addProperty", name: "GenericResources", schema: { $ref: "#/definitions/GenericResources" } },
    reason:
      "swarm.Task's generic resources are `GenericResources []GenericResource` (omitempty), so the engine " +
      "sends them as `GenericResources`; the file calls the field `AssignedGenericResources`.",
  },
  {
    definition: "NetworkAttachment",
    path: ["Network"],
    change: { kind: "replace", schema: SWARM_NETWORK },
    reason:
      "The file points NetworkAttachment.Network at the local `Network` definition (Name, Id, Created, ...), " +
      "but tasks carry a swarm.Network (ID, Version, CreatedAt, UpdatedAt, Spec, DriverState, IPAMOptions), " +
      "as the file's own Task example shows.",
  },
  {
    definition: "Service",
    path: ["UpdateStatus", "State"],
    change: { kind: "addEnumValues", values: ["rollback_started", "rollback_paused", "rollback_completed"] },
    reason: "swarm.UpdateState also has rollback_started, rollback_paused and rollback_completed, sent during and after a rollback.",
  },
  {
    definition: "TaskState",
    path: [],
    change: { kind: "removeEnumValues", values: ["allocated"] },
    reason: "swarmkit no longer has an ALLOCATED task state, so a real engine never reports `allocated`.",
  },
  {
    definition: "Resources",
    path: ["MemorySwappiness"],
    change: { kind: "nullable" },
    reason: 'container.Resources has `MemorySwappiness *int64` without omitempty: `docker inspect` shows `"MemorySwappiness": null` when unset.',
  },
  {
    definition: "Resources",
    path: ["OomKillDisable"],
    change: { kind: "nullable" },
    reason: 'container.Resources has `OomKillDisable *bool` without omitempty: `docker inspect` shows `"OomKillDisable": null` when unset.',
  },
];

type Raw = Record<string, unknown>;

interface Variant {
  readonly strict: boolean;
  readonly nilCollections: boolean;
}

interface Compiled {
  readonly ajv: Ajv;
  readonly validators: Map<string, ValidateFunction>;
}

const ROOT_ID = "engine-api";

let swaggerDocument: Raw | undefined;
const compiledByVariant = new Map<string, Compiled>();

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Loads and parses swagger.yaml once, then applies {@link ENGINE_API_KNOWN_GAPS}. */
function loadSwagger(): Raw {
  if (swaggerDocument === undefined) {
    const parsed: unknown = parseYaml(readFileSync(ENGINE_API_SWAGGER_PATH, "utf8"));
    if (!isRecord(parsed) || !isRecord(parsed.definitions) || !isRecord(parsed.paths)) {
      throw new Error(`${ENGINE_API_SWAGGER_PATH}: not a Swagger 2.0 document with definitions and paths`);
    }
    for (const gap of ENGINE_API_KNOWN_GAPS) applyGap(parsed.definitions, gap);
    swaggerDocument = parsed;
  }
  return swaggerDocument;
}

/** Finds property `name` of an object schema, in `properties` or in inline `allOf` branches. */
function findProperty(node: Raw, name: string): Raw | undefined {
  if (isRecord(node.properties) && isRecord(node.properties[name])) return node.properties[name];
  if (Array.isArray(node.allOf)) {
    for (const branch of node.allOf) {
      if (isRecord(branch)) {
        const found = findProperty(branch, name);
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}

function applyGap(definitions: Raw, gap: EngineApiKnownGap): void {
  const where = [gap.definition, ...gap.path].join(".");
  let node = definitions[gap.definition];
  for (const name of gap.path) node = isRecord(node) ? findProperty(node, name) : undefined;
  if (!isRecord(node)) throw new Error(`ENGINE_API_KNOWN_GAPS: ${where} is not in swagger.yaml`);
  const { change } = gap;
  switch (change.kind) {
    case "addProperty": {
      const properties = isRecord(node.properties) ? node.properties : (node.properties = {});
      if (change.name in properties) {
        throw new Error(`ENGINE_API_KNOWN_GAPS: ${where} already describes ${change.name}; drop the entry`);
      }
      properties[change.name] = structuredClone(change.schema);
      break;
    }
    case "addEnumValues":
    case "removeEnumValues": {
      if (!Array.isArray(node.enum)) throw new Error(`ENGINE_API_KNOWN_GAPS: ${where} has no enum`);
      const values: unknown[] = node.enum;
      node.enum =
        change.kind === "addEnumValues"
          ? [...values, ...change.values.filter((v) => !values.includes(v))]
          : values.filter((v) => typeof v !== "string" || !change.values.includes(v));
      break;
    }
    case "nullable":
      node["x-nullable"] = true;
      break;
    case "replace":
      for (const key of Object.keys(node)) delete node[key];
      Object.assign(node, structuredClone(change.schema));
      break;
  }
}

// Integer formats: Swagger's names for Go's integer types. JSON numbers beyond 2^53
// cannot be exact in JavaScript, so the 64-bit bounds are checked approximately.
const INTEGER_FORMATS: Readonly<Record<string, readonly [number, number]>> = {
  int: [-(2 ** 63), 2 ** 63 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  uint64: [0, 2 ** 64 - 1],
  uint32: [0, 2 ** 32 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint8: [0, 2 ** 8 - 1],
};

// String formats that are not checked (free text or opaque to JSON validation).
const UNCHECKED_FORMATS = new Set(["uri", "binary", "json", "byte", "password"]);

function isCidr(value: string): boolean {
  const slash = value.lastIndexOf("/");
  if (slash < 0) return false;
  const version = isIP(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  return version !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

/** Maps a Swagger `format` to the Ajv format to check, or undefined for none. */
function convertFormat(format: string): string | undefined {
  if (format === "dateTime" || format === "date-time") return "date-time";
  if (format in INTEGER_FORMATS) return format;
  if (format === "ip-address") return "ip-address";
  if (format.toLowerCase() === "cidr") return "cidr";
  if (UNCHECKED_FORMATS.has(format)) return undefined;
  throw new Error(`swagger.yaml: unknown format "${format}"; teach engine-api-schema.ts about it`);
}

const COPIED_KEYWORDS = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
] as const;

/** Converts Swagger 2.0 schemas to draft-07 JSON Schema for one option variant. */
class Converter {
  constructor(
    private readonly definitions: Raw,
    private readonly variant: Variant,
  ) {}

  /** The raw definition a local `$ref` points at. */
  private resolve(ref: string): Raw {
    const prefix = "#/definitions/";
    const target = ref.startsWith(prefix) ? this.definitions[ref.slice(prefix.length)] : undefined;
    if (!isRecord(target)) throw new Error(`swagger.yaml: unresolvable $ref ${ref}`);
    return target;
  }

  private refTo(ref: string): SchemaObject {
    if (!ref.startsWith("#/definitions/")) throw new Error(`swagger.yaml: unsupported $ref ${ref}`);
    return { $ref: `${ROOT_ID}${ref}` };
  }

  /** Merges `allOf` branches that are all object schemas into one object schema. */
  private mergeAllOf(node: Raw): Raw | undefined {
    if (!Array.isArray(node.allOf)) return undefined;
    const { allOf, ...own } = node;
    const parts: Raw[] = [own];
    for (const branch of allOf) {
      if (!isRecord(branch)) return undefined;
      parts.push(typeof branch.$ref === "string" ? (this.mergeAllOf(this.resolve(branch.$ref)) ?? this.resolve(branch.$ref)) : branch);
    }
    const isObject = (p: Raw): boolean => p.type === "object" || isRecord(p.properties);
    const branches = parts.slice(1);
    if (!branches.every(isObject)) return undefined;
    const merged: Raw = { type: "object", properties: {} };
    const required = new Set<string>();
    for (const part of parts) {
      if (isRecord(part.properties)) Object.assign(merged.properties as Raw, part.properties);
      if (Array.isArray(part.required)) for (const r of part.required) if (typeof r === "string") required.add(r);
      if (part.additionalProperties !== undefined) merged.additionalProperties = part.additionalProperties;
    }
    if (own["x-nullable"] === true) merged["x-nullable"] = true;
    if (required.size > 0) merged.required = [...required];
    return merged;
  }

  /** Converts one Swagger schema node. `root` marks a value at the top of a document. */
  convert(input: unknown, root = false): SchemaObject {
    if (!isRecord(input)) return {};
    const node = this.mergeAllOf(input) ?? input;
    const nullable = node["x-nullable"] === true;

    if (typeof node.$ref === "string") {
      const ref = this.refTo(node.$ref);
      // `if null then nothing else $ref` rather than anyOf: keeps error lists short.
      return nullable ? { if: { type: "null" }, else: ref } : ref;
    }

    const out: SchemaObject = {};
    const type = typeof node.type === "string" && node.type !== "file" ? node.type : undefined;
    const isMap = type === "object" && !isRecord(node.properties);
    const allowNull =
      nullable || (!root && this.variant.nilCollections && (type === "array" || isMap));
    if (type !== undefined) out.type = allowNull ? [type, "null"] : type;

    if (typeof node.format === "string") {
      const format = convertFormat(node.format);
      if (format !== undefined) out.format = format;
    }
    if (Array.isArray(node.enum)) out.enum = allowNull && !node.enum.includes(null) ? [...node.enum, null] : [...node.enum];
    for (const keyword of COPIED_KEYWORDS) if (node[keyword] !== undefined) out[keyword] = node[keyword];

    if (node.items !== undefined) {
      out.items = Array.isArray(node.items) ? node.items.map((i) => this.convert(i)) : this.convert(node.items);
    }
    if (isRecord(node.properties)) {
      const properties: Record<string, SchemaObject> = {};
      for (const [name, schema] of Object.entries(node.properties)) properties[name] = this.convert(schema);
      out.properties = properties;
    }
    if (typeof node.additionalProperties === "boolean") out.additionalProperties = node.additionalProperties;
    else if (isRecord(node.additionalProperties)) out.additionalProperties = this.convert(node.additionalProperties);
    else if (this.variant.strict && isRecord(node.properties)) out.additionalProperties = false;
    if (Array.isArray(node.required)) {
      // The file sometimes requires a property it does not list (ImageManifestSummary's
      // ImageData requires "UnpackedSize"); such a name is dropped, as no value could
      // satisfy it in strict mode.
      const listed = isRecord(node.properties) ? node.properties : undefined;
      const required = node.required.filter((r): r is string => typeof r === "string" && (listed === undefined || r in listed));
      if (required.length > 0) out.required = required;
    }
    if (Array.isArray(node.allOf)) out.allOf = node.allOf.map((b) => this.convert(b));
    return out;
  }
}

function variantOf(options: EngineApiValidationOptions | undefined): Variant {
  return { strict: options?.strict ?? true, nilCollections: options?.nilCollections ?? true };
}

/** The Ajv instance (with all definitions registered, compiled on demand) for a variant. */
function compiledFor(variant: Variant): Compiled {
  const key = `${variant.strict}/${variant.nilCollections}`;
  let compiled = compiledByVariant.get(key);
  if (compiled === undefined) {
    const swagger = loadSwagger();
    const definitions = swagger.definitions as Raw;
    const converter = new Converter(definitions, variant);
    const converted: Record<string, SchemaObject> = {};
    for (const [name, schema] of Object.entries(definitions)) converted[name] = converter.convert(schema);

    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, allowUnionTypes: true });
    // ajv-formats is CommonJS: under NodeNext its `export default` is typed as the
    // module's `.default`, which the package also sets at run time.
    addFormatsModule.default(ajv, ["date-time"]);
    for (const [name, [min, max]] of Object.entries(INTEGER_FORMATS)) {
      ajv.addFormat(name, { type: "number", validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });
    }
    ajv.addFormat("ip-address", { type: "string", validate: (s: string) => s === "" || isIP(s) !== 0 });
    ajv.addFormat("cidr", { type: "string", validate: (s: string) => s === "" || isCidr(s) });
    ajv.addSchema({ $id: ROOT_ID, definitions: converted });
    compiled = { ajv, validators: new Map() };
    compiledByVariant.set(key, compiled);
  }
  return compiled;
}

/** Validator for a cache key, building its schema with `make` the first time. */
function validatorFor(variant: Variant, key: string, make: (converter: Converter) => SchemaObject): ValidateFunction {
  const compiled = compiledFor(variant);
  let validate = compiled.validators.get(key);
  if (validate === undefined) {
    const converter = new Converter(loadSwagger().definitions as Raw, variant);
    validate = compiled.ajv.compile(make(converter));
    compiled.validators.set(key, validate);
  }
  return validate;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function pathOf(label: string, instancePath: string, child?: string): string {
  const segments = instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) segments.push(child);
  return label + segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("");
}

/** Turns Ajv errors into one readable line each, naming the path of the bad value. */
function formatErrors(label: string, errors: readonly ErrorObject[]): string[] {
  const lines: string[] = [];
  for (const error of errors) {
    const got = `(got ${describe(error.data)})`;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case "if": // the "else" branch of a nullable $ref: its own errors are listed
        continue;
      case "additionalProperties":
        lines.push(`${pathOf(label, error.instancePath, String(params.additionalProperty))}: unknown property (not in the Engine API definition)`);
        continue;
      case "required":
        lines.push(`${pathOf(label, error.instancePath, String(params.missingProperty))}: required property is missing`);
        continue;
      case "enum":
        lines.push(`${pathOf(label, error.instancePath)}: must be one of ${(params.allowedValues as unknown[]).map(describe).join(", ")} ${got}`);
        continue;
      case "type":
        lines.push(`${pathOf(label, error.instancePath)}: must be ${String(params.type).replace(",", " or ")} ${got}`);
        continue;
      case "format":
        lines.push(`${pathOf(label, error.instancePath)}: must match format "${String(params.format)}" ${got}`);
        continue;
      default:
        lines.push(`${pathOf(label, error.instancePath)}: ${error.message ?? error.keyword} ${got}`);
    }
  }
  return [...new Set(lines)];
}

function run(label: string, validate: ValidateFunction, value: unknown, rootNullable: boolean): string[] {
  if (value === null && !rootNullable) return [`${label}: must not be null`];
  return validate(value) ? [] : formatErrors(label, validate.errors ?? []);
}

/**
 * Validates `value` against `#/definitions/<definitionName>` of the Engine API.
 *
 * @returns one readable line per problem, each starting with the path of the bad
 *   value (e.g. `ContainerSummary.Ports[0].Type: must be one of ...`); empty when valid.
 * @throws Error if the definition does not exist.
 */
export function validateEngineApi(
  definitionName: string,
  value: unknown,
  options?: EngineApiValidationOptions,
): string[] {
  const definition = (loadSwagger().definitions as Raw)[definitionName];
  if (!isRecord(definition)) throw new Error(`swagger.yaml has no definition "${definitionName}"`);
  const variant = variantOf(options);
  const validate = validatorFor(variant, `def:${definitionName}`, () => ({ $ref: `${ROOT_ID}#/definitions/${definitionName}` }));
  return run(definitionName, validate, value, definition["x-nullable"] === true);
}

/**
 * Validates `value` against the response schema that swagger.yaml gives for
 * `method path` answering `status`, e.g. `("GET", "/containers/json", 200, list)`.
 * The schema may be a `$ref` or an inline array/object schema. `path` is the path
 * template as written in the file (`/containers/{id}/json`), without the version.
 *
 * @returns readable errors as for {@link validateEngineApi}; empty when valid.
 * @throws Error if the operation or the response (or its schema) is not described.
 */
export function validateEngineApiResponse(
  method: string,
  path: string,
  status: number,
  value: unknown,
  options?: EngineApiValidationOptions,
): string[] {
  const label = `${method.toUpperCase()} ${path} ${status}`;
  const operation = (loadSwagger().paths as Raw)[path];
  const op = isRecord(operation) ? operation[method.toLowerCase()] : undefined;
  const response = isRecord(op) && isRecord(op.responses) ? op.responses[String(status)] : undefined;
  if (!isRecord(response)) throw new Error(`swagger.yaml describes no response ${label}`);
  if (!isRecord(response.schema)) throw new Error(`swagger.yaml gives no schema for ${label}`);
  const schema = response.schema;
  const variant = variantOf(options);
  const validate = validatorFor(variant, `response:${label}`, (converter) => converter.convert(schema, true));
  return run(label, validate, value, schema["x-nullable"] === true);
}

/**
 * Asserts that `value` is valid for `#/definitions/<definitionName>` (see
 * {@link validateEngineApi}); throws an Error listing every problem otherwise.
 * Works as a plain statement inside vitest tests.
 */
export function expectEngineApi(definitionName: string, value: unknown, options?: EngineApiValidationOptions): void {
  throwIfAny(`not a valid Engine API ${definitionName}`, validateEngineApi(definitionName, value, options));
}

/**
 * Asserts that `value` is a valid response body for `method path` answering
 * `status` (see {@link validateEngineApiResponse}); throws an Error listing every
 * problem otherwise.
 */
export function expectEngineApiResponse(
  method: string,
  path: string,
  status: number,
  value: unknown,
  options?: EngineApiValidationOptions,
): void {
  throwIfAny(
    `not a valid Engine API response for ${method.toUpperCase()} ${path} ${status}`,
    validateEngineApiResponse(method, path, status, value, options),
  );
}

function throwIfAny(title: string, errors: readonly string[]): void {
  if (errors.length > 0) throw new Error(`${title}:\n${errors.map((e) => `  - ${e}`).join("\n")}`);
}
