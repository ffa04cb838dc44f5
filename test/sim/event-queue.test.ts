// The kernel's event queue: events come out in (time, seq) order whatever the order they went
// in, across the growth of its arrays and the reuse of its table slots, and its bound holds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventKind, EventQueue, ScheduledEvent } from "../../src/sim/event-queue.js";
import { propertyOptions } from "../helpers/property.js";

/** A timer event due at `time`, numbered by the queue. */
function eventAt(queue: EventQueue, time: number): ScheduledEvent {
  return new ScheduledEvent(time, queue.takeSeq(), EventKind.Callback, null, null, null);
}

describe("event queue", () => {
  it("pops in (time, seq) order across interleaved pushes and pops, growth past its first arrays included (property)", () => {
    // Each step pushes a batch of events (times from a small range, so ties are common) or pops some.
    const step = fc.oneof(
      fc.record({ push: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 120 }) }),
      fc.record({ pop: fc.integer({ min: 1, max: 150 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const queue = new EventQueue(1_000_000);
        const reference: ScheduledEvent[] = [];
        const byTimeThenSeq = (left: ScheduledEvent, right: ScheduledEvent) => left.time - right.time || left.seq - right.seq;
        let clock = 0;
        for (const action of steps) {
          if ("push" in action) {
            for (const offset of action.push) {
              const event = eventAt(queue, clock + offset);
              queue.push(event);
              reference.push(event);
            }
            reference.sort(byTimeThenSeq);
          } else {
            for (let count = 0; count < action.pop && reference.length > 0; count++) {
              expect(queue.peek()).toBe(reference[0]);
              const event = queue.pop()!;
              expect(event).toBe(reference.shift());
              clock = event.time;
            }
          }
          expect(queue.size).toBe(reference.length);
        }
        while (reference.length > 0) expect(queue.pop()).toBe(reference.shift());
        expect(queue.pop()).toBeUndefined();
        expect(queue.peek()).toBeUndefined();
      }),
      propertyOptions("event queue order", 200),
    );
  });

  it("reuses every table slot after a burst larger than its first arrays drains", () => {
    const queue = new EventQueue(1_000_000);
    for (let round = 0; round < 3; round++) {
      const events = Array.from({ length: 1_000 }, (_, index) => eventAt(queue, round * 10_000 + (index * 7919) % 1_000));
      for (const event of events) queue.push(event);
      const popped = Array.from({ length: 1_000 }, () => queue.pop()!);
      expect(popped.map((event) => event.time)).toEqual(events.map((event) => event.time).sort((left, right) => left - right));
      expect(new Set(popped).size).toBe(1_000);
      expect(queue.size).toBe(0);
    }
  });

  it("refuses an event beyond pendingEventsMax, naming the bound", () => {
    const queue = new EventQueue(3);
    for (let index = 0; index < 3; index++) queue.push(eventAt(queue, index));
    expect(() => queue.push(eventAt(queue, 9))).toThrow(/pendingEventsMax/);
    expect(queue.size).toBe(3);
  });
});
