import type { OptOutEvent, SuppressionReason } from '../domain/opt-out.js';

/** One number on a tenant's suppression list. */
export interface SuppressionRecord {
  phone: string;
  reason: SuppressionReason;
  detail?: string;
  phoneNumberId?: string;
  messageId?: string;
  optedOutAt: Date;
  createdAt: Date;
}

export interface OptOutResult {
  /** Suppressions added (one event may add one per tenant sending from that number). */
  added: number;
  /** Suppressions removed by `resume` events. */
  removed: number;
  /** Events whose business number no tenant uses (nothing recorded). */
  unattributed: number;
}

/**
 * The per-tenant suppression list. Every read and write takes the tenant, except `recordOptOuts`:
 * webhooks carry only the business number, and the store attributes it to every tenant that has sent
 * (or registered) a broadcast from that phone_number_id. Abstract class = type and DI token.
 */
export abstract class SuppressionStore {
  /** Webhook opt-outs, in order, in one transaction. Idempotent: re-delivered webhooks change nothing. */
  abstract recordOptOuts(events: readonly OptOutEvent[]): Promise<OptOutResult>;

  /** Adds a number (reason `api`); `created` is false when it was already listed (kept as it was). */
  abstract add(
    tenantId: string,
    phone: string,
    detail?: string,
  ): Promise<{ created: boolean; record: SuppressionRecord }>;

  /** Removes a number whatever its reason; false when it was not listed. */
  abstract remove(tenantId: string, phone: string): Promise<boolean>;

  abstract get(tenantId: string, phone: string): Promise<SuppressionRecord | undefined>;

  /** Keyset page in phone order, after `afterPhone`. */
  abstract list(
    tenantId: string,
    options: { limit: number; afterPhone?: string },
  ): Promise<SuppressionRecord[]>;

  /** The listed ones among `phones` (E.164), with their reason. */
  abstract check(
    tenantId: string,
    phones: readonly string[],
  ): Promise<{ phone: string; reason: SuppressionReason }[]>;
}
