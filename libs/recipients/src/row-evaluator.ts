import type { EventOf, ParameterMapping, PayloadOf } from '@wab/contracts';
import { normalisePhone } from './phone.js';
import { PhoneIndex } from './phone-index.js';
import { resolveParameters, type ParameterCheckOptions } from './parameters.js';

export type RecipientRow = PayloadOf<'broadcast.rows'>['rows'][number];
export type SkippedRow = Omit<PayloadOf<'broadcast.row-skipped'>, 'broadcastId'>;
export type RowOutcome =
  { kind: 'recipient'; row: RecipientRow } | { kind: 'skipped'; skip: SkippedRow };

export interface RowEvaluatorOptions extends ParameterCheckOptions {
  defaultCountry?: string;
  /** Column named in phone-related skips (CSV: the phone column; inline recipients: none). */
  phoneColumn?: string;
}

/**
 * Turns one source row (CSV record or inline recipient) into a recipient or a skipped row, in the
 * order an operator would fix them: phone, then parameters, then duplicates. Only rows that will
 * be messaged enter the duplicate index, so a bad first occurrence does not hide a good later one.
 * One evaluator per broadcast: it holds that broadcast's duplicate index.
 */
export class RowEvaluator {
  private readonly seen = new PhoneIndex();

  constructor(
    private readonly mapping: ParameterMapping,
    private readonly options: RowEvaluatorOptions = {},
  ) {}

  get uniqueRecipients(): number {
    return this.seen.size;
  }

  evaluate(
    rowNumber: number,
    rawPhone: string | undefined,
    lookup: (column: string) => string | undefined,
  ): RowOutcome {
    const phone = (rawPhone ?? '').trim();
    const phoneColumn = this.options.phoneColumn ? { column: this.options.phoneColumn } : {};
    const given = phone.length > 0 ? { phone: phone.slice(0, 256) } : {};
    const normalised = normalisePhone(phone, this.options.defaultCountry);
    if (!normalised.ok) {
      return {
        kind: 'skipped',
        skip: {
          rowNumber,
          ...given,
          reason: normalised.reason,
          message: normalised.message,
          ...phoneColumn,
        },
      };
    }
    const resolved = resolveParameters(this.mapping, lookup, this.options);
    if (!resolved.ok) {
      return {
        kind: 'skipped',
        skip: {
          rowNumber,
          ...given,
          e164: normalised.e164,
          reason: resolved.reason,
          message: resolved.message,
          column: resolved.column,
        },
      };
    }
    const firstRow = this.seen.addOrGet(normalised.numeric, rowNumber);
    if (firstRow !== undefined) {
      return {
        kind: 'skipped',
        skip: {
          rowNumber,
          ...given,
          e164: normalised.e164,
          reason: 'duplicate-phone',
          message: `Same phone number as row ${firstRow}`,
          duplicateOfRow: firstRow,
          ...phoneColumn,
        },
      };
    }
    return {
      kind: 'recipient',
      row: {
        rowNumber,
        phone: phone.slice(0, 64),
        e164: normalised.e164,
        parameters: resolved.parameters,
      },
    };
  }
}

/** A malformed CSV record as a skipped row. */
export function malformedRow(rowNumber: number, message: string): SkippedRow {
  return { rowNumber, reason: 'malformed-row', message: message.slice(0, 1000) };
}

export type RowsEvent = EventOf<'broadcast.rows'>;
