import { createEnvelope, formatCallbackData, recipientId, type EventOf } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import { InMemoryAttemptStore } from './adapters/in-memory-attempt-store.adapter.js';
import { InMemoryParkedRequests } from './adapters/in-memory-parked-requests.adapter.js';
import { CANCELLED_CODE, DispatchService } from './dispatch.service.js';
import { BroadcastControls } from './domain/broadcast-controls.js';
import { PacerRegistry } from './domain/pacer-registry.js';
import { CloudApi, type SendOutcome, type SendTemplateRequest } from './ports/cloud-api.port.js';
import { UnparkService } from './unpark.service.js';

type Request = EventOf<'message.send-requested'>;
type Outcome = EventOf<'message.send-result'>['payload']['outcome'];
const A = '7d8f3c1e-0000-4000-8000-00000000000a';
const B = '7d8f3c1e-0000-4000-8000-00000000000b';
const SENDER = '106540352242922';
const log = createLogger('test', 'silent');

function request(broadcastId: string, row: number): Request {
  return createEnvelope(
    'message.send-requested',
    {
      broadcastId,
      recipientId: recipientId(broadcastId, row),
      rowNumber: row,
      to: String(14155550000 + row),
      phoneNumberId: SENDER,
      template: { name: 'hello_world', language: { code: 'en_US' } },
      bizOpaqueCallbackData: formatCallbackData(broadcastId, row),
      attempt: 1,
    },
    { tenantId: 'acme', correlationId: broadcastId },
  );
}

class CountingCloudApi extends CloudApi {
  readonly calls: SendTemplateRequest[] = [];
  sendTemplate(req: SendTemplateRequest): Promise<SendOutcome> {
    this.calls.push(req);
    return Promise.resolve({ kind: 'accepted', wamid: `wamid.${req.to}`, httpStatus: 200 });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A dispatcher and its unparker around one in-memory "topic": re-published requests are queued
 * and dispatched again, as the send-requests consumer would.
 */
function setup() {
  const controls = new BroadcastControls();
  const parked = new InMemoryParkedRequests();
  const cloudApi = new CountingCloudApi();
  const results: { recipientId: string; outcome: Outcome }[] = [];
  const topic: Request[] = [];
  const service = new DispatchService(
    cloudApi,
    new PacerRegistry(() => 1_000_000),
    {
      publishResult: (req, outcome) => {
        results.push({ recipientId: req.payload.recipientId, outcome });
        return Promise.resolve();
      },
    },
    log,
    {
      attempts: new InMemoryAttemptStore(),
      maxAttempts: 3,
      controls,
      parked,
      wait: () => Promise.resolve(),
    },
  );
  const republished: Request[][] = [];
  const unpark = new UnparkService(parked, log, {
    controls,
    batchSize: 50,
    republish: (requests) => {
      republished.push(requests);
      topic.push(...requests);
      return Promise.resolve();
    },
  });
  /** Consumes what was re-published. */
  const drain = async () => {
    while (topic.length > 0) await service.dispatch(topic.shift()!);
  };
  return { controls, parked, cloudApi, results, service, unpark, republished, drain };
}

const pause = (broadcastId: string) => ({
  action: 'pause' as const,
  target: { kind: 'broadcast' as const, broadcastId },
  reason: 'operator',
});

describe('UnparkService', () => {
  it('leaves a paused broadcast parked and re-publishes it once resumed: each recipient sent once', async () => {
    const { controls, parked, cloudApi, results, service, unpark, republished, drain } = setup();
    controls.apply(pause(A));
    for (let row = 1; row <= 120; row++) await service.dispatch(request(A, row));
    await service.dispatch(request(B, 1)); // B is not paused: sent at once
    expect(parked.rows.size).toBe(120);
    expect(cloudApi.calls).toHaveLength(1);

    expect(await unpark.sweep()).toBe(0); // still paused
    expect(parked.rows.size).toBe(120);

    controls.apply({ ...pause(A), action: 'resume' });
    expect(await unpark.sweep()).toBe(120);
    expect(republished.map((batch) => batch.length)).toEqual([50, 50, 20]);
    expect(parked.rows.size).toBe(0);
    await drain();
    expect(cloudApi.calls).toHaveLength(121);
    expect(new Set(cloudApi.calls.map((c) => c.to)).size).toBe(120); // B's row 1 shares A's number
    const aResults = results.filter((r) => r.recipientId.startsWith(A));
    expect(aResults).toHaveLength(120);
    expect(aResults.every((r) => r.outcome.status === 'accepted')).toBe(true);
  });

  it('a cancelled broadcast: every parked recipient gets exactly one cancelled result, nothing sent', async () => {
    const { controls, parked, cloudApi, results, service, unpark, drain } = setup();
    controls.apply(pause(A));
    for (let row = 1; row <= 70; row++) await service.dispatch(request(A, row));
    controls.apply({ ...pause(A), action: 'cancel' });
    expect(await unpark.sweep()).toBe(70);
    await drain();
    expect(parked.rows.size).toBe(0);
    expect(cloudApi.calls).toHaveLength(0);
    expect(results).toHaveLength(70);
    expect(new Set(results.map((r) => r.recipientId)).size).toBe(70);
    expect(
      results.every(
        (r) => r.outcome.status === 'failed' && r.outcome.error.code === CANCELLED_CODE,
      ),
    ).toBe(true);
  });

  it('keeps requests parked when the re-publish fails, and takes them on the next sweep', async () => {
    const { controls, parked, service } = setup();
    controls.apply(pause(A));
    for (let row = 1; row <= 10; row++) await service.dispatch(request(A, row));
    controls.apply({ ...pause(A), action: 'resume' });
    let fail = true;
    const sent: Request[] = [];
    const unpark = new UnparkService(parked, log, {
      controls,
      republish: (requests) => {
        if (fail) return Promise.reject(new Error('broker down'));
        sent.push(...requests);
        return Promise.resolve();
      },
    });
    await expect(unpark.sweep()).rejects.toThrow('broker down');
    expect(parked.rows.size).toBe(10);
    fail = false;
    expect(await unpark.sweep()).toBe(10);
    expect(sent).toHaveLength(10);
  });

  it('two replicas sweeping at once take each parked request once', async () => {
    const { controls, parked, service } = setup();
    controls.apply(pause(A));
    for (let row = 1; row <= 300; row++) await service.dispatch(request(A, row));
    controls.apply({ ...pause(A), action: 'resume' });
    const sent: string[] = [];
    const replica = () =>
      new UnparkService(parked, log, {
        controls,
        batchSize: 25,
        republish: async (requests) => {
          await new Promise((resolve) => setImmediate(resolve)); // overlap the two sweeps
          sent.push(...requests.map((r) => r.payload.recipientId));
        },
      });
    const counts = await Promise.all([replica().sweep(), replica().sweep()]);
    expect(counts[0] + counts[1]).toBe(300);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
    expect(sent).toHaveLength(300);
    expect(new Set(sent).size).toBe(300);
  });

  it('sweeps on start once the controls are current, and on trigger', async () => {
    const controls = new BroadcastControls({ catchingUp: true });
    const parked = new InMemoryParkedRequests();
    for (let row = 1; row <= 5; row++) await parked.park(request(A, row));
    const sent: Request[] = [];
    const unpark = new UnparkService(parked, log, {
      controls,
      intervalMs: 60_000,
      republish: (requests) => {
        sent.push(...requests);
        return Promise.resolve();
      },
    });
    unpark.start();
    // The control topic still holds A's pause: nothing may go before it is read.
    controls.apply(pause(A));
    controls.caughtUp();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(0);
    expect(parked.rows.size).toBe(5);
    controls.apply({ ...pause(A), action: 'resume' });
    await unpark.trigger();
    expect(sent).toHaveLength(5);
    expect(parked.rows.size).toBe(0);
    await unpark.stop();
  });
});
