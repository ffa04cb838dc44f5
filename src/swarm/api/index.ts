/**
 * The swarm's Engine API conversions: managers' objects to the JSON of `/nodes`, `/services`,
 * `/tasks`, `/swarm` and `/info`, and request bodies back to specs with the daemon's errors.
 */
export type { ApiContext, SpecResult } from "./common.js";
export { nodeSpecFromApi, nodeToApi } from "./node.js";
export { serviceToApi } from "./service.js";
export { defaultRestartPolicy, defaultUpdateConfig, serviceSpecFromApi } from "./service-spec.js";
export { clusterSpecFromApi, swarmInfoToApi, swarmToApi, type ClusterSpecUpdate, type SwarmInfoInput } from "./swarm.js";
export { taskToApi } from "./task.js";
