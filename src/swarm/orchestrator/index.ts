/**
 * The swarm's orchestrators: replicated and global services, restarts, rolling updates, the
 * constraint enforcer, the task reaper and the allocator, as pure steps over a change batch and
 * the leader's {@link Orchestrator} loop that runs them.
 */
export * from "./allocator.js";
export * from "./batch.js";
export * from "./constraints.js";
export * from "./global.js";
export * from "./orchestrator.js";
export * from "./reaper.js";
export * from "./replicated.js";
export * from "./restart.js";
export * from "./task.js";
export * from "./update.js";
