import { OffsetTracker } from './offset-tracker.js';

/** A tiny deterministic PRNG so the property test is repeatable. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('OffsetTracker', () => {
  it('commits nothing until the first offset finishes', () => {
    const tracker = new OffsetTracker();
    [10n, 11n, 12n].forEach((o) => tracker.register(o));
    tracker.complete(12n);
    tracker.complete(11n);
    expect(tracker.committableOffset()).toBeUndefined();
    tracker.complete(10n);
    expect(tracker.committableOffset()).toBe(13n);
    expect(tracker.outstanding()).toBe(0);
  });

  it('stops the watermark at the first unfinished offset, across gaps in offsets', () => {
    const tracker = new OffsetTracker();
    [5n, 7n, 9n, 30n].forEach((o) => tracker.register(o));
    tracker.complete(5n);
    tracker.complete(9n);
    tracker.complete(30n);
    expect(tracker.committableOffset()).toBe(6n);
    tracker.complete(7n);
    expect(tracker.committableOffset()).toBe(31n);
  });

  it('refuses offsets out of order and completions of unknown offsets', () => {
    const tracker = new OffsetTracker();
    tracker.register(3n);
    expect(() => tracker.register(3n)).toThrow(/must ascend/);
    expect(() => tracker.complete(4n)).toThrow(/not pending/);
  });

  it('never offers a commit past an unfinished message, whatever the completion order', () => {
    const random = prng(42);
    for (let round = 0; round < 50; round++) {
      const tracker = new OffsetTracker();
      const count = 200 + Math.floor(random() * 3000);
      const offsets: bigint[] = [];
      let next = BigInt(Math.floor(random() * 1000));
      for (let i = 0; i < count; i++) {
        offsets.push(next);
        tracker.register(next);
        next += 1n + BigInt(Math.floor(random() * 3)); // compaction and transactions leave gaps
      }
      const finished = new Set<bigint>();
      let lowestUnfinished = 0; // index into `offsets` (ascending) of the lowest unfinished offset
      const order = [...offsets].sort(() => random() - 0.5);
      let violations = 0;
      for (const offset of order) {
        tracker.complete(offset);
        finished.add(offset);
        while (
          lowestUnfinished < offsets.length &&
          finished.has(offsets[lowestUnfinished] as bigint)
        )
          lowestUnfinished++;
        const committable = tracker.committableOffset();
        const lowest = offsets[lowestUnfinished];
        if (committable !== undefined && lowest !== undefined && committable > lowest) violations++;
      }
      expect(violations).toBe(0);
      expect(tracker.committableOffset()).toBe((offsets[offsets.length - 1] as bigint) + 1n);
      expect(tracker.outstanding()).toBe(0);
    }
  });
});
