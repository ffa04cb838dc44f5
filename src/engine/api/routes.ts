/**
 * Every Engine API route dockerd serves, in one table.
 */
import type { Dockerd } from "../dockerd/daemon.js";
import { containerRoutes } from "./containers.js";
import { execRoutes } from "./exec.js";
import { imageRoutes } from "./images.js";
import { networkRoutes } from "./networks.js";
import type { Route } from "./router.js";
import { systemRoutes } from "./system.js";
import { volumeRoutes } from "./volumes.js";
import { swarmRoutes } from "./swarm.js";

/** All routes of the Engine API that swarmsim serves. */
export const engineRoutes: readonly Route<Dockerd>[] = [...systemRoutes, ...containerRoutes, ...execRoutes, ...imageRoutes, ...networkRoutes, ...volumeRoutes, ...swarmRoutes];
