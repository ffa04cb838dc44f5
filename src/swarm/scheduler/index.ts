/**
 * The swarm scheduler, after swarmkit's manager/scheduler: a pure function from the cluster
 * state to task placements, its filters and pipeline, placement constraints (parsing,
 * validation with swarmkit's error texts, matching) and the node information it keeps.
 */
export { assignedMessage, noSuitableNode, preassignedMessage, scheduleTasks, type ScheduleOptions, type SchedulingDecisions, type TaskAssignment, type UnassignedTask } from "./scheduler.js";
export {
  ConstraintFilter,
  HostPortFilter,
  MaxReplicasFilter,
  Pipeline,
  PlatformFilter,
  PluginFilter,
  ReadyFilter,
  ResourceFilter,
  defaultFilters,
  normalizeArchitecture,
  type FilterTask,
  type SchedulerFilter,
} from "./filters.js";
export {
  ConstraintError,
  compileConstraint,
  compileConstraints,
  constraintMatches,
  constraintOperators,
  engineLabelPrefix,
  nodeLabelPrefix,
  nodeMatchesConstraint,
  nodeMatchesConstraints,
  parseConstraints,
  spreadValue,
  validateConstraints,
  type Constraint,
  type ConstraintOperator,
  type NodePredicate,
} from "./constraint.js";
export { NodeInfo, compareNodes, nodeLess, hostPortKey, hostPortKeys, isRecentFailure, maxFailures, monitorFailuresMs, servicePorts, taskFootprint, type TaskFootprint } from "./node-info.js";
export { buildDecisionTree, orderedNodes, type DecisionTree, type NodeComparator } from "./decision-tree.js";
export { ipEqual, networkContains, parseCidr, parseIp, type IpAddress, type IpNetwork } from "./ip-address.js";
export { noSchedulerBugs, type SchedulerBugs } from "./bugs.js";
export { equalFold, goTrimSpace, isGoSpace } from "./go-text.js";
