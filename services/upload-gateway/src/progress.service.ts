/**
 * Progress, recipients and reports: read through from status-tracker with the caller's tenant.
 * Another tenant's broadcast answers exactly like a missing one (404), so ids cannot be probed.
 */
import { BROADCAST_ID } from './domain/broadcast-request.js';
import { broadcastNotFound } from './domain/errors.js';
import type {
  BroadcastStatus,
  PageQuery,
  RecipientsQuery,
  ReportStream,
  StatusTracker,
} from './ports/status-tracker.port.js';
import { links } from './broadcasts.service.js';

export class ProgressService {
  constructor(private readonly tracker: StatusTracker) {}

  async get(
    tenantId: string,
    id: string,
  ): Promise<BroadcastStatus & { links: ReturnType<typeof links> }> {
    const status = BROADCAST_ID.test(id) ? await this.tracker.get(tenantId, id) : undefined;
    if (!status) throw broadcastNotFound(id);
    return { ...status, links: links(id) };
  }

  list(tenantId: string, query: PageQuery): Promise<unknown> {
    return this.tracker.list(tenantId, query);
  }

  async recipients(tenantId: string, id: string, query: RecipientsQuery): Promise<unknown> {
    const page = BROADCAST_ID.test(id)
      ? await this.tracker.recipients(tenantId, id, query)
      : undefined;
    if (page === undefined) throw broadcastNotFound(id);
    return page;
  }

  async report(tenantId: string, id: string): Promise<ReportStream> {
    const report = BROADCAST_ID.test(id) ? await this.tracker.report(tenantId, id) : undefined;
    if (!report) throw broadcastNotFound(id);
    return report;
  }

  /**
   * The progress of a broadcast every `intervalMs` until it is over (completed, failed, cancelled)
   * or `signal` aborts: the source of the SSE stream. Each tick is one read of status-tracker's
   * computed progress (counts, rate, ETA, errors by reason), so the stream is never ahead of the
   * truth and costs one small query per second per watcher. A transient tracker error is reported as
   * an `error` tick and retried on the next one; the stream itself keeps going.
   */
  async *watch(
    tenantId: string,
    id: string,
    { intervalMs = 1000, signal }: { intervalMs?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<ProgressTick> {
    // The first read throws 404 for an unknown broadcast, before any byte of the stream is sent.
    let status: BroadcastStatus | undefined = await this.get(tenantId, id);
    for (;;) {
      if (status) {
        const over = isOver(status);
        yield { kind: over ? 'end' : 'progress', status };
        if (over) return;
      }
      if (signal?.aborted) return;
      await delay(intervalMs, signal);
      if (signal?.aborted) return;
      try {
        status = await this.get(tenantId, id);
      } catch (error) {
        status = undefined;
        yield { kind: 'error', message: error instanceof Error ? error.message : String(error) };
      }
    }
  }
}

export type ProgressTick =
  { kind: 'progress' | 'end'; status: BroadcastStatus } | { kind: 'error'; message: string };

/** Over: nothing more will change without an operator (completed, failed, cancelled). */
export function isOver(status: BroadcastStatus): boolean {
  return (
    status.state === 'completed' ||
    status.state === 'failed' ||
    status.state === 'cancelled' ||
    (status.complete === true && status.state !== 'created')
  );
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
