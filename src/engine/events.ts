/**
 * The typed events of the Docker Engine layer (dockerd), added to the simulation's event map.
 * Together with containerd's, shim's and runC's events they show the chain of one `docker run`.
 */
import "../sim/events.js";

declare module "../sim/events.js" {
  interface SimulationEventMap {
    /** An Engine API request reached dockerd. */
    "engine.api.request": { host: string; method: string; path: string };
    /** dockerd answered an Engine API request. */
    "engine.api.response": { host: string; method: string; path: string; statusCode: number };
    /** A container was created. */
    "engine.container.create": { host: string; id: string; name: string; image: string };
    /** A container was started through the API. */
    "engine.container.start": { host: string; id: string; name: string };
    /** A container was stopped through the API. */
    "engine.container.stop": { host: string; id: string; name: string };
    /** A signal was sent to a container through the API. */
    "engine.container.kill": { host: string; id: string; name: string; signal: string };
    /** A container's process ended. */
    "engine.container.die": { host: string; id: string; name: string; exitCode: number };
    /** A container was removed. */
    "engine.container.destroy": { host: string; id: string; name: string };
    /** An exec instance was created in a container (`docker exec`); `command` is its command line. */
    "engine.exec.create": { host: string; id: string; name: string; execId: string; command: string };
    /** An exec instance was started. */
    "engine.exec.start": { host: string; id: string; name: string; execId: string; command: string };
    /** An exec instance's process ended. */
    "engine.exec.die": { host: string; id: string; name: string; execId: string; exitCode: number };
    /** An image was pulled. */
    "engine.image.pull": { host: string; reference: string; id: string };
  }
}
