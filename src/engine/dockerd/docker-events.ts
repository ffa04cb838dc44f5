/**
 * dockerd's event log, as `GET /events` serves it (moby's `daemon/events`): the last
 * `dockerEventsKeptMax` events (moby keeps 256) as Engine API `EventMessage`s with their
 * simulated wall-clock time, each also emitted as the simulation's typed `engine.container.*`
 * or `engine.image.*` event where one exists.
 */
import type { ContainerRecord } from "./records.js";

/** Bound `dockerEventsKeptMax`: events dockerd keeps for `GET /events?since=...` (moby's eventsLimit). */
export const dockerEventsKeptMax = 256;

/** An Engine API `EventMessage`. */
export interface DockerEventMessage {
  /** Deprecated fields Docker still sends for container and image events. */
  readonly status?: string;
  readonly id?: string;
  readonly from?: string;
  readonly Type: "container" | "image" | "network" | "volume";
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes: Readonly<Record<string, string>> };
  readonly scope: "local" | "swarm";
  /** Unix seconds. */
  readonly time: number;
  /** Unix nanoseconds. */
  readonly timeNano: number;
}

/** The events one dockerd has recorded, oldest first, at most `dockerEventsKeptMax`. */
export class DockerEventsLog {
  /** Each message with its simulated wall-clock time in ms (nanoseconds overflow exact JavaScript numbers). */
  private readonly events: { readonly wallTimeMs: number; readonly message: DockerEventMessage }[] = [];

  /** Records an event at the simulated wall-clock time `wallTimeMs`. */
  record(event: Omit<DockerEventMessage, "time" | "timeNano">, wallTimeMs: number): void {
    if (this.events.length >= dockerEventsKeptMax) this.events.shift();
    // Object.assign, not a spread followed by new keys: V8 gives each object made that way a hidden class of its own.
    this.events.push({ wallTimeMs, message: Object.assign({}, event, { time: Math.floor(wallTimeMs / 1000), timeNano: Math.round(wallTimeMs * 1e6) }) });
  }

  /** The events with `sinceMs < time <= untilMs`. */
  between(sinceMs: number, untilMs: number): DockerEventMessage[] {
    return this.events.filter((event) => event.wallTimeMs > sinceMs && event.wallTimeMs <= untilMs).map((event) => event.message);
  }
}

/** A container event as moby writes it: the image and name attributes, the container's labels, and `extra`. */
export function containerEventMessage(record: ContainerRecord, action: string, extra: Readonly<Record<string, string>> = {}): Omit<DockerEventMessage, "time" | "timeNano"> {
  const attributes: Record<string, string> = Object.assign({}, record.config.Labels, { image: record.imageName, name: record.name.slice(1) }, extra);
  return { status: action, id: record.id, from: record.imageName, Type: "container", Action: action, Actor: { ID: record.id, Attributes: attributes }, scope: "local" };
}
