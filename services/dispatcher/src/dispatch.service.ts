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
import type { CloudApi } from './ports/cloud-api.port.js';

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
}

const NO_OBSERVER: DispatchObserver = {
  call: () => undefined,
  retry: () => undefined,
  waited: () => undefined,
  result: () => undefined,
};

export interface DispatchOptions {
  observer?: DispatchObserver;
  maxAttempts: number;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * One Cloud API call per recipient request, with pacing, classified retries and exactly one
 * `message.send-result` per request. Never throws for Cloud API problems: every path ends in a
 * published outcome, so the request's offset can be committed.
 */
export class DispatchService {
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly observer: DispatchObserver;
  private readonly results: ResultSink;

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
    const sink = results;
    this.results = {
      publishResult: async (request, outcome, attempts, latencyMs) => {
        await sink.publishResult(request, outcome, attempts, latencyMs);
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
    let attempts = 0;
    for (;;) {
      const waitMs = pacer.reserve(this.now());
      this.observer.waited(waitMs / 1000);
      if (waitMs > 0) await this.wait(waitMs);
      attempts++;
      const callStarted = this.now();
      const outcome = await this.cloudApi.sendTemplate({
        phoneNumberId: payload.phoneNumberId,
        to: payload.to,
        template: payload.template,
        bizOpaqueCallbackData: payload.bizOpaqueCallbackData,
      });
      const elapsed = () => this.now() - startedAt;
      this.observer.call(
        outcome.kind === 'not-sent' ? 'not_sent' : outcome.kind,
        outcome.kind === 'error' ? outcome.code : undefined,
        (this.now() - callStarted) / 1000,
      );
      switch (outcome.kind) {
        case 'accepted':
          return this.results.publishResult(
            request,
            {
              status: 'accepted',
              wamid: outcome.wamid,
              ...(outcome.messageStatus ? { messageStatus: outcome.messageStatus } : {}),
            },
            attempts,
            elapsed(),
          );
        case 'unknown':
          // It may have reached Meta: resending could message the recipient twice. Report it;
          // status webhooks (biz_opaque_callback_data) settle what really happened.
          log.warn({ to: maskPhone(payload.to), reason: outcome.reason }, 'send outcome unknown');
          return this.results.publishResult(
            request,
            { status: 'unknown', reason: outcome.reason.slice(0, 1000) },
            attempts,
            elapsed(),
          );
        case 'not-sent':
          if (attempts >= this.options.maxAttempts) {
            return this.results.publishResult(
              request,
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
              elapsed(),
            );
          }
          this.observer.retry('not-sent');
          await this.wait(retryDelayMs('retry', attempts, this.random));
          continue;
        case 'error': {
          const action: ErrorAction = classifyError(outcome.code);
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
            return this.results.publishResult(
              request,
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
              elapsed(),
            );
          }
          this.observer.retry(action);
          // 130429 waits for the pacer (already slowed); the others back off before trying again.
          if (action !== 'throttle-sender')
            await this.wait(retryDelayMs(action, attempts, this.random));
          continue;
        }
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
