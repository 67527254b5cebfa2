import { createEnvelope, type ContractEvent } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import { InMemoryEventBus } from './adapters/in-memory-event-bus.adapter.js';
import { ComposeService } from './compose.service.js';
import { SuppressionList } from './ports/suppression-list.port.js';

class FixedSuppressionList extends SuppressionList {
  readonly asked: { tenantId: string; phones: readonly string[] }[] = [];
  constructor(private readonly listed: Record<string, string>) {
    super();
  }
  find(tenantId: string, phones: readonly string[]): Promise<Map<string, string>> {
    this.asked.push({ tenantId, phones });
    return Promise.resolve(
      new Map(phones.flatMap((p) => (this.listed[p] ? [[p, this.listed[p]] as const] : []))),
    );
  }
}

class UnreachableList extends SuppressionList {
  find(): Promise<Map<string, string>> {
    return Promise.reject(new Error('status-tracker unreachable'));
  }
}

const row = (n: number) => ({
  rowNumber: n,
  phone: `0151 ${2000000 + n}`,
  e164: `+49151${2000000 + n}`,
  parameters: {
    body: [
      { position: 1, text: `Name ${n}` },
      { position: 2, text: `A-${n}` },
    ],
  },
});

const chunk = createEnvelope(
  'broadcast.rows',
  {
    broadcastId: 'b-1',
    chunkIndex: 0,
    phoneNumberId: '1065',
    template: { name: 'order_update', language: 'en_US' },
    rows: [row(1), row(2), row(3)],
  },
  { tenantId: 'acme', correlationId: 'c-1' },
);

describe('ComposeService', () => {
  const logger = createLogger('test', 'silent');

  it('skips suppressed recipients with opted-out and sends the others, one check per chunk', async () => {
    const bus = new InMemoryEventBus();
    const list = new FixedSuppressionList({ '+491512000002': 'stop-reply' });
    const sent = await new ComposeService(bus, list, logger).compose(chunk);
    expect(sent).toBe(2);
    expect(list.asked).toEqual([
      { tenantId: 'acme', phones: ['+491512000001', '+491512000002', '+491512000003'] },
    ]);
    expect(
      bus
        .events('sendRequests')
        .map((e: ContractEvent) => (e.payload as { rowNumber: number }).rowNumber),
    ).toEqual([1, 3]);
    const skipped = bus.events('rows');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      type: 'broadcast.row-skipped',
      tenantId: 'acme',
      correlationId: 'c-1',
      payload: {
        broadcastId: 'b-1',
        rowNumber: 2,
        phone: '0151 2000002',
        e164: '+491512000002',
        reason: 'opted-out',
      },
    });
    expect((skipped[0]?.payload as { message: string }).message).toContain('STOP');
  });

  it('sends nothing and publishes only skips when the whole chunk opted out', async () => {
    const bus = new InMemoryEventBus();
    const list = new FixedSuppressionList({
      '+491512000001': 'api',
      '+491512000002': 'api',
      '+491512000003': 'user-preferences',
    });
    expect(await new ComposeService(bus, list, logger).compose(chunk)).toBe(0);
    expect(bus.events('sendRequests')).toHaveLength(0);
    expect(bus.events('rows')).toHaveLength(3);
  });

  it('fails the chunk (to be retried) when the list cannot be read, sending nothing', async () => {
    const bus = new InMemoryEventBus();
    await expect(
      new ComposeService(bus, new UnreachableList(), logger).compose(chunk),
    ).rejects.toThrow('unreachable');
    expect(bus.events('sendRequests')).toHaveLength(0);
  });
});
