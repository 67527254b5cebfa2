import { createEnvelope, formatCallbackData, recipientId, type EventOf } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import { InMemoryAttemptStore } from './adapters/in-memory-attempt-store.adapter.js';
import { InMemoryParkedRequests } from './adapters/in-memory-parked-requests.adapter.js';
import {
  CANCELLED_CODE,
  DispatchService,
  type DispatchOptions,
  type ResultSink,
} from './dispatch.service.js';
import { BroadcastControls } from './domain/broadcast-controls.js';
import { PacerRegistry } from './domain/pacer-registry.js';
import { CloudApi, type SendOutcome, type SendTemplateRequest } from './ports/cloud-api.port.js';

type Request = EventOf<'message.send-requested'>;
type Outcome = EventOf<'message.send-result'>['payload']['outcome'];

const BROADCAST = '7d8f3c1e-0000-4000-8000-000000000001';

function request(row: number): Request {
  return createEnvelope(
    'message.send-requested',
    {
      broadcastId: BROADCAST,
      recipientId: recipientId(BROADCAST, row),
      rowNumber: row,
      to: String(14155550000 + row),
      phoneNumberId: '106540352242922',
      template: { name: 'hello_world', language: { code: 'en_US' } },
      bizOpaqueCallbackData: formatCallbackData(BROADCAST, row),
      attempt: 1,
    },
    { tenantId: 'acme', correlationId: BROADCAST },
  );
}

/** A scripted Cloud API: answers in order, then accepts. */
class ScriptedCloudApi extends CloudApi {
  readonly calls: SendTemplateRequest[] = [];
  constructor(private readonly script: SendOutcome[] = []) {
    super();
  }
  sendTemplate(req: SendTemplateRequest): Promise<SendOutcome> {
    this.calls.push(req);
    return Promise.resolve(
      this.script.shift() ?? {
        kind: 'accepted',
        wamid: `wamid.${this.calls.length}`,
        httpStatus: 200,
      },
    );
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(
  script: SendOutcome[] = [],
  store = new InMemoryAttemptStore(),
  extra: Partial<DispatchOptions> = {},
) {
  let clock = 1_000_000;
  const cloudApi = new ScriptedCloudApi(script);
  const published: Outcome[] = [];
  const sink: ResultSink = {
    publishResult: (_req, outcome) => {
      published.push(outcome);
      return Promise.resolve();
    },
  };
  const pacers = new PacerRegistry(
    () => 1000,
    () => clock,
  );
  const service = new DispatchService(cloudApi, pacers, sink, createLogger('test', 'silent'), {
    attempts: store,
    maxAttempts: 4,
    accountPauseMs: 60_000,
    now: () => clock,
    wait: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
    ...extra,
  });
  return {
    service,
    cloudApi,
    published,
    store,
    pacers,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
  };
}

const error = (code: number, httpStatus = 400): SendOutcome => ({
  kind: 'error',
  code,
  httpStatus,
  title: `error ${code}`,
});

describe('DispatchService and the attempt record', () => {
  it('sends once and records the accepted outcome with its wamid', async () => {
    const { service, cloudApi, published, store } = setup();
    await service.dispatch(request(1));
    expect(cloudApi.calls).toHaveLength(1);
    expect(published).toEqual([{ status: 'accepted', wamid: 'wamid.1' }]);
    expect(store.rows.get(recipientId(BROADCAST, 1))).toMatchObject({ state: 'accepted' });
  });

  it('re-publishes the recorded outcome of a replayed request without calling Meta', async () => {
    const { service, cloudApi, published } = setup();
    await service.dispatch(request(1));
    await service.dispatch(request(1));
    expect(cloudApi.calls).toHaveLength(1);
    expect(published).toEqual([
      { status: 'accepted', wamid: 'wamid.1' },
      { status: 'accepted', wamid: 'wamid.1' },
    ]);
  });

  it('reports a request whose earlier call was interrupted as unknown, without calling Meta', async () => {
    const store = new InMemoryAttemptStore();
    // A dispatcher claimed it and died mid-call (no outcome recorded).
    await store.claim(recipientId(BROADCAST, 2));
    const { service, cloudApi, published } = setup([], store);
    await service.dispatch(request(2));
    expect(cloudApi.calls).toHaveLength(0);
    expect(published).toHaveLength(1);
    expect(published[0]?.status).toBe('unknown');
    expect(published[0]?.status === 'unknown' && published[0].reason).toContain('interrupted');
  });

  it('records a timeout as unknown and never resends it on replay', async () => {
    const { service, cloudApi, published } = setup([{ kind: 'unknown', reason: 'timeout' }]);
    await service.dispatch(request(3));
    await service.dispatch(request(3));
    expect(cloudApi.calls).toHaveLength(1);
    expect(published).toEqual([
      { status: 'unknown', reason: 'timeout' },
      { status: 'unknown', reason: 'timeout' },
    ]);
  });

  it('releases the claim on a transient error, so the retry (or a replay after a crash) may call', async () => {
    const { service, cloudApi, published, store } = setup([error(131000, 500), error(131016, 503)]);
    await service.dispatch(request(4));
    expect(cloudApi.calls).toHaveLength(3);
    expect(published).toEqual([{ status: 'accepted', wamid: 'wamid.3' }]);
    expect(store.rows.get(recipientId(BROADCAST, 4))).toMatchObject({
      state: 'accepted',
      claims: 3,
    });
  });

  it('a request replayed after a crash during a backoff (claim released) is sent', async () => {
    const store = new InMemoryAttemptStore();
    await store.claim(recipientId(BROADCAST, 5));
    await store.release(recipientId(BROADCAST, 5));
    const { service, cloudApi, published } = setup([], store);
    await service.dispatch(request(5));
    expect(cloudApi.calls).toHaveLength(1);
    expect(published[0]).toMatchObject({ status: 'accepted' });
  });

  it('records a permanent failure and re-publishes it on replay', async () => {
    const { service, cloudApi, published } = setup([error(131026)]);
    await service.dispatch(request(6));
    await service.dispatch(request(6));
    expect(cloudApi.calls).toHaveLength(1);
    expect(published).toHaveLength(2);
    expect(published[1]).toMatchObject({ status: 'failed', error: { code: 131026 } });
  });

  it.each([190, 132015, 131048, 368])(
    'account-level %i pauses the sender: no failure, one probe per pause, sent after it heals',
    async (code) => {
      // Three probes fail (the account is broken for ~3 pauses), then Meta accepts.
      const { service, cloudApi, published } = setup([error(code), error(code), error(code)]);
      await Promise.all([service.dispatch(request(7)), service.dispatch(request(8))]);
      expect(published.map((o) => o.status)).toEqual(['accepted', 'accepted']);
      // Not two calls per pause: a request that waited for the slot re-checks the pause.
      expect(cloudApi.calls.length).toBeLessThanOrEqual(5);
    },
  );

  it('still fails fast on account-class codes that waiting cannot heal (132001 template missing)', async () => {
    const { service, cloudApi, published } = setup([error(132001)]);
    await service.dispatch(request(9));
    expect(cloudApi.calls).toHaveLength(1);
    expect(published[0]).toMatchObject({ status: 'failed', category: 'account' });
  });

  it('never holds a claim through a wire-gate queue longer than maxClaimHoldMs (250 ms)', async () => {
    // A rate cut (130429 storm) after slots were handed out queues requests at the wire gate. A
    // claim taken before that queue would leave every queued request `unknown` after a kill.
    const claimedAt: number[] = [];
    const store = new (class extends InMemoryAttemptStore {
      override claim(id: string) {
        claimedAt.push(now());
        return super.claim(id);
      }
    })();
    const { service, cloudApi, pacers, now } = setup([], store);
    const calledAt: number[] = [];
    const send = cloudApi.sendTemplate.bind(cloudApi);
    cloudApi.sendTemplate = (req) => {
      calledAt.push(now());
      return send(req);
    };
    const startedAt = now();
    const pacer = pacers.for('106540352242922');
    for (let i = 0; i < 2000; i++) pacer.reserveWire(startedAt); // 2 s of calls ahead at 1,000/s
    await service.dispatch(request(10));
    expect(calledAt).toHaveLength(1);
    expect(calledAt[0]! - startedAt).toBeGreaterThanOrEqual(2000);
    expect(claimedAt).toHaveLength(1);
    expect(calledAt[0]! - claimedAt[0]!).toBeLessThanOrEqual(250);
  });
});

describe('DispatchService and operator pauses (parking, issue 6)', () => {
  const target = { kind: 'broadcast' as const, broadcastId: BROADCAST };
  function paused() {
    const controls = new BroadcastControls();
    const parked = new InMemoryParkedRequests();
    controls.apply({ action: 'pause', target, reason: 'check the list' });
    return { controls, parked };
  }

  it('parks a request of a paused broadcast: no call, no claim, no result, dispatch completes', async () => {
    const { controls, parked } = paused();
    const { service, cloudApi, published, store } = setup([], undefined, { controls, parked });
    await service.dispatch(request(1));
    await service.dispatch(request(1)); // a replay parks once
    expect(cloudApi.calls).toHaveLength(0);
    expect(published).toHaveLength(0);
    expect(store.rows.size).toBe(0);
    expect([...parked.rows.keys()]).toEqual([recipientId(BROADCAST, 1)]);
  });

  it('asks for a sweep when a resume arrived while the request was being parked', async () => {
    const { controls, parked } = paused();
    let sweeps = 0;
    const racing = new (class extends InMemoryParkedRequests {
      override park(r: Request) {
        controls.apply({ action: 'resume', target, reason: 'resumed meanwhile' });
        return super.park(r);
      }
    })();
    const { service } = setup([], undefined, {
      controls,
      parked: racing,
      resumedWhileParking: () => sweeps++,
    });
    await service.dispatch(request(1));
    expect(racing.rows.size).toBe(1);
    expect(sweeps).toBe(1);
    expect(parked.rows.size).toBe(0);
  });

  it('parks a request whose sender is paused (every broadcast of that number)', async () => {
    const controls = new BroadcastControls();
    const parked = new InMemoryParkedRequests();
    controls.apply({
      action: 'pause',
      target: { kind: 'sender', phoneNumberId: '106540352242922' },
      reason: 'number review',
    });
    const { service, cloudApi } = setup([], undefined, { controls, parked });
    await service.dispatch(request(2));
    expect(cloudApi.calls).toHaveLength(0);
    expect(parked.rows.size).toBe(1);
  });

  it('parks, without claiming, a request paused while it waited for its pacer slot', async () => {
    const controls = new BroadcastControls();
    const parked = new InMemoryParkedRequests();
    let waits = 0;
    const { service, cloudApi, published, store, pacers, now } = setup([], undefined, {
      controls,
      parked,
      // The operator pauses while the request waits for its slot.
      wait: () => {
        waits++;
        controls.apply({ action: 'pause', target, reason: 'mid-wait' });
        return Promise.resolve();
      },
    });
    // 1 s of sends ahead: the request waits for its slot.
    const pacer = pacers.for('106540352242922');
    for (let i = 0; i < 1000; i++) pacer.reserve(now());
    await service.dispatch(request(3));
    expect(waits).toBe(1);
    expect(cloudApi.calls).toHaveLength(0);
    expect(store.rows.size).toBe(0);
    expect(parked.rows.has(recipientId(BROADCAST, 3))).toBe(true);
    expect(published).toHaveLength(0);
  });

  it('a cancelled broadcast: one failed result with the cancelled code, nothing sent or parked', async () => {
    const controls = new BroadcastControls();
    const parked = new InMemoryParkedRequests();
    controls.apply({ action: 'cancel', target, reason: 'wrong template' });
    const { service, cloudApi, published } = setup([], undefined, { controls, parked });
    await service.dispatch(request(4));
    expect(cloudApi.calls).toHaveLength(0);
    expect(parked.rows.size).toBe(0);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ status: 'failed', error: { code: CANCELLED_CODE } });
  });

  it('waits for the controls to be current before deciding (a pause published before a restart)', async () => {
    const controls = new BroadcastControls({ catchingUp: true });
    const parked = new InMemoryParkedRequests();
    const { service, cloudApi } = setup([], undefined, { controls, parked });
    const done = service.dispatch(request(5));
    await Promise.resolve();
    // The control topic replays the pause, then the handler marks the state current.
    controls.apply({ action: 'pause', target, reason: 'before the restart' });
    controls.caughtUp();
    await done;
    expect(cloudApi.calls).toHaveLength(0);
    expect(parked.rows.size).toBe(1);
  });
});
