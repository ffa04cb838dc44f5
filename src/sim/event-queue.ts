/**
 * The simulation's single event queue: a binary min-heap ordered by virtual time, then by
 * insertion sequence, so events due at the same instant run in the order they were scheduled.
 * The heap holds {@link ScheduledEvent} objects of one shape so the hot loop stays monomorphic.
 */
import { boundExceeded } from "./errors.js";
import type { ProcessInstance } from "./process.js";

/** What a queued event does when it comes due. */
export const EventKind = {
  /** A message arrives at a process. */
  Deliver: 0,
  /** A process's timer fires. */
  Timer: 1,
  /** A callback scheduled through `Simulation.schedule`. */
  Callback: 2,
  /** A process learns that its child or a process it monitors has ended. */
  Exit: 3,
} as const;

/** One of the values of {@link EventKind}. */
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/**
 * Where a queued message comes from and goes to. It is itself the sender's address
 * (`host`, `process`) handed to the receiver, so a delivery allocates nothing more.
 */
export class MessageEnvelope {
  constructor(
    /** The sender's host name. */
    readonly host: string,
    /** The sender's process name. */
    readonly process: string,
    /** The virtual time it was sent, in ms. */
    readonly sentAt: number,
    /** The destination host name. */
    readonly toHost: string,
    /** The destination process name (kept even when no process was there). */
    readonly toProcess: string,
    /** Whether this copy is a network duplicate. */
    readonly duplicate: boolean,
  ) {}
}

/** One queued event. Kept small: the heap holds many of them. */
export class ScheduledEvent {
  /** Set to true to skip the event when it comes due (cancelled timers). */
  cancelled = false;

  constructor(
    /** Virtual time the event is due, in ms. */
    readonly time: number,
    /** Insertion sequence number: the tie-break between events due at the same time. */
    readonly seq: number,
    readonly kind: EventKind,
    /** The process receiving the message, notice or timer; null for callbacks and for messages with no receiver. */
    readonly target: ProcessInstance | null,
    /** The message, the timer payload, the exit notice or the callback. */
    readonly payload: unknown,
    /** For messages: sender and destination; null otherwise. */
    readonly envelope: MessageEnvelope | null,
  ) {}
}

/** A binary min-heap of {@link ScheduledEvent}, keyed by (time, seq). */
export class EventQueue {
  private readonly heap: ScheduledEvent[] = [];
  private nextSeq = 0;

  constructor(
    /** Bound `pendingEventsMax`: more queued events than this is a runaway simulation. */
    private readonly pendingEventsMax: number,
  ) {}

  /** Number of queued events, cancelled ones included. */
  get size(): number {
    return this.heap.length;
  }

  /** Allocates the next insertion sequence number. */
  takeSeq(): number {
    return this.nextSeq++;
  }

  /** The earliest event, without removing it. */
  peek(): ScheduledEvent | undefined {
    return this.heap[0];
  }

  /** Adds an event. */
  push(event: ScheduledEvent): void {
    const heap = this.heap;
    if (heap.length >= this.pendingEventsMax) {
      boundExceeded("pendingEventsMax", this.pendingEventsMax, "too many queued events");
    }
    let index = heap.length;
    heap.push(event);
    // Sift up, moving parents down into the hole.
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.time < event.time || (parent.time === event.time && parent.seq < event.seq)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = event;
  }

  /** Removes and returns the earliest event. */
  pop(): ScheduledEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    const length = heap.length;
    if (length === 0) return top;
    // Sift down from the root, moving the smaller child up into the hole.
    let index = 0;
    for (;;) {
      const leftIndex = 2 * index + 1;
      if (leftIndex >= length) break;
      const rightIndex = leftIndex + 1;
      let childIndex = leftIndex;
      let child = heap[leftIndex]!;
      if (rightIndex < length) {
        const right = heap[rightIndex]!;
        if (right.time < child.time || (right.time === child.time && right.seq < child.seq)) {
          childIndex = rightIndex;
          child = right;
        }
      }
      if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break;
      heap[index] = child;
      index = childIndex;
    }
    heap[index] = last;
    return top;
  }
}
