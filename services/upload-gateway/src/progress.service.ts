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
}
