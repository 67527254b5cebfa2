import { validateEvent } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import { InMemoryEventBus, InMemoryStatusTracker } from './adapters/in-memory.adapters.js';
import { LifecycleService } from './lifecycle.service.js';
import type { BroadcastState } from './ports/status-tracker.port.js';
import { ProgressService } from './progress.service.js';

const log = createLogger('test', 'silent');
const registration = {
  tenantId: 'acme',
  phoneNumberId: '106540352242922',
  template: { name: 'order_update', language: 'en_US' },
  mapping: { phoneColumn: 'phone', body: [] },
  object: { bucket: 'b', key: 'k' },
};

async function setup(state: BroadcastState) {
  const tracker = new InMemoryStatusTracker();
  const events = new InMemoryEventBus();
  await tracker.register('b1', registration);
  tracker.broadcasts.get('b1')!.state = state;
  return { tracker, events, lifecycle: new LifecycleService(tracker, events, log) };
}

describe('LifecycleService', () => {
  it.each(['pause', 'resume', 'cancel'] as const)(
    '%s publishes a valid broadcast.control keyed by the broadcast',
    async (action) => {
      const { events, lifecycle } = await setup('sending');
      const accepted = await lifecycle.control('acme', 'b1', action, undefined, 'r1');
      expect(accepted).toMatchObject({ id: 'b1', action, state: 'sending' });
      expect(events.published).toHaveLength(1);
      const { topic, event } = events.published[0]!;
      expect(topic).toBe('broadcastControl');
      expect(validateEvent(event)).toEqual([]);
      expect(event).toMatchObject({
        type: 'broadcast.control',
        tenantId: 'acme',
        correlationId: 'b1',
        payload: { action, target: { kind: 'broadcast', broadcastId: 'b1' } },
      });
    },
  );

  it("refuses another tenant's broadcast as not found", async () => {
    const { lifecycle, events } = await setup('sending');
    await expect(lifecycle.control('other', 'b1', 'pause', undefined, 'r')).rejects.toMatchObject({
      code: 'broadcast-not-found',
    });
    expect(events.published).toHaveLength(0);
  });

  it.each([
    ['created', 'broadcast-not-started'],
    ['completed', 'broadcast-finished'],
    ['cancelled', 'broadcast-finished'],
  ] as const)('refuses a %s broadcast with %s', async (state, code) => {
    const { lifecycle } = await setup(state);
    await expect(lifecycle.control('acme', 'b1', 'pause', 'why', 'r')).rejects.toMatchObject({
      kind: 'conflict',
      code,
    });
  });
});

describe('ProgressService.watch', () => {
  it('ticks until the broadcast is over, then ends', async () => {
    const { tracker } = await setup('sending');
    const progress = new ProgressService(tracker);
    const kinds: string[] = [];
    let n = 0;
    for await (const tick of progress.watch('acme', 'b1', { intervalMs: 1 })) {
      kinds.push(tick.kind);
      if (++n === 3) tracker.broadcasts.get('b1')!.state = 'completed';
    }
    expect(kinds).toEqual(['progress', 'progress', 'progress', 'end']);
  });

  it('throws not found before the first tick', async () => {
    const { tracker } = await setup('sending');
    const ticks = new ProgressService(tracker).watch('other', 'b1');
    await expect(ticks.next()).rejects.toMatchObject({ code: 'broadcast-not-found' });
  });

  it('stops when the watcher goes away', async () => {
    const { tracker } = await setup('sending');
    const abort = new AbortController();
    const kinds: string[] = [];
    for await (const tick of new ProgressService(tracker).watch('acme', 'b1', {
      intervalMs: 60_000,
      signal: abort.signal,
    })) {
      kinds.push(tick.kind);
      abort.abort();
    }
    expect(kinds).toEqual(['progress']);
  });
});
