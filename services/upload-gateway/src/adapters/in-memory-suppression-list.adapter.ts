import { Readable } from 'node:stream';
import {
  SuppressionList,
  type Suppression,
  type SuppressionPage,
} from '../ports/suppression-list.port.js';

/** The suppression list in memory, per tenant (unit tests). */
export class InMemorySuppressionList extends SuppressionList {
  private readonly tenants = new Map<string, Map<string, Suppression>>();

  private of(tenantId: string): Map<string, Suppression> {
    let list = this.tenants.get(tenantId);
    if (!list) this.tenants.set(tenantId, (list = new Map<string, Suppression>()));
    return list;
  }

  /** Test setup: a number as if a webhook had listed it. */
  seed(tenantId: string, phone: string, reason: Suppression['reason'] = 'stop-reply'): void {
    const now = new Date().toISOString();
    this.of(tenantId).set(phone, { phone, reason, optedOutAt: now, createdAt: now });
  }

  list(tenantId: string, query: { limit?: number; after?: string }): Promise<SuppressionPage> {
    const limit = query.limit ?? 100;
    const items = [...this.of(tenantId).values()]
      .sort((a, b) => (a.phone < b.phone ? -1 : 1))
      .filter((s) => !query.after || s.phone > query.after)
      .slice(0, limit);
    const last = items[items.length - 1];
    return Promise.resolve({
      items,
      ...(last && items.length === limit ? { nextCursor: last.phone } : {}),
    });
  }

  exportCsv(tenantId: string): Promise<Readable> {
    const lines = [...this.of(tenantId).values()].map((s) => `${s.phone},${s.reason}\r\n`);
    return Promise.resolve(Readable.from(['phone,reason\r\n', ...lines]));
  }

  add(
    tenantId: string,
    phone: string,
    detail?: string,
  ): Promise<{ created: boolean; suppression: Suppression }> {
    const existing = this.of(tenantId).get(phone);
    if (existing) return Promise.resolve({ created: false, suppression: existing });
    const now = new Date().toISOString();
    const suppression: Suppression = {
      phone,
      reason: 'api',
      ...(detail !== undefined ? { detail } : {}),
      optedOutAt: now,
      createdAt: now,
    };
    this.of(tenantId).set(phone, suppression);
    return Promise.resolve({ created: true, suppression });
  }

  remove(tenantId: string, phone: string): Promise<boolean> {
    return Promise.resolve(this.of(tenantId).delete(phone));
  }

  check(tenantId: string, phones: readonly string[]): Promise<Map<string, string>> {
    const list = this.of(tenantId);
    return Promise.resolve(
      new Map(phones.flatMap((p) => (list.has(p) ? [[p, list.get(p)!.reason] as const] : []))),
    );
  }
}
