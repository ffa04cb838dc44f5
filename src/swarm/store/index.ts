/**
 * The swarm's cluster store: change sets, their application to the immutable state, indexes
 * and views.
 */
export * from "./changes.js";
export * from "./apply.js";
export * from "./indexes.js";
export * from "./view.js";
export * from "./listing.js";
