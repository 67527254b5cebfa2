import type { Readable } from 'node:stream';

/** One number on the tenant's suppression list, as status-tracker answers it. */
export interface Suppression {
  phone: string;
  reason: 'stop-reply' | 'user-preferences' | 'api';
  detail?: string;
  phoneNumberId?: string;
  messageId?: string;
  optedOutAt: string;
  createdAt: string;
}

export interface SuppressionPage {
  items: Suppression[];
  nextCursor?: string;
}

/**
 * The tenant's suppression (opt-out) list, kept by status-tracker. Numbers here are E.164: callers
 * normalise first. Abstract class = type and DI token.
 */
export abstract class SuppressionList {
  abstract list(
    tenantId: string,
    query: { limit?: number; after?: string },
  ): Promise<SuppressionPage>;
  /** The whole list as CSV, streamed from status-tracker (never buffered). */
  abstract exportCsv(tenantId: string): Promise<Readable>;
  abstract add(
    tenantId: string,
    phone: string,
    detail?: string,
  ): Promise<{ created: boolean; suppression: Suppression }>;
  /** false when the number was not listed. */
  abstract remove(tenantId: string, phone: string): Promise<boolean>;
  /** The listed ones among `phones` (at most 5,000), number → reason. */
  abstract check(tenantId: string, phones: readonly string[]): Promise<Map<string, string>>;
}
