/**
 * Identifiers of swarm objects: swarmkit's `identity.NewID` (25 lowercase base-36 characters
 * from 17 random bytes whose top bit is set), drawn from the simulation's seeded generator, and
 * the task names `docker service ps` shows (`web.3`, or `web.<node id>` for global services).
 */
import type { Random } from "../sim/random.js";

/** Length of a swarm object id (swarmkit's `maxRandomIDLength`). */
export const objectIdLength = 25;

/** Random bytes behind one id (swarmkit's `randomIDEntropyBytes`). */
const entropyBytes = 17;

/**
 * A new object id, as swarmkit's `identity.NewID`: 17 random bytes with the high bit set, written
 * in base 36, dropping the first digit and keeping 25 (so every id has the same length).
 */
export function newObjectId(random: Random): string {
  const digits = random.hex(entropyBytes * 2);
  // Setting the top bit of the first byte makes the number 27 base-36 digits long, always.
  const withTopBit = (parseInt(digits[0]!, 16) | 8).toString(16) + digits.slice(1);
  return BigInt(`0x${withTopBit}`).toString(36).slice(1, objectIdLength + 1);
}

/** Whether `text` has the shape of a swarm object id. */
export function isObjectId(text: string): boolean {
  return /^[0-9a-z]{25}$/.test(text);
}

/** What a task name is made from. */
export interface TaskNameParts {
  /** Replicated services: the slot (1..N); global services: 0. */
  readonly slot: number;
  /** The node of a global service's task. */
  readonly nodeId: string;
}

/**
 * The name `docker service ps` shows for a task: `<service>.<slot>` for a replicated service's
 * task, `<service>.<node id>` for a global one (docker/cli's task formatter).
 */
export function taskDisplayName(serviceName: string, task: TaskNameParts): string {
  return task.slot !== 0 ? `${serviceName}.${task.slot}` : `${serviceName}.${task.nodeId}`;
}

/**
 * The full task name, as `docker service ps --no-trunc` shows it and as the agent names the
 * container: `<service>.<slot>.<task id>` (swarmkit's `naming.Task`).
 */
export function taskFullName(serviceName: string, task: TaskNameParts & { readonly id: string }): string {
  return `${taskDisplayName(serviceName, task)}.${task.id}`;
}
