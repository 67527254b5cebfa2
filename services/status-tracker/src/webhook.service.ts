import { timingSafeEqual as timingSafeEqualBuffers } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG, type Logger } from '@wab/service-runtime';
import type { TrackerConfig } from './config.js';
import { parseOptOuts } from './domain/opt-out.js';
import { parseWebhookPayload, type StatusUpdate } from './domain/webhook-payload.js';
import { verifyWebhookSignature } from './domain/webhook-signature.js';
import { trackerMetrics } from './metrics.js';
import { RecordingService } from './recording.service.js';
import { SuppressionService } from './suppression.service.js';
import { LOGGER } from './tokens.js';

/** Signature refused: nothing of the body is read or stored. */
export class InvalidSignatureError extends Error {
  constructor() {
    super('X-Hub-Signature-256 is missing or does not match the body');
    this.name = 'InvalidSignatureError';
  }
}

export class MalformedWebhookError extends Error {
  constructor() {
    super('the body is not JSON');
    this.name = 'MalformedWebhookError';
  }
}

interface Waiting {
  statuses: StatusUpdate[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Meta's status webhooks: verified, parsed, and written in batches.
 *
 * Meta expects a 200 within a few hundred milliseconds and sends statuses at about three times the
 * send rate, many POSTs at once. Each POST is answered only once its statuses are committed (Meta
 * retries anything else for days, so a 200 before the write could lose a status on a crash), but the
 * writes of concurrent POSTs are coalesced: statuses arriving within LINGER_MS of each other share
 * one transaction, up to MAX_BATCH statuses. One write in flight at a time keeps transactions from
 * queueing on the same broadcast row.
 */
@Injectable()
export class WebhookService implements BeforeApplicationShutdown {
  static readonly LINGER_MS = 10;
  static readonly MAX_BATCH = 2000;
  private readonly log: Logger;
  private queue: Waiting[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly recording: RecordingService,
    private readonly suppressions: SuppressionService,
    @Inject(SERVICE_CONFIG) private readonly config: TrackerConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'WebhookService' });
  }

  /** The subscription handshake: the challenge when the token matches, undefined otherwise. */
  verifySubscription(mode: unknown, token: unknown, challenge: unknown): string | undefined {
    if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') {
      return undefined;
    }
    return safeEqual(token, this.config.WHATSAPP_VERIFY_TOKEN) ? challenge : undefined;
  }

  /** Verifies, parses and records one POST; resolves once its statuses are durable. */
  async receive(
    rawBody: Buffer,
    signature: string | string[] | undefined,
  ): Promise<{ statuses: number; ignored: number }> {
    if (!verifyWebhookSignature(rawBody, signature, this.config.WHATSAPP_APP_SECRET)) {
      trackerMetrics.webhookRequests.inc({ outcome: 'bad_signature' });
      throw new InvalidSignatureError();
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      trackerMetrics.webhookRequests.inc({ outcome: 'invalid' });
      throw new MalformedWebhookError();
    }
    const { statuses, ignored } = parseWebhookPayload(body);
    // Opt-outs (STOP replies, user_preferences) are rare: written directly, not batched. Durable
    // before the 200, like statuses: a failure answers 500 and Meta re-delivers.
    const optOuts = parseOptOuts(body);
    if (optOuts.length > 0) await this.suppressions.recordOptOuts(optOuts);
    if (statuses.length > 0) await this.enqueue(statuses);
    trackerMetrics.webhookRequests.inc({ outcome: 'accepted' });
    return { statuses: statuses.length, ignored };
  }

  private enqueue(statuses: StatusUpdate[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ statuses, resolve, reject });
      this.queued += statuses.length;
      if (this.queued >= WebhookService.MAX_BATCH) this.flushSoon(0);
      else this.flushSoon(WebhookService.LINGER_MS);
    });
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.writeQueued());
    }, delayMs);
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Waiting[] = [];
      let size = 0;
      while (this.queue.length > 0 && (batch.length === 0 || size < WebhookService.MAX_BATCH)) {
        const next = this.queue.shift()!;
        batch.push(next);
        size += next.statuses.length;
      }
      this.queued -= size;
      try {
        await this.recording.recordStatuses(batch.flatMap((waiting) => waiting.statuses));
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        this.log.error(
          { err: error, statuses: size },
          'could not record webhook statuses (Meta will retry)',
        );
        for (const waiting of batch) waiting.reject(error);
      }
    }
  }

  /** Shutdown: writes what is queued before the database closes (onApplicationShutdown). */
  beforeApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  /** Waits for queued statuses to be written. */
  async drain(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writing = this.writing.then(() => this.writeQueued());
    }
    await this.writing;
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself to spend the same time either way.
  return left.length === right.length
    ? timingSafeEqualBuffers(left, right)
    : (timingSafeEqualBuffers(left, left), false);
}
