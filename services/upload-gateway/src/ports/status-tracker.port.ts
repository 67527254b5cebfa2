import type { Readable } from 'node:stream';
import type { CsvMapping, TemplateRef } from '@wab/contracts';

/** Body of `PUT /internal/broadcasts/:id`: registers a draft (state `created`); idempotent. */
export interface BroadcastRegistration {
  tenantId: string;
  name?: string;
  phoneNumberId: string;
  template: Required<Pick<TemplateRef, 'name' | 'language'>> & Pick<TemplateRef, 'parameterFormat'>;
  mapping: CsvMapping;
  defaultCountry?: string;
  object: { bucket: string; key: string };
}

export type BroadcastState =
  'created' | 'splitting' | 'sending' | 'paused' | 'completed' | 'failed' | 'cancelled';

/** `GET /internal/broadcasts/:id` (the fields the gateway reads; the rest is passed through untouched). */
export interface BroadcastStatus {
  id: string;
  tenantId: string;
  state: BroadcastState;
  [field: string]: unknown;
}

export interface PageQuery {
  limit?: number;
  after?: string;
}

export interface RecipientsQuery extends PageQuery {
  state?: string;
}

export interface ReportStream {
  body: Readable;
  contentType: string;
  /** Set by status-tracker when it knows the name; the gateway has its own otherwise. */
  contentDisposition?: string;
}

/**
 * status-tracker's internal API: progress, recipients and reports live there. Every call carries the
 * caller's tenant; another tenant's broadcast is indistinguishable from a missing one (undefined).
 * Abstract class = type and DI token.
 */
export abstract class StatusTracker {
  abstract register(broadcastId: string, registration: BroadcastRegistration): Promise<void>;
  abstract get(tenantId: string, broadcastId: string): Promise<BroadcastStatus | undefined>;
  /** The tracker's page object, passed through (`{ items, next? }` or what it answers). */
  abstract list(tenantId: string, query: PageQuery): Promise<unknown>;
  abstract recipients(
    tenantId: string,
    broadcastId: string,
    query: RecipientsQuery,
  ): Promise<unknown>;
  /** The report as a stream, never buffered; undefined for an unknown broadcast. */
  abstract report(tenantId: string, broadcastId: string): Promise<ReportStream | undefined>;
}
