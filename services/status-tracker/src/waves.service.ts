import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@wab/service-runtime';
import { resendFilter } from './domain/resend-eligibility.js';
import { BroadcastStore, type WaveOutcome, type WaveRecord } from './ports/broadcast-store.port.js';
import { WavePublisher } from './ports/wave-publisher.port.js';
import { LOGGER } from './tokens.js';

/** A wave left in `created` longer than this by the sweep has lost its uploaded event: publish again. */
const REPUBLISH_AFTER_MS = 30_000;

/**
 * Use cases of resend waves (issue 8) and UNKNOWN_POLICY=resend (issue 6): create the next wave of a
 * broadcast from the stored outcomes (the store selects; domain/resend-eligibility.ts says what is
 * eligible), serve a wave's rows to csv-splitter, and, for the unknown policy, create and start waves
 * of unknown outcomes automatically.
 */
@Injectable()
export class WavesService {
  private readonly log: Logger;

  constructor(
    private readonly store: BroadcastStore,
    private readonly publisher: WavePublisher,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'WavesService' });
  }

  /** An operator's resend (upload-gateway publishes the wave's uploaded event). ResendFilterError: bad filter. */
  async create(
    tenantId: string,
    broadcastId: string,
    request: { states?: string[]; errorCodes?: (string | number)[] },
  ): Promise<WaveOutcome> {
    const outcome = await this.store.createWave({
      tenantId,
      broadcastId,
      newId: randomUUID(),
      filter: resendFilter(request),
      origin: 'operator',
    });
    if (outcome.kind === 'created') {
      this.log.info(
        {
          tenantId,
          correlationId: outcome.wave.id,
          parentBroadcastId: outcome.wave.parentBroadcastId,
          wave: outcome.wave.number,
          selected: outcome.wave.selected,
        },
        'resend wave created',
      );
    }
    return outcome;
  }

  waveRows(
    tenantId: string,
    waveId: string,
    options: { afterRowNumber?: number; limit: number },
  ): Promise<number[] | undefined> {
    return this.store.waveRows(tenantId, waveId, options);
  }

  /**
   * UNKNOWN_POLICY=resend, after the window's report: one wave of the reported unknowns per family
   * whose latest wave is over, each unknown resent at most once. Returns the waves started.
   */
  async resendStaleUnknown(maxAgeSeconds: number, now: Date = new Date()): Promise<WaveRecord[]> {
    const started: WaveRecord[] = [];
    for (const family of await this.store.familiesWithStaleUnknown(100, maxAgeSeconds)) {
      const outcome = await this.store.createWave({
        ...family,
        newId: randomUUID(),
        filter: resendFilter({ states: ['unknown'] }),
        origin: 'unknown-policy',
        unknownAtMostOnce: true,
      });
      let wave: WaveRecord | undefined;
      if (outcome.kind === 'created') wave = outcome.wave;
      else if (
        outcome.kind === 'not-yet-started' &&
        outcome.wave.origin === 'unknown-policy' &&
        now.getTime() - outcome.wave.createdAt.getTime() > REPUBLISH_AFTER_MS
      ) {
        wave = outcome.wave;
      }
      if (!wave) continue;
      await this.publisher.publishUploaded(wave);
      this.log.warn(
        {
          tenantId: wave.tenantId,
          correlationId: wave.id,
          parentBroadcastId: wave.parentBroadcastId,
          wave: wave.number,
          selected: wave.selected,
          policy: 'resend',
        },
        'unknown outcomes past the window resent in a new wave (a duplicate is possible if Meta had them)',
      );
      started.push(wave);
    }
    return started;
  }
}
