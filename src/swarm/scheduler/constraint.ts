/**
 * Placement constraints as swarmkit's manager/constraint parses and matches them.
 *
 * Syntax: `key==value` or `key!=value`; `==` is looked for first, then `!=`, and the
 * expression is split at the first occurrence. Key and value are trimmed (Go's
 * `strings.TrimSpace`), the key must match `^(?i)[a-z_][a-z0-9\-_.]+$` and the value
 * `^(?i)[a-z0-9:\-_\s\.\*\(\)\?\+\[\]\\\^\$\|\/]+$`. The errors are swarmkit's, word for word;
 * the control API refuses a service whose constraints do not parse with that text.
 *
 * Matching: keys are case-insensitive (`NODE.LABELS.zone` works), label names after the
 * prefix are case-sensitive, and values compare case-insensitively (`strings.EqualFold`). A
 * missing label (or hostname, platform) matches the empty value: `==` fails, `!=` passes. An
 * unknown key never matches. `node.ip` takes an address or a CIDR network.
 */
import type { SwarmNode } from "../types.js";
import { equalFold, goTrimSpace } from "./go-text.js";
import { ipEqual, networkContains, parseCidr, parseIp } from "./ip-address.js";

/** The constraint key prefix for node labels. */
export const nodeLabelPrefix = "node.labels.";
/** The constraint key prefix for engine labels. */
export const engineLabelPrefix = "engine.labels.";

/** The accepted operators, in the order swarmkit tries them. */
export const constraintOperators = ["==", "!="] as const;

/** A constraint operator. */
export type ConstraintOperator = (typeof constraintOperators)[number];

/** One parsed constraint. */
export interface Constraint {
  /** The key as written (trimmed), e.g. `node.labels.zone`. */
  readonly key: string;
  readonly operator: ConstraintOperator;
  /** The value as written (trimmed). */
  readonly expression: string;
}

/** A constraint expression that does not parse; the message is swarmkit's. */
export class ConstraintError extends Error {
  override name = "ConstraintError";
}

const keyPattern = /^[a-z_][a-z0-9\-_.]+$/iu;
// Go's \s is [\t\n\f\r ]; the `u` flag makes `i` fold as Go's (?i) does (e.g. the Kelvin sign).
const valuePattern = /^[a-z0-9:\-_\t\n\f\r \.\*\(\)\?\+\[\]\\\^\$\|\/]+$/iu;

/**
 * Parses constraint expressions as swarmkit's `constraint.Parse` does.
 * @throws ConstraintError with swarmkit's message: `key 'K' is invalid`, `value 'V' is invalid`
 *   or `constraint expected one operator from ==, !=`.
 */
export function parseConstraints(expressions: readonly string[]): Constraint[] {
  const constraints: Constraint[] = [];
  for (const expression of expressions) {
    let found = false;
    for (const operator of constraintOperators) {
      const at = expression.indexOf(operator);
      if (at < 0) continue;
      const key = goTrimSpace(expression.slice(0, at));
      if (!keyPattern.test(key)) throw new ConstraintError(`key '${key}' is invalid`);
      const value = goTrimSpace(expression.slice(at + operator.length));
      if (!valuePattern.test(value)) throw new ConstraintError(`value '${value}' is invalid`);
      constraints.push({ key, operator, expression: value });
      found = true;
      break;
    }
    if (!found) throw new ConstraintError(`constraint expected one operator from ${constraintOperators.join(", ")}`);
  }
  return constraints;
}

/** The control API's check: swarmkit's error text for the first invalid expression, or null when all parse. */
export function validateConstraints(expressions: readonly string[]): string | null {
  try {
    parseConstraints(expressions);
    return null;
  } catch (error) {
    if (error instanceof ConstraintError) return error.message;
    throw error;
  }
}

/** swarmkit's `Constraint.Match`: whether any of `values` equals the expression (case-insensitively), negated for `!=`. */
export function constraintMatches(constraint: Constraint, ...values: string[]): boolean {
  let match = false;
  for (const value of values) {
    if (equalFold(constraint.expression, value)) {
      match = true;
      break;
    }
  }
  return constraint.operator === "==" ? match : !match;
}

/** A label's value, or "" when missing (own properties only). */
function labelValue(labels: Readonly<Record<string, string>>, name: string): string {
  return Object.prototype.hasOwnProperty.call(labels, name) ? (labels[name] ?? "") : "";
}

/** Whether `key` starts with `prefix` (case-insensitively) and has something after it. */
function hasPrefixFold(key: string, prefix: string): boolean {
  return key.length > prefix.length && equalFold(key.slice(0, prefix.length), prefix);
}

/** swarmkit's `node.ip` rule: an address compares for equality, a CIDR for containment; anything else fails. */
function nodeIpMatches(constraint: Constraint, node: SwarmNode): boolean {
  const nodeAddress = parseIp(node.status.address);
  const address = parseIp(constraint.expression);
  if (address !== null) {
    const equal = ipEqual(address, nodeAddress);
    return constraint.operator === "==" ? equal : !equal;
  }
  const network = parseCidr(constraint.expression);
  if (network !== null) {
    const within = networkContains(network, nodeAddress);
    return constraint.operator === "==" ? within : !within;
  }
  return false;
}

/** A test of one node, made once per constraint. */
export type NodePredicate = (node: SwarmNode) => boolean;

/**
 * Compiles one constraint into a node test: the key is classified once (swarmkit's `NodeMatches`
 * switch, in its order), so testing many nodes costs one value comparison each.
 */
export function compileConstraint(constraint: Constraint): NodePredicate {
  const key = constraint.key;
  const match = (value: string): boolean => constraintMatches(constraint, value);
  if (equalFold(key, "node.id")) return (node) => match(node.id);
  if (equalFold(key, "node.hostname")) return (node) => match(node.description.hostname);
  if (equalFold(key, "node.ip")) return (node) => nodeIpMatches(constraint, node);
  if (equalFold(key, "node.role")) return (node) => match(node.role);
  if (equalFold(key, "node.platform.os")) return (node) => match(node.description.platform.os);
  if (equalFold(key, "node.platform.arch")) return (node) => match(node.description.platform.architecture);
  if (hasPrefixFold(key, nodeLabelPrefix)) {
    const label = key.slice(nodeLabelPrefix.length);
    return (node) => match(labelValue(node.spec.labels, label));
  }
  if (hasPrefixFold(key, engineLabelPrefix)) {
    const label = key.slice(engineLabelPrefix.length);
    return (node) => match(labelValue(node.description.engine.labels, label));
  }
  // A key outside swarmkit's syntax never matches.
  return () => false;
}

/** Compiles constraints into one node test: every constraint must hold. */
export function compileConstraints(constraints: readonly Constraint[]): NodePredicate {
  const predicates = constraints.map(compileConstraint);
  return (node) => {
    for (const predicate of predicates) {
      if (!predicate(node)) return false;
    }
    return true;
  };
}

/** Whether one constraint holds on `node` (swarmkit's `NodeMatches` case for its key). */
export function nodeMatchesConstraint(constraint: Constraint, node: SwarmNode): boolean {
  return compileConstraint(constraint)(node);
}

/** swarmkit's `constraint.NodeMatches`: whether every constraint holds on `node`. */
export function nodeMatchesConstraints(constraints: readonly Constraint[], node: SwarmNode): boolean {
  for (const constraint of constraints) {
    if (!nodeMatchesConstraint(constraint, node)) return false;
  }
  return true;
}

/**
 * The value a node has for a placement preference's spread descriptor, as swarmkit's
 * `nodeSet.tree` reads it: `node.labels.X` and `engine.labels.X` (prefix case-insensitive,
 * label name case-sensitive, "" when missing). Any other descriptor is not supported by
 * swarmkit and is skipped: null.
 */
export function spreadValue(descriptor: string, node: SwarmNode): string | null {
  if (hasPrefixFold(descriptor, nodeLabelPrefix)) return labelValue(node.spec.labels, descriptor.slice(nodeLabelPrefix.length));
  if (hasPrefixFold(descriptor, engineLabelPrefix)) return labelValue(node.description.engine.labels, descriptor.slice(engineLabelPrefix.length));
  return null;
}
