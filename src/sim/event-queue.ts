/**
 * The simulation's single event queue: a four-ary min-heap ordered by virtual time, then by
 * insertion sequence, so events due at the same instant run in the order they were scheduled.
 * Every event is a {@link ScheduledEvent} of one shape, so the hot loop stays monomorphic.
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

/** Heap slots allocated at first; the arrays double when full. */
const initialCapacity = 256;

/**
 * A four-ary min-heap of {@link ScheduledEvent}, keyed by (time, seq): half the levels of a binary
 * heap, so a message (due within milliseconds, so rising near the root past timers due seconds
 * later) moves half as often, and a pop compares the children of a level side by side in the
 * same cache lines. The heap itself holds only numbers: each position's time, sequence number
 * and the index of its event in a table of events. Sifting moves numbers in typed arrays, never
 * object pointers, so it needs no write barrier (V8 records every store of a new object into a
 * long-lived array for its collector, and a pop moves an entry at every level of the heap), and
 * compares without loading the events.
 */
export class EventQueue {
  private times = new Float64Array(initialCapacity);
  private seqs = new Float64Array(initialCapacity);
  /** Per heap position, the index of its event in `events`. */
  private slots = new Int32Array(initialCapacity);
  /** The queued events, by table index; a free index holds undefined. */
  private readonly events: (ScheduledEvent | undefined)[] = [];
  /**
   * Table indices free for reuse (a stack). Never more than the table holds, which is never more
   * than the heap's capacity, so it grows with the heap's arrays: growing it on its own, the first
   * time a burst left more than its length free, reassigned a field V8 had seen constant until
   * then, which deoptimised every function that queues or takes events (the whole hot path
   * recompiled, typically dozens of seeds into an experiment).
   */
  private freeSlots = new Int32Array(initialCapacity);
  private freeCount = 0;
  private length = 0;
  private nextSeq = 0;

  constructor(
    /** Bound `pendingEventsMax`: more queued events than this is a runaway simulation. */
    private readonly pendingEventsMax: number,
  ) {}

  /** Number of queued events, cancelled ones included. */
  get size(): number {
    return this.length;
  }

  /** Drops every queued event (the sequence numbers go on from where they were). */
  clear(): void {
    this.events.length = 0;
    this.length = 0;
    this.freeCount = 0;
  }

  /** Allocates the next insertion sequence number. */
  takeSeq(): number {
    return this.nextSeq++;
  }

  /** The earliest event, without removing it. */
  peek(): ScheduledEvent | undefined {
    return this.length === 0 ? undefined : this.events[this.slots[0]!];
  }

  /** Adds an event. */
  push(event: ScheduledEvent): void {
    const length = this.length;
    if (length >= this.pendingEventsMax) boundExceeded("pendingEventsMax", this.pendingEventsMax, "too many queued events");
    if (length === this.times.length) this.grow();
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount]!;
      this.events[slot] = event;
    } else {
      slot = this.events.length;
      this.events.push(event);
    }
    const { times, seqs, slots } = this;
    const time = event.time;
    const seq = event.seq;
    let index = length;
    // Sift up, moving parents down into the hole.
    while (index > 0) {
      const parentIndex = (index - 1) >> 2;
      const parentTime = times[parentIndex]!;
      if (parentTime < time || (parentTime === time && seqs[parentIndex]! < seq)) break;
      times[index] = parentTime;
      seqs[index] = seqs[parentIndex]!;
      slots[index] = slots[parentIndex]!;
      index = parentIndex;
    }
    times[index] = time;
    seqs[index] = seq;
    slots[index] = slot;
    this.length = length + 1;
  }

  /** Removes and returns the earliest event. */
  pop(): ScheduledEvent | undefined {
    if (this.length === 0) return undefined;
    const { times, seqs, slots } = this;
    const topSlot = slots[0]!;
    const top = this.events[topSlot];
    this.events[topSlot] = undefined;
    this.freeSlots[this.freeCount++] = topSlot;
    const length = --this.length;
    if (length === 0) return top;
    // Sift the last entry down from the root, moving the smallest child up into the hole.
    const lastTime = times[length]!;
    const lastSeq = seqs[length]!;
    const lastSlot = slots[length]!;
    let index = 0;
    for (;;) {
      const firstChild = 4 * index + 1;
      if (firstChild >= length) break;
      const endChild = Math.min(firstChild + 4, length);
      let childIndex = firstChild;
      let childTime = times[firstChild]!;
      for (let candidate = firstChild + 1; candidate < endChild; candidate++) {
        const candidateTime = times[candidate]!;
        if (candidateTime < childTime || (candidateTime === childTime && seqs[candidate]! < seqs[childIndex]!)) {
          childIndex = candidate;
          childTime = candidateTime;
        }
      }
      if (lastTime < childTime || (lastTime === childTime && lastSeq < seqs[childIndex]!)) break;
      times[index] = childTime;
      seqs[index] = seqs[childIndex]!;
      slots[index] = slots[childIndex]!;
      index = childIndex;
    }
    times[index] = lastTime;
    seqs[index] = lastSeq;
    slots[index] = lastSlot;
    return top;
  }

  /** Doubles the heap's arrays and the free-slot stack. */
  private grow(): void {
    this.times = grown(this.times);
    this.seqs = grown(this.seqs);
    this.slots = grown(this.slots);
    this.freeSlots = grown(this.freeSlots);
  }
}

/** A copy of `array` twice as long. */
function grown<T extends Float64Array | Int32Array>(array: T): T {
  const copy = new (array.constructor as new (length: number) => T)(array.length * 2);
  copy.set(array);
  return copy;
}
