/**
 * The tenant's suppression (opt-out) list through the public API: numbers as operators type them are
 * normalised to E.164 here (the same rules as the CSV's phone column), then read or changed in
 * status-tracker, which owns the list.
 */
import type { Readable } from 'node:stream';
import { normalisePhone } from '@wab/recipients';
import { GatewayError, invalidRequest } from './domain/errors.js';
import type {
  Suppression,
  SuppressionList,
  SuppressionPage,
} from './ports/suppression-list.port.js';

const CURSOR = /^\+[1-9]\d{4,16}$/;

export const suppressionNotFound = (phone: string): GatewayError =>
  new GatewayError('not-found', 'suppression-not-found', `${phone} is not on the suppression list`);

export class SuppressionsService {
  constructor(private readonly list: SuppressionList) {}

  /** E.164 of a number given in a path (international format, or digits with the country code). */
  normalise(raw: string): string {
    const result = normalisePhone(raw);
    if (!result.ok) {
      throw new GatewayError(
        'unprocessable',
        'invalid-phone',
        `"${raw.slice(0, 40)}" is not a phone number in international format: ${result.message}`,
      );
    }
    return result.e164;
  }

  page(tenantId: string, query: { limit?: number; after?: string }): Promise<SuppressionPage> {
    if (query.after !== undefined && !CURSOR.test(query.after)) {
      throw invalidRequest('after must be the nextCursor of a page');
    }
    return this.list.list(tenantId, query);
  }

  exportCsv(tenantId: string): Promise<Readable> {
    return this.list.exportCsv(tenantId);
  }

  async add(
    tenantId: string,
    rawPhone: string,
    detail?: string,
  ): Promise<{ created: boolean; suppression: Suppression }> {
    return this.list.add(tenantId, this.normalise(rawPhone), detail);
  }

  async remove(tenantId: string, rawPhone: string): Promise<void> {
    const phone = this.normalise(rawPhone);
    if (!(await this.list.remove(tenantId, phone))) throw suppressionNotFound(phone);
  }
}
