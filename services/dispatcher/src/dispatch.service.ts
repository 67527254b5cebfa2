import { setTimeout as sleep } from 'node:timers/promises';
import { createEnvelope, type EventOf, type PayloadOf } from '@wab/contracts';
import { maskPhone, type Logger } from '@wab/service-runtime';
import {
  categoryOf,
  classifyError,
  retryDelayMs,
  type ErrorAction,
} from './domain/error-classes.js';
import type { PacerRegistry } from './domain/pacer-registry.js';
import type { AttemptStore } from './ports/attempt-store.port.js';
import type { CloudApi } from './ports/cloud-api.port.js';
import type { ParkedRequests } from './ports/parked-requests.port.js';
import { decideAttempt } from './domain/attempt-decision.js';

type SendRequested = EventOf<'message.send-requested'>;
type Outcome = PayloadOf<'message.send-result'>['outcome'];

/** Where results go; resolves once the result is durable (the caller commits after it). */
export interface ResultSink {
  publishResult(
    request: SendRequested,
    outcome: Outcome,
    attempts: number,
    latencyMs: number,
  ): Promise<void>;
}

/** What the dispatcher reports for metrics; the Prometheus adapter implements it. */
export interface DispatchObserver {
  call(
    outcome: 'accepted' | 'error' | 'unknown' | 'not_sent',
    code: number | undefined,
    seconds: number,
  ): void;
  retry(action: string): void;
  waited(seconds: number): void;
  result(status: 'accepted' | 'failed' | 'unknown'): void;
  /** An account-level error paused a sender (code: Meta's error code). */
  senderPaused?(code: number): void;
  /** A request of a paused broadcast or sender was parked. */
  parked?(): void;
}

const NO_OBSERVER: DispatchObserver = {
  call: () => undefined,
  retry: () => undefined,
  waited: () => undefined,
  result: () => undefined,
};

export interface DispatchOptions {
  observer?: DispatchObserver;
  /** The durable attempt record consulted before every call (no recipient messaged twice). */
  attempts: AttemptStore;
  maxAttempts: number;
  /** How long an account-level error (token expired, template paused, spam limit) pauses the sender. */
  accountPauseMs?: number;
  /** How long the attempt record or Kafka may be unavailable before a request is given up (logged, replayed). */
  infraRetryMs?: number;
  /** Operator controls (pause, resume, cancel) per broadcast and sender; none means always active. */
  controls?: {
    stateOf(
      broadcastId: string,
      phoneNumberId: string,
    ): { state: 'active' | 'paused' | 'cancelled'; reason?: string };
    /** Resolves once the controls reflect the control topic as it was at start (see ControlHandler). */
    whenCurrent?(): Promise<void>;
  };
  /**
   * Where requests of a paused broadcast or sender go (UnparkService brings them back). Without it
   * (unit tests of other paths) a paused request waits in place, polling every `controlPollMs`.
   */
  parked?: ParkedRequests;
  /**
   * Called when a request was parked but its target is no longer paused by the time the park was
   * durable (a resume raced it): UnparkService sweeps at once instead of at its next interval.
   */
  resumedWhileParking?: () => void;
  /** Without `parked`: how often a paused request looks again (default 250 ms). */
  controlPollMs?: number;
  /**
   * The longest a claimed request may wait at the wire gate (default 250 ms). Longer backlogs are
   * waited out unclaimed; this bounds what a kill can leave `unknown` to about this much sending.
   */
  maxClaimHoldMs?: number;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Our own error code for recipients of a cancelled broadcast (Meta's codes are all below 900000). */
export const CANCELLED_CODE = 900100;

/**
 * Account-level errors that pause the whole sender instead of failing the recipient: sending more
 * cannot succeed until someone fixes the account, and failing fast would burn through the list.
 * The other account-class codes (e.g. 132001 template missing) fail the request as before: they do
 * not heal by waiting.
 */
export const SENDER_PAUSING_CODES: ReadonlySet<number> = new Set([
  190, 368, 131031, 131042, 131048, 132015,
]);

/**
 * One Cloud API call per recipient request, with pacing, classified retries and exactly one
 * `message.send-result` per request. Never throws for Cloud API problems: every path ends in a
 * published outcome, so the request's offset can be committed.
 *
 * No recipient messaged twice (the attempt record, ports/attempt-store.port.ts):
 * 1. After the pacer grants a slot and right before the call, the request is *claimed* in the
 *    durable record (state `sending`). Claiming after pacing matters: a request waiting for its
 *    slot when the process dies has made no claim, so its replay simply sends it.
 * 2. A claim that fails because the record already exists decides without calling Meta
 *    (domain/attempt-decision.ts): a final outcome is re-published as recorded; a `sending` claim
 *    (the dispatcher died mid-call, or another replica still runs it during a rebalance) becomes
 *    `unknown` (reason `interrupted`), reconciled by status-tracker from the status webhooks.
 * 3. After the call: an outcome that ends the request is recorded (`accepted` with its wamid,
 *    `failed`, `unknown` on timeouts) before or with its send-result; the offset is committed only
 *    after both (ParallelConsumer). A crash between them replays into step 2's re-publish.
 * 4. A call Meta certainly did not take (an error response, or the request never left) releases
 *    the claim before backing off, and the next attempt claims again. So a dispatcher killed during
 *    a backoff or a sender pause leaves a `released` record, and the replay sends.
 * The window in which a kill leaves a recipient `unknown` is therefore the call itself plus the
 * claim's short wait at the wire gate (at most `maxClaimHoldMs` beyond one claim batch).
 *
 * Operator controls: a request whose broadcast or sender is paused, on arrival or after its pacer
 * wait (always before a claim), is *parked* (ports/parked-requests.port.ts) and its dispatch ends
 * without a result: it holds no window slot and its offset is committed, so a paused broadcast
 * never stalls the others on its partitions (issue 6). UnparkService re-publishes it on resume or
 * cancel. A request of a cancelled broadcast gets a `failed` result with CANCELLED_CODE.
 */
export class DispatchService {
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly observer: DispatchObserver;
  private readonly results: ResultSink;
  private readonly attempts: AttemptStore;
  private readonly maxClaimHoldMs: number;

  constructor(
    private readonly cloudApi: CloudApi,
    private readonly pacers: PacerRegistry,
    results: ResultSink,
    private readonly log: Logger,
    private readonly options: DispatchOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.wait = options.wait ?? ((ms) => sleep(ms).then(() => undefined));
    this.random = options.random ?? Math.random;
    this.observer = options.observer ?? NO_OBSERVER;
    this.attempts = options.attempts;
    this.maxClaimHoldMs = options.maxClaimHoldMs ?? 250;
    const sink = results;
    this.results = {
      publishResult: async (request, outcome, attempts, latencyMs) => {
        await this.durably('publish the send-result', () =>
          sink.publishResult(request, outcome, attempts, latencyMs),
        );
        this.observer.result(outcome.status);
      },
    };
  }

  async dispatch(request: SendRequested): Promise<void> {
    const { payload } = request;
    const startedAt = this.now();
    const pacer = this.pacers.for(payload.phoneNumberId);
    const log = this.log.child({
      correlationId: request.correlationId,
      recipientId: payload.recipientId,
    });
    const elapsed = () => this.now() - startedAt;
    /** Records a final outcome and publishes it; the record and the event are both durable on return. */
    const finish = async (outcome: Outcome, attempts: number) => {
      await Promise.all([
        this.durably('record the outcome', () =>
          this.attempts.finish(payload.recipientId, outcome),
        ),
        this.results.publishResult(request, outcome, Math.max(1, attempts), elapsed()),
      ]);
    };
    /** Meta certainly did not take the last call: let a later claim (ours or a replay) call again. */
    const release = () =>
      this.durably('release the claim', () => this.attempts.release(payload.recipientId));
    let attempts = 0;
    await this.options.controls?.whenCurrent?.();
    for (;;) {
      const held = await this.holdIfPaused(request);
      if (held === 'parked') {
        log.debug(
          { broadcastId: payload.broadcastId },
          'request parked: its broadcast or sender is paused',
        );
        return;
      }
      if (held === 'cancelled') {
        // Nothing was sent: a final `failed` with our own code, so the recipient is accounted for.
        return this.results.publishResult(
          request,
          {
            status: 'failed',
            error: { code: CANCELLED_CODE, title: 'Cancelled by the operator before it was sent' },
            category: 'permanent',
            retryable: false,
          },
          Math.max(1, attempts),
          elapsed(),
        );
      }
      await this.waitWhilePaused(pacer);
      const waitMs = pacer.reserve(this.now());
      this.observer.waited(waitMs / 1000);
      if (waitMs > 0) await this.wait(waitMs);
      // A claim must never wait in a queue: a kill would leave it `unknown` although it never
      // reached Meta. The wire gate below queues when the rate was cut after this slot was handed
      // out (a 130429 storm), so while its backlog is longer than `maxClaimHoldMs`, go back to the
      // pacer (at the new rate) unclaimed instead of claiming and queueing.
      const backlogMs = pacer.wireBacklogMs(this.now());
      if (backlogMs > this.maxClaimHoldMs) {
        await this.wait(backlogMs - this.maxClaimHoldMs);
        continue;
      }
      // Paused (account error, maintenance, an operator) while this request waited for its slot:
      // look again before claiming, so a pause stops new sends at once (an operator's pause parks
      // the request at the top of the loop).
      if (pacer.pausedUntil > this.now()) continue;
      const control = this.options.controls?.stateOf(payload.broadcastId, payload.phoneNumberId);
      if (control && control.state !== 'active') continue;
      const claim = await this.durably('claim the attempt', () =>
        this.attempts.claim(payload.recipientId, payload.broadcastId),
      );
      const decision = decideAttempt(claim);
      if (decision.kind === 'republish') {
        log.info(
          { status: decision.outcome.status },
          'replayed request: recorded outcome re-published',
        );
        return this.results.publishResult(
          request,
          decision.outcome,
          Math.max(1, attempts),
          elapsed(),
        );
      }
      if (decision.kind === 'interrupted') {
        // Never call again: the record is not ours to finish (the holder, if alive, records it).
        log.warn({ to: maskPhone(payload.to) }, 'replayed request was in flight: reported unknown');
        return this.results.publishResult(
          request,
          { status: 'unknown', reason: decision.reason },
          Math.max(1, attempts),
          elapsed(),
        );
      }
      // The claim's round trip to the database takes a variable time, which would bunch calls that
      // the pacer had spaced out (a batch of claims resolving together), and bunches earn 130429s.
      // The wire gate re-spaces them at the sender's current rate right before they leave.
      const wireWaitMs = pacer.reserveWire(this.now());
      if (wireWaitMs > 0) await this.wait(wireWaitMs);
      attempts++;
      const callStarted = this.now();
      const outcome = await this.cloudApi.sendTemplate({
        phoneNumberId: payload.phoneNumberId,
        to: payload.to,
        template: payload.template,
        bizOpaqueCallbackData: payload.bizOpaqueCallbackData,
      });
      this.observer.call(
        outcome.kind === 'not-sent' ? 'not_sent' : outcome.kind,
        outcome.kind === 'error' ? outcome.code : undefined,
        (this.now() - callStarted) / 1000,
      );
      switch (outcome.kind) {
        case 'accepted':
          return finish(
            {
              status: 'accepted',
              wamid: outcome.wamid,
              ...(outcome.messageStatus ? { messageStatus: outcome.messageStatus } : {}),
            },
            attempts,
          );
        case 'unknown':
          // It may have reached Meta: resending could message the recipient twice. Report it;
          // status webhooks (biz_opaque_callback_data) settle what really happened.
          log.warn({ to: maskPhone(payload.to), reason: outcome.reason }, 'send outcome unknown');
          return finish({ status: 'unknown', reason: outcome.reason.slice(0, 1000) }, attempts);
        case 'not-sent':
          if (attempts >= this.options.maxAttempts) {
            return finish(
              {
                status: 'failed',
                error: {
                  code: 131016,
                  title: `Cloud API unreachable: ${outcome.reason}`.slice(0, 1000),
                },
                category: 'transient',
                retryable: true,
              },
              attempts,
            );
          }
          this.observer.retry('not-sent');
          await release();
          await this.wait(retryDelayMs('retry', attempts, this.random));
          continue;
        case 'error': {
          const action: ErrorAction = classifyError(outcome.code);
          if (action === 'account' && SENDER_PAUSING_CODES.has(outcome.code)) {
            // Stop calling Meta for this sender; this request (and every other one of the sender)
            // waits and is retried after the pause. It is not failed and not counted as an attempt.
            const pauseMs = this.options.accountPauseMs ?? 60_000;
            if (pacer.pausedUntil <= this.now()) {
              log.error(
                {
                  code: outcome.code,
                  title: outcome.title,
                  phoneNumberId: payload.phoneNumberId,
                  pauseMs,
                },
                'account-level Cloud API error: sender paused',
              );
            }
            pacer.pause(this.now(), pauseMs);
            this.observer.senderPaused?.(outcome.code);
            attempts--;
            await release();
            continue;
          }
          if (action === 'throttle-sender') pacer.onThrottled(this.now());
          if (action === 'pause-sender')
            pacer.pause(this.now(), retryDelayMs('pause-sender', attempts, this.random));
          const final =
            action === 'permanent' || action === 'account' || attempts >= this.options.maxAttempts;
          if (final) {
            if (action === 'account')
              log.error(
                { code: outcome.code, title: outcome.title },
                'account-level Cloud API error',
              );
            return finish(
              {
                status: 'failed',
                error: {
                  code: outcome.code,
                  title: outcome.title,
                  httpStatus: outcome.httpStatus,
                  ...(outcome.details ? { details: outcome.details } : {}),
                  ...(outcome.subcode !== undefined ? { subcode: outcome.subcode } : {}),
                  ...(outcome.fbtraceId ? { fbtraceId: outcome.fbtraceId } : {}),
                },
                category: categoryOf(action),
                retryable: categoryOf(action) === 'transient',
              },
              attempts,
            );
          }
          this.observer.retry(action);
          await release();
          // 130429 waits for the pacer (already slowed); the others back off before trying again.
          if (action !== 'throttle-sender')
            await this.wait(retryDelayMs(action, attempts, this.random));
          continue;
        }
      }
    }
  }

  /**
   * Parks the request if an operator holds its broadcast or sender (durable on return), or, without
   * a parked store, waits until the hold ends. Returns what the caller does next.
   */
  private async holdIfPaused(request: SendRequested): Promise<'parked' | 'active' | 'cancelled'> {
    const { broadcastId, phoneNumberId } = request.payload;
    const parked = this.options.parked;
    if (!parked) return this.waitWhileHeld(broadcastId, phoneNumberId);
    const state = this.options.controls?.stateOf(broadcastId, phoneNumberId).state ?? 'active';
    if (state !== 'paused') return state;
    await this.durably('park the request', () => parked.park(request));
    this.observer.parked?.();
    if (this.options.controls?.stateOf(broadcastId, phoneNumberId).state !== 'paused')
      this.options.resumedWhileParking?.();
    return 'parked';
  }

  /** Waits while an operator holds the broadcast or its sender; returns the state it ended in. */
  private async waitWhileHeld(
    broadcastId: string,
    phoneNumberId: string,
  ): Promise<'active' | 'cancelled'> {
    for (;;) {
      const state = this.options.controls?.stateOf(broadcastId, phoneNumberId).state ?? 'active';
      if (state !== 'paused') return state;
      await this.wait(this.options.controlPollMs ?? 250);
    }
  }

  private async waitWhilePaused(pacer: { pausedUntil: number }): Promise<void> {
    for (;;) {
      const ms = pacer.pausedUntil - this.now();
      if (ms <= 0) return;
      await this.wait(ms);
    }
  }

  /**
   * The attempt record and Kafka are infrastructure: a broker restart or a database failover must
   * not turn into a wrong outcome. Retries with capped backoff; past `infraRetryMs` it throws, the
   * request is logged and replayed after the next restart (its offset is never passed while the
   * window holds it... ParallelConsumer counts a rejection as done, so keep this long).
   */
  private async durably<T>(what: string, work: () => Promise<T>): Promise<T> {
    const deadline = this.now() + (this.options.infraRetryMs ?? 300_000);
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (this.now() > deadline) throw error;
        this.log.warn({ error: String(error), attempt }, `could not ${what}; retrying`);
        await this.wait(
          Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + this.random() / 2),
        );
      }
    }
  }
}

/** Builds the result event for a request: same tenant and correlation id, keyed by recipient. */
export function resultEvent(
  request: SendRequested,
  outcome: Outcome,
  attempts: number,
  latencyMs: number,
): EventOf<'message.send-result'> {
  const { payload } = request;
  return createEnvelope(
    'message.send-result',
    {
      broadcastId: payload.broadcastId,
      recipientId: payload.recipientId,
      rowNumber: payload.rowNumber,
      phoneNumberId: payload.phoneNumberId,
      outcome,
      attempts,
      latencyMs: Math.max(0, Math.round(latencyMs)),
    },
    { tenantId: request.tenantId, correlationId: request.correlationId },
  );
}
