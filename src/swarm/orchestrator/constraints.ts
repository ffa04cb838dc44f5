/**
 * Placement constraints as the orchestrators use them (global services follow nodes that match;
 * the constraint enforcer rejects tasks on nodes that stopped matching). Parsing and matching
 * are the scheduler's (swarmkit's manager/constraint); this adds the orchestrators' rule for a
 * list that does not parse.
 */
import { nodeMatchesConstraints, parseConstraints, type Constraint } from "../scheduler/constraint.js";
import type { SwarmNode } from "../types.js";

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
