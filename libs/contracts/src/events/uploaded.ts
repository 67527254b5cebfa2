import { Type } from '@sinclair/typebox';
import { defineEvent } from '../envelope.js';
import {
  BroadcastId,
  CountryCode,
  CsvMapping,
  ParameterMapping,
  PhoneNumberId,
  TemplateRef,
} from '../primitives.js';

/** Upper bound of recipients carried inline by one broadcast.requested (keeps it under Kafka's 1 MB default). */
export const MAX_INLINE_RECIPIENTS = 5000;

const Wave = Type.Object(
  {
    number: Type.Integer({
      minimum: 1,
      description: '1 for a first send, 2 for the first resend, ...',
    }),
    parentBroadcastId: Type.Optional(BroadcastId),
    selection: Type.Optional(
      Type.Literal('status-tracker', {
        description:
          'Only the rows status-tracker stored for this wave are split (csv-splitter reads them, ascending, from ' +
          '`GET /internal/broadcasts/{broadcastId}/wave-rows`), with the row numbers of the original file; ' +
          'absent: every row of the object.',
      }),
    ),
  },
  {
    description:
      'Set when this broadcast re-sends to recipients of an earlier one (for example those that failed): ' +
      '`parentBroadcastId` names the original broadcast.',
  },
);

export const BroadcastUploadedV1 = defineEvent({
  type: 'broadcast.uploaded',
  version: 1,
  topic: 'uploaded',
  summary: "A broadcast's CSV is in the object store: split it into recipients.",
  description:
    'Produced by upload-gateway when a broadcast is started (or by an upstream system that wrote the CSV to the ' +
    'object store itself); consumed by csv-splitter, which streams the object, validates and normalises each row ' +
    'and publishes rows and row outcomes. Re-delivery re-splits the same object: downstream identifiers ' +
    '(`<broadcastId>:<rowNumber>`) are deterministic, so consumers upsert.',
  keyDescription: 'broadcastId',
  key: (payload) => payload.broadcastId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    object: Type.Object(
      {
        bucket: Type.String({
          minLength: 1,
          maxLength: 255,
          description: 'Bucket of the CSV object.',
        }),
        key: Type.String({
          minLength: 1,
          maxLength: 1024,
          description: 'Key of the CSV object in the bucket.',
        }),
        sizeBytes: Type.Optional(
          Type.Integer({ minimum: 0, description: 'Object size when known.' }),
        ),
        fileName: Type.Optional(
          Type.String({
            maxLength: 255,
            description: 'Original file name as uploaded, for display only.',
          }),
        ),
      },
      { description: 'Where the CSV lives (S3 API). UTF-8, optional BOM, header line first.' },
    ),
    phoneNumberId: PhoneNumberId,
    template: TemplateRef,
    mapping: CsvMapping,
    defaultCountry: Type.Optional(CountryCode),
    csv: Type.Optional(
      Type.Object(
        {
          delimiter: Type.Optional(
            Type.Union([Type.Literal(','), Type.Literal(';'), Type.Literal('\t')], {
              description: 'Field delimiter; detected from the header line when absent.',
            }),
          ),
        },
        { description: 'Parsing hints.' },
      ),
    ),
    wave: Type.Optional(Wave),
  }),
  example: {
    broadcastId: '3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11',
    object: {
      bucket: 'broadcasts',
      key: 'acme/3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11.csv',
      fileName: 'june.csv',
    },
    phoneNumberId: '106540352242922',
    template: { name: 'order_update', language: 'en_US', parameterFormat: 'positional' },
    mapping: {
      phoneColumn: 'phone',
      body: [
        { position: 1, column: 'first_name' },
        { position: 2, column: 'order_id' },
      ],
      buttons: [{ index: 0, subType: 'url', column: 'tracking_code' }],
    },
    defaultCountry: 'DE',
  },
});

export const BroadcastRequestedV1 = defineEvent({
  type: 'broadcast.requested',
  version: 1,
  topic: 'uploaded',
  summary: 'An upstream system starts a broadcast by publishing its recipients inline.',
  description:
    'Produced by upstream systems (any Kafka client) to start a broadcast without a file; consumed by ' +
    'csv-splitter, which treats each recipient exactly like a CSV row (phone normalisation with ' +
    '`defaultCountry`, de-duplication, parameter checks, skipped-row outcomes). One event is one whole broadcast: ' +
    `at most ${MAX_INLINE_RECIPIENTS} recipients; for more, publish several broadcasts or use broadcast.uploaded. ` +
    "The mapping's `column` names refer to keys of each recipient's `variables`. Publishing the same event " +
    'twice (same broadcastId) is harmless.',
  keyDescription: 'broadcastId',
  key: (payload) => payload.broadcastId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    phoneNumberId: PhoneNumberId,
    template: TemplateRef,
    mapping: ParameterMapping,
    defaultCountry: Type.Optional(CountryCode),
    recipients: Type.Array(
      Type.Object({
        phone: Type.String({
          maxLength: 64,
          description:
            'Phone number as the upstream system has it; `+` and international format recommended.',
        }),
        variables: Type.Optional(
          Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 2048 }), {
            description: "Values by name, referred to by the mapping's `column` fields.",
          }),
        ),
      }),
      {
        minItems: 1,
        maxItems: MAX_INLINE_RECIPIENTS,
        description: 'The recipients; row numbers are their 1-based positions in this array.',
      },
    ),
    wave: Type.Optional(Wave),
  }),
  example: {
    broadcastId: 'crm-campaign-2031',
    phoneNumberId: '106540352242922',
    template: { name: 'order_update', language: 'en_US' },
    mapping: {
      body: [
        { position: 1, column: 'first_name' },
        { position: 2, column: 'order_id' },
      ],
    },
    defaultCountry: 'US',
    recipients: [
      { phone: '+1 415 555 0123', variables: { first_name: 'Ada', order_id: 'A-1001' } },
      { phone: '(415) 555-0199', variables: { first_name: 'Grace', order_id: 'A-1002' } },
    ],
  },
});
