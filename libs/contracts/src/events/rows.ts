import { Type } from '@sinclair/typebox';
import { defineEvent } from '../envelope.js';
import {
  BroadcastId,
  ColumnName,
  E164,
  PhoneNumberId,
  ResolvedParameters,
  RowNumber,
  TemplateRef,
} from '../primitives.js';

/**
 * The `rows` topic carries everything csv-splitter learns about a broadcast, keyed by broadcastId so
 * that one broadcast's events stay in order on one partition: split-started, then rows chunks and
 * skipped rows interleaved, then exactly one of split-completed / split-failed. A crash re-splits from
 * the start and re-publishes the same row numbers and chunk indexes: consumers upsert by
 * (broadcastId, rowNumber), never count events.
 */

/**
 * LOUD WARNING: these codes are persisted (database, reports, dashboards). Add codes; never rename or
 * reuse one.
 */
export const SKIP_REASONS = [
  'missing-phone',
  'invalid-phone',
  'duplicate-phone',
  'missing-parameter',
  'parameter-too-long',
  'invalid-parameter',
  'malformed-row',
  'opted-out',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** LOUD WARNING: persisted like SKIP_REASONS. */
export const SPLIT_FAILURE_REASONS = [
  'object-not-found',
  'object-unreadable',
  'empty-file',
  'not-csv',
  'missing-column',
  'invalid-mapping',
  'too-many-rows',
  'no-valid-recipients',
] as const;
export type SplitFailureReason = (typeof SPLIT_FAILURE_REASONS)[number];

const BROADCAST_ID = '3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11';

export const BroadcastSplitStartedV1 = defineEvent({
  type: 'broadcast.split-started',
  version: 1,
  topic: 'rows',
  summary: 'csv-splitter began reading a broadcast: register it.',
  description:
    'Produced by csv-splitter before the first row of a broadcast; consumed by status-tracker, which creates or ' +
    'updates the broadcast record (also for broadcasts that upstream systems published directly, which ' +
    'upload-gateway never saw).',
  keyDescription: 'broadcastId',
  key: (payload) => payload.broadcastId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    source: Type.Union([Type.Literal('object'), Type.Literal('inline')], {
      description: '`object`: from broadcast.uploaded (a CSV); `inline`: from broadcast.requested.',
    }),
    phoneNumberId: PhoneNumberId,
    template: TemplateRef,
    parentBroadcastId: Type.Optional(BroadcastId),
  }),
  example: {
    broadcastId: BROADCAST_ID,
    source: 'object',
    phoneNumberId: '106540352242922',
    template: { name: 'order_update', language: 'en_US', parameterFormat: 'positional' },
  },
});

export const BroadcastRowsV1 = defineEvent({
  type: 'broadcast.rows',
  version: 1,
  topic: 'rows',
  summary: 'A chunk of valid, normalised, de-duplicated recipients.',
  description:
    'Produced by csv-splitter; consumed by its compose stage (which renders each row into message.send-requested) ' +
    'and by status-tracker (which records each recipient as pending). Carries the template and sender so that ' +
    'composing needs no lookup.',
  keyDescription: 'broadcastId',
  key: (payload) => payload.broadcastId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    chunkIndex: Type.Integer({
      minimum: 0,
      description:
        '0-based, consecutive per broadcast; the same rows get the same index on a re-split.',
    }),
    phoneNumberId: PhoneNumberId,
    template: TemplateRef,
    rows: Type.Array(
      Type.Object({
        rowNumber: RowNumber,
        phone: Type.String({
          maxLength: 64,
          description: 'The phone number exactly as given (for the report).',
        }),
        e164: E164,
        parameters: ResolvedParameters,
      }),
      { minItems: 1, maxItems: 2000, description: 'Rows in increasing rowNumber order.' },
    ),
  }),
  example: {
    broadcastId: BROADCAST_ID,
    chunkIndex: 0,
    phoneNumberId: '106540352242922',
    template: { name: 'order_update', language: 'en_US', parameterFormat: 'positional' },
    rows: [
      {
        rowNumber: 1,
        phone: '0151 2345678',
        e164: '+4915123456780',
        parameters: {
          body: [
            { position: 1, text: 'Ada' },
            { position: 2, text: 'A-1001' },
          ],
          buttons: [{ index: 0, subType: 'url', value: 'trk-9f2' }],
        },
      },
    ],
  },
});

export const BroadcastRowSkippedV1 = defineEvent({
  type: 'broadcast.row-skipped',
  version: 1,
  topic: 'rows',
  summary: 'A row that will not be messaged, and why.',
  description:
    'Produced by csv-splitter for every row it cannot send (invalid or missing phone, duplicate, bad parameter, ' +
    'malformed CSV record), and by the compose stage for a recipient on the opt-out list (that row was already ' +
    'announced in broadcast.rows: status-tracker moves it from pending to skipped). Consumed by status-tracker: ' +
    'each becomes a line of the report. Nothing is dropped silently.',
  keyDescription: 'broadcastId',
  key: (payload) => payload.broadcastId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    rowNumber: RowNumber,
    phone: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'The phone cell as given, when there was one (for the report).',
      }),
    ),
    e164: Type.Optional(E164),
    reason: Type.Union(
      SKIP_REASONS.map((code) => Type.Literal(code)),
      {
        description:
          'Machine-readable reason: `missing-phone`, `invalid-phone`, `duplicate-phone` (same number in any format ' +
          "as an earlier row), `missing-parameter` (mapped cell empty), `parameter-too-long` (over Meta's limit), " +
          '`invalid-parameter` (e.g. newlines or tabs where Meta refuses them), `malformed-row` (CSV record ' +
          'unreadable), `opted-out` (recipient asked not to be messaged).',
      },
    ),
    message: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'Human-readable explanation.',
    }),
    column: Type.Optional(ColumnName),
    duplicateOfRow: Type.Optional(RowNumber),
  }),
  example: {
    broadcastId: BROADCAST_ID,
    rowNumber: 7,
    phone: '12345',
    reason: 'invalid-phone',
    message: 'Not a valid phone number for country DE',
    column: 'phone',
  },
});

export const BroadcastSplitCompletedV1 = defineEvent({
  type: 'broadcast.split-completed',
  version: 1,
  topic: 'rows',
  summary: 'Every row of the broadcast has been published: here are the totals.',
  description:
    'Produced by csv-splitter after the last rows chunk and skipped row; consumed by status-tracker: the broadcast ' +
    'is complete once `recipients` recipients have a terminal state (a computed fact, not this event). ' +
    '`totalRows = recipients + skipped`.',
  keyDescription: 'broadcastId',
  key: (payload) => payload.broadcastId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    totalRows: Type.Integer({ minimum: 0, description: 'Data rows read (header excluded).' }),
    recipients: Type.Integer({
      minimum: 0,
      description: 'Valid unique recipients published in broadcast.rows.',
    }),
    skipped: Type.Integer({
      minimum: 0,
      description: 'Rows published as broadcast.row-skipped by the splitter.',
    }),
    chunks: Type.Integer({
      minimum: 0,
      description: 'Number of broadcast.rows chunks (indexes 0..chunks-1).',
    }),
  }),
  example: {
    broadcastId: BROADCAST_ID,
    totalRows: 10000,
    recipients: 9702,
    skipped: 298,
    chunks: 20,
  },
});

export const BroadcastSplitFailedV1 = defineEvent({
  type: 'broadcast.split-failed',
  version: 1,
  topic: 'rows',
  summary: 'The broadcast cannot be split at all (as opposed to single bad rows).',
  description:
    'Produced by csv-splitter when the whole input is unusable (object missing, not a CSV, header lacks a mapped ' +
    'column, ...). Consumed by status-tracker: the broadcast fails with this reason, visible in its status. ' +
    'Rows published before the failure (if any) are not sent.',
  keyDescription: 'broadcastId',
  key: (payload) => payload.broadcastId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    reason: Type.Union(
      SPLIT_FAILURE_REASONS.map((code) => Type.Literal(code)),
      { description: 'Machine-readable reason.' },
    ),
    message: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'Human-readable explanation.',
    }),
    column: Type.Optional(ColumnName),
  }),
  example: {
    broadcastId: BROADCAST_ID,
    reason: 'missing-column',
    message: 'The CSV header has no column "order_id" (mapped to body parameter {{2}})',
    column: 'order_id',
  },
});
