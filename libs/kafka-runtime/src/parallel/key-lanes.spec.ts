import { KeyLanes } from './key-lanes.js';

interface Deferred {
  resolve: () => void;
  promise: Promise<void>;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { resolve, promise };
}
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeyLanes', () => {
  it('never runs two tasks of the same key at once, and keeps their order', async () => {
    const lanes = new KeyLanes(100);
    const active = new Map<string, number>();
    const order: string[] = [];
    let violations = 0;
    const gates: Deferred[] = [];
    for (let i = 0; i < 300; i++) {
      const key = `recipient-${i % 7}`;
      const gate = deferred();
      gates.push(gate);
      lanes.submit({
        key,
        run: async () => {
          if ((active.get(key) ?? 0) > 0) violations++;
          active.set(key, (active.get(key) ?? 0) + 1);
          order.push(`${key}#${i}`);
          await gate.promise;
          active.set(key, (active.get(key) ?? 0) - 1);
        },
      });
    }
    // Release tasks in a scrambled order; only lane heads can actually be running.
    for (let round = 0; round < 400 && order.length < 300; round++) {
      await flush();
      for (let g = gates.length - 1; g >= 0; g -= 3) gates[g]?.resolve();
      for (const gate of gates) gate.resolve();
    }
    await flush();
    expect(violations).toBe(0);
    expect(order).toHaveLength(300);
    for (let k = 0; k < 7; k++) {
      const seen = order
        .filter((entry) => entry.startsWith(`recipient-${k}#`))
        .map((e) => Number(e.split('#')[1]));
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
  });

  it('runs up to maxInFlight different keys concurrently, no more', async () => {
    const lanes = new KeyLanes(5);
    const gate = deferred();
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      lanes.submit({
        key: `k${i}`,
        run: async () => {
          running++;
          peak = Math.max(peak, running);
          await gate.promise;
          running--;
        },
      });
    }
    await flush();
    expect(lanes.inFlight()).toBe(5);
    expect(lanes.waiting()).toBe(15);
    gate.resolve();
    for (let i = 0; i < 10 && lanes.inFlight() + lanes.waiting() > 0; i++) await flush();
    expect(peak).toBe(5);
    expect(lanes.inFlight() + lanes.waiting()).toBe(0);
  });

  it('reports a failing task and moves on to the next of its key', async () => {
    const errors: unknown[] = [];
    const lanes = new KeyLanes(2, (error) => errors.push(error));
    const ran: number[] = [];
    lanes.submit({ key: 'a', run: () => Promise.reject(new Error('boom')) });
    lanes.submit({ key: 'a', run: () => Promise.resolve(void ran.push(2)) });
    for (let i = 0; i < 5; i++) await flush();
    expect(errors).toHaveLength(1);
    expect(ran).toEqual([2]);
  });

  it('stop() waits for running tasks and hands back the ones that never started', async () => {
    const lanes = new KeyLanes(2);
    const gate = deferred();
    let finished = 0;
    for (let i = 0; i < 6; i++) {
      lanes.submit({
        key: `k${i % 3}`,
        run: async () => {
          await gate.promise;
          finished++;
        },
      });
    }
    await flush();
    const stopping = lanes.stop();
    gate.resolve();
    const dropped = await stopping;
    expect(finished).toBe(2);
    expect(dropped).toHaveLength(4);
  });

  it('discardQueued() removes only queued tasks that match', async () => {
    const lanes = new KeyLanes(1);
    const gate = deferred();
    const ran: string[] = [];
    const task = (key: string, partitionKey: string) => ({
      key,
      partitionKey,
      run: async () => {
        ran.push(`${key}/${partitionKey}`);
        await gate.promise;
      },
    });
    lanes.submit(task('a', 'p0')); // starts
    lanes.submit(task('a', 'p1'));
    lanes.submit(task('b', 'p1'));
    lanes.submit(task('c', 'p0'));
    await flush();
    expect(lanes.discardQueued((t) => t.partitionKey === 'p1')).toBe(2);
    gate.resolve();
    for (let i = 0; i < 10; i++) await flush();
    expect(ran).toEqual(['a/p0', 'c/p0']);
  });
});
