/**
 * Reading a request body the way moby's `httputils.ReadJSON` (Go's encoding/json) decodes it into
 * the API's Go structs: field names match case-insensitively, unknown fields and `null` are
 * ignored, and a value of the wrong JSON type is an error worded as Go words it (`json: cannot
 * unmarshal string into Go struct field UpdateConfig.UpdateConfig.Parallelism of type uint64`,
 * the innermost struct then the field path from the root), which the daemon answers with 400
 * and the prefix `invalid JSON: `. Only the first such error counts, as in Go.
 */

/** A decoded JSON object. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** The JSON kind of a value as Go's errors name it (`string`, `number`, `bool`, `array`, `object`). */
function jsonKind(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "array";
  return "object";
}

/** Whether `value` is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Collects the first decoding error, as Go's decoder keeps its first saved error. */
export class GoJsonDecoder {
  /** The first error's text (without the daemon's `invalid JSON: ` prefix), or null. */
  firstError: string | null = null;

  /** Records a type mismatch at a struct field unless an earlier one was recorded. */
  mismatch(valueText: string, structName: string, path: readonly string[], goType: string): void {
    this.firstError ??= `json: cannot unmarshal ${valueText} into Go struct field ${structName}.${path.join(".")} of type ${goType}`;
  }

  /**
   * The body as the root struct (`swarm.NodeSpec`, `swarm.serviceWithLegacy`): an object, or an
   * empty struct for `null`; any other value is a mismatch "into Go value of type ...".
   */
  root(body: unknown, structName: string, qualifiedType: string): GoStruct {
    if (body === null || body === undefined) return new GoStruct(this, null, structName, []);
    if (!isJsonObject(body)) {
      this.firstError ??= `json: cannot unmarshal ${jsonKind(body)} into Go value of type ${qualifiedType}`;
      return new GoStruct(this, null, structName, []);
    }
    return new GoStruct(this, body, structName, []);
  }
}

/** Go integer types by name, with their ranges. */
const integerRanges = {
  uint64: [0, 2 ** 64 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  int: [-(2 ** 63), 2 ** 63 - 1],
  "time.Duration": [-(2 ** 63), 2 ** 63 - 1],
} as const;

/** A Go integer type the decoder checks. */
export type GoIntegerType = keyof typeof integerRanges;

/** The largest finite float32. */
const float32Max = 3.4028234663852886e38;

/** One struct of the body being decoded: its fields by name, with the struct's Go type name and path. */
export class GoStruct {
  constructor(
    private readonly decoder: GoJsonDecoder,
    /** The JSON object, or null when the struct was absent or `null` (all fields zero). */
    readonly object: JsonObject | null,
    /** The Go type's name without package (`TaskSpec`), as errors name the innermost struct. */
    private readonly structName: string,
    /** Field names from the root to this struct. */
    private readonly path: readonly string[],
  ) {}

  /** The field's raw value (exact name first, then case-insensitively, as Go matches), or undefined. */
  raw(name: string): unknown {
    if (this.object === null) return undefined;
    if (Object.prototype.hasOwnProperty.call(this.object, name)) return this.object[name];
    const lower = name.toLowerCase();
    for (const key of Object.keys(this.object)) {
      if (key.toLowerCase() === lower) return this.object[key];
    }
    return undefined;
  }

  /** Whether the field is present and not `null` (a Go pointer that decodes to non-nil). */
  has(name: string): boolean {
    const value = this.raw(name);
    return value !== undefined && value !== null;
  }

  private mismatch(valueText: string, name: string, goType: string): void {
    this.decoder.mismatch(valueText, this.structName, [...this.path, name], goType);
  }

  /** A string field (`goType` names Go's named string type for errors, e.g. `swarm.NodeRole`); null when absent or wrong. */
  string(name: string, goType = "string"): string | null {
    const value = this.raw(name);
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") {
      this.mismatch(jsonKind(value), name, goType);
      return null;
    }
    return value;
  }

  /** A `bool` field; null when absent or wrong. */
  boolean(name: string): boolean | null {
    const value = this.raw(name);
    if (value === undefined || value === null) return null;
    if (typeof value !== "boolean") {
      this.mismatch(jsonKind(value), name, "bool");
      return null;
    }
    return value;
  }

  /** An integer field of a Go integer type; null when absent or wrong. */
  integer(name: string, goType: GoIntegerType): number | null {
    const value = this.raw(name);
    if (value === undefined || value === null) return null;
    if (typeof value !== "number") {
      this.mismatch(jsonKind(value), name, goType);
      return null;
    }
    const [minimum, maximum] = integerRanges[goType];
    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      this.mismatch(`number ${String(value)}`, name, goType);
      return null;
    }
    return value;
  }

  /** A float32 field (out of float32's range is a mismatch); null when absent or wrong. */
  float32(name: string): number | null {
    const value = this.raw(name);
    if (value === undefined || value === null) return null;
    if (typeof value !== "number") {
      this.mismatch(jsonKind(value), name, "float32");
      return null;
    }
    if (Math.abs(value) > float32Max) {
      this.mismatch(`number ${String(value)}`, name, "float32");
      return null;
    }
    // Go re-encodes the float32 with its shortest digits, so 0.1 reads back as 0.1: keep the value.
    return value;
  }

  /** A `[]string` field; null when absent or wrong (a wrong element leaves it out). */
  stringList(name: string): string[] | null {
    const value = this.raw(name);
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value)) {
      this.mismatch(jsonKind(value), name, "[]string");
      return null;
    }
    const items: string[] = [];
    for (const item of value) {
      if (item === null) items.push("");
      else if (typeof item === "string") items.push(item);
      else this.mismatch(jsonKind(item), name, "string");
    }
    return items;
  }

  /** A `map[string]string` field; null when absent or wrong. */
  stringMap(name: string): Record<string, string> | null {
    const value = this.raw(name);
    if (value === undefined || value === null) return null;
    if (!isJsonObject(value)) {
      this.mismatch(jsonKind(value), name, "map[string]string");
      return null;
    }
    const map: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null) map[key] = "";
      else if (typeof item === "string") map[key] = item;
      else this.mismatch(jsonKind(item), name, "string");
    }
    return map;
  }

  /** A nested struct field (`structName` is its Go type's name, `qualifiedType` as errors print it). */
  struct(name: string, structName: string, qualifiedType = `swarm.${structName}`): GoStruct {
    const value = this.raw(name);
    const path = [...this.path, name];
    if (value === undefined || value === null) return new GoStruct(this.decoder, null, structName, path);
    if (!isJsonObject(value)) {
      this.mismatch(jsonKind(value), name, qualifiedType);
      return new GoStruct(this.decoder, null, structName, path);
    }
    return new GoStruct(this.decoder, value, structName, path);
  }

  /** A slice-of-structs field; null when absent or wrong. */
  structList(name: string, structName: string, qualifiedType = `swarm.${structName}`): GoStruct[] | null {
    const value = this.raw(name);
    if (value === undefined || value === null) return null;
    const path = [...this.path, name];
    if (!Array.isArray(value)) {
      this.mismatch(jsonKind(value), name, `[]${qualifiedType}`);
      return null;
    }
    const items: GoStruct[] = [];
    for (const item of value) {
      if (item !== null && !isJsonObject(item)) this.mismatch(jsonKind(item), name, qualifiedType);
      else items.push(new GoStruct(this.decoder, item, structName, path));
    }
    return items;
  }
}
