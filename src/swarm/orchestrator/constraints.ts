/**
 * Placement constraints (`node.labels.zone==a`), as swarmkit's manager/constraint: parsing and
 * matching a node. Keys: node.id, node.hostname, node.ip (an address or an IPv4 CIDR),
 * node.role, node.platform.os, node.platform.arch, node.labels.<label>, engine.labels.<label>;
 * operators `==` and `!=`; values compared case-insensitively.
 */
import type { SwarmNode } from "../types.js";

/** One parsed constraint. */
export interface Constraint {
  readonly key: string;
  readonly operator: "==" | "!=";
  readonly value: string;
}

const keyPattern = /^[a-z_][a-z0-9\-_.]+$/i;
const valuePattern = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;
const nodeLabelPrefix = "node.labels.";
const engineLabelPrefix = "engine.labels.";

/** Parses constraint expressions; throws a `RangeError` naming the first invalid one. */
export function parseConstraints(expressions: readonly string[]): Constraint[] {
  return expressions.map((expression) => {
    // swarmkit tries "==" before "!=", splitting at the first occurrence.
    const operator = expression.includes("==") ? "==" : expression.includes("!=") ? "!=" : null;
    if (operator === null) throw new RangeError(`constraint expected one operator from ==, !=`);
    const at = expression.indexOf(operator);
    const key = expression.slice(0, at).trim();
    const value = expression.slice(at + 2).trim();
    if (!keyPattern.test(key)) throw new RangeError(`key '${key}' is invalid`);
    if (!valuePattern.test(value)) throw new RangeError(`value '${value}' is invalid`);
    return { key, operator, value };
  });
}

function matches(constraint: Constraint, actual: string): boolean {
  const equal = constraint.value.toLowerCase() === actual.toLowerCase();
  return constraint.operator === "==" ? equal : !equal;
}

function ipv4ToNumber(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return null;
  return parts.reduce((total, part) => total * 256 + Number(part), 0);
}

function nodeIpMatches(constraint: Constraint, nodeAddress: string): boolean {
  const node = ipv4ToNumber(nodeAddress);
  const [base, prefixText] = constraint.value.split("/");
  const address = ipv4ToNumber(base ?? "");
  if (address === null) return false; // swarmkit rejects a malformed address or network
  let within: boolean;
  if (prefixText === undefined) {
    within = node === address;
  } else {
    const prefixBits = Number(prefixText);
    if (!/^\d{1,2}$/.test(prefixText) || prefixBits > 32) return false;
    const size = 2 ** (32 - prefixBits);
    within = node !== null && Math.floor(node / size) === Math.floor(address / size);
  }
  return constraint.operator === "==" ? within : !within;
}

/** Whether `node` satisfies every constraint (swarmkit's `constraint.NodeMatches`). */
export function nodeMatchesConstraints(constraints: readonly Constraint[], node: SwarmNode): boolean {
  for (const constraint of constraints) {
    const key = constraint.key.toLowerCase();
    let satisfied: boolean;
    if (key === "node.id") satisfied = matches(constraint, node.id);
    else if (key === "node.hostname") satisfied = matches(constraint, node.description.hostname);
    else if (key === "node.ip") satisfied = nodeIpMatches(constraint, node.status.address);
    else if (key === "node.role") satisfied = matches(constraint, node.role);
    else if (key === "node.platform.os") satisfied = matches(constraint, node.description.platform.os);
    else if (key === "node.platform.arch") satisfied = matches(constraint, node.description.platform.architecture);
    else if (key.length > nodeLabelPrefix.length && key.startsWith(nodeLabelPrefix)) {
      // The label name itself is case sensitive.
      satisfied = matches(constraint, node.spec.labels[constraint.key.slice(nodeLabelPrefix.length)] ?? "");
    } else if (key.length > engineLabelPrefix.length && key.startsWith(engineLabelPrefix)) {
      satisfied = matches(constraint, node.description.engine.labels[constraint.key.slice(engineLabelPrefix.length)] ?? "");
    } else satisfied = false;
    if (!satisfied) return false;
  }
  return true;
}

/**
 * Whether `node` satisfies the constraint expressions. As in swarmkit's orchestrators, a list that
 * does not parse counts as no constraint at all (the control API refuses such lists up front).
 */
export function nodeMatchesExpressions(expressions: readonly string[], node: SwarmNode): boolean {
  let constraints: Constraint[];
  try {
    constraints = parseConstraints(expressions);
  } catch {
    constraints = [];
  }
  return nodeMatchesConstraints(constraints, node);
}
