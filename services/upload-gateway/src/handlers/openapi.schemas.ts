/**
 * Response schemas of the public API for the OpenAPI document (`/docs`), in TypeBox like the request
 * schema, so they are plain JSON Schema. The progress, recipients and list answers belong to
 * status-tracker and are passed through unchanged; they are described, not re-specified, here.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { SchemaObject } from '@nestjs/swagger';

/** TypeBox schema → swagger SchemaObject (a JSON round trip drops TypeBox's symbol keys). */
export const openapi = (schema: TSchema): SchemaObject =>
  JSON.parse(JSON.stringify(schema)) as SchemaObject;

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({
        description:
          'Stable machine-readable code, e.g. `unknown-language`, `missing-parameter`, `file-too-large`.',
      }),
      message: Type.String({
        description: 'What is wrong, naming the template, parameter or limit concerned.',
      }),
      details: Type.Optional(
        Type.Record(Type.String(), Type.Unknown(), {
          description: 'Structured details, e.g. `problems` of a mapping.',
        }),
      ),
    }),
  },
  { description: 'Every error answer has this shape.' },
);

const PresignedUpload = Type.Object({
  method: Type.Literal('PUT'),
  url: Type.String({ description: 'Pre-signed URL: PUT the CSV to it directly (no API key).' }),
  expiresAt: Type.String({ format: 'date-time' }),
  headers: Type.Record(Type.String(), Type.String(), {
    description: 'Headers to send with exactly these values (signed).',
  }),
});

export const CreatedBroadcastSchema = Type.Object({
  id: Type.String({ description: 'Broadcast id (UUID).' }),
  state: Type.Literal('created'),
  upload: PresignedUpload,
  fileUrl: Type.String({
    description: 'Alternative upload: PUT the CSV to this API path (streamed).',
  }),
  startUrl: Type.String(),
  statusUrl: Type.String(),
  template: Type.Object({
    name: Type.String(),
    language: Type.String(),
    parameterFormat: Type.Union([Type.Literal('positional'), Type.Literal('named')]),
  }),
});

export const UploadedFileSchema = Type.Object({
  id: Type.String(),
  sizeBytes: Type.Integer({ description: 'Bytes stored.' }),
  startUrl: Type.String(),
});

export const StartedBroadcastSchema = Type.Object({
  id: Type.String(),
  state: Type.String({
    description:
      'State when the start was accepted (`created`; it moves on as csv-splitter picks it up), or `scheduled`.',
  }),
  eventId: Type.Optional(
    Type.String({
      description:
        'Id of the `broadcast.uploaded` event: the same for every start of this broadcast (absent when scheduled).',
    }),
  ),
  startAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'When a scheduled start will happen.' }),
  ),
  file: Type.Object({ sizeBytes: Type.Integer() }),
  statusUrl: Type.String(),
  reportUrl: Type.String(),
});

export const StartRequestSchema = Type.Object(
  {
    startAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'RFC 3339 with offset (`2026-11-27T10:00:00Z`, `2026-11-27T11:00:00+01:00`): start then instead of now. ' +
          'Not in the past, at most 30 days ahead (422 `invalid-start-time`).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const UnscheduledSchema = Type.Object({
  id: Type.String(),
  state: Type.Literal('created'),
  unscheduledStartAt: Type.String({ format: 'date-time' }),
  statusUrl: Type.String(),
});

const Parameter = Type.Object({
  position: Type.Optional(Type.Integer({ description: 'Positional templates: 1 for {{1}}.' })),
  name: Type.Optional(
    Type.String({ description: 'Named templates: `first_name` for {{first_name}}.' }),
  ),
  example: Type.Optional(Type.String({ description: "Meta's approval example." })),
});

export const TemplateSchema = Type.Object({
  id: Type.Optional(Type.String()),
  name: Type.String(),
  language: Type.String(),
  status: Type.String({ description: 'Always APPROVED in this list.' }),
  category: Type.Optional(Type.String()),
  parameterFormat: Type.Union([Type.Literal('positional'), Type.Literal('named')]),
  header: Type.Optional(Type.Object({ format: Type.String(), text: Type.Optional(Type.String()) })),
  body: Type.String({ description: 'Body text with its placeholders.' }),
  footer: Type.Optional(Type.String()),
  buttons: Type.Array(
    Type.Object({
      index: Type.Integer(),
      type: Type.String(),
      text: Type.Optional(Type.String()),
      url: Type.Optional(Type.String()),
    }),
  ),
  parameters: Type.Object(
    {
      header: Type.Optional(
        Type.Object({
          type: Type.String({ description: 'text, image, video or document' }),
          name: Type.Optional(Type.String()),
          example: Type.Optional(Type.String()),
        }),
      ),
      body: Type.Array(Parameter),
      buttons: Type.Array(
        Type.Object({
          index: Type.Integer(),
          subType: Type.String({ description: 'url, quick_reply or copy_code' }),
          required: Type.Boolean(),
          url: Type.Optional(Type.String()),
          example: Type.Optional(Type.String()),
        }),
      ),
    },
    {
      description:
        'What the mapping of POST /v1/broadcasts must fill: the same shape as `mapping` (without columns).',
    },
  ),
  unsupported: Type.Optional(
    Type.Array(Type.String(), {
      description: 'Why a broadcast cannot use it (never set on listed templates).',
    }),
  ),
});

export const TemplateListSchema = Type.Object({
  data: Type.Array(TemplateSchema),
  phoneNumberId: Type.Optional(
    Type.String({
      description:
        'Echo of the query: templates belong to the business account, shared by its numbers.',
    }),
  ),
});

export const StatusSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.Optional(Type.String()),
    state: Type.String({
      description: 'created, scheduled, splitting, sending, paused, completed, failed or cancelled',
    }),
    startAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'While `scheduled`: when it starts.' }),
    ),
    failureReason: Type.Optional(Type.String()),
    complete: Type.Optional(
      Type.Boolean({ description: 'Every recipient has a terminal state (computed).' }),
    ),
    counts: Type.Optional(
      Type.Record(Type.String(), Type.Integer(), {
        description:
          'pending, accepted, sent, delivered, read, failed, skipped, unknown, cancelled (never sent: the broadcast was cancelled)',
      }),
    ),
    ratePerSecond: Type.Optional(Type.Number()),
    etaSeconds: Type.Optional(Type.Number()),
  },
  {
    description:
      "status-tracker's view of the broadcast, passed through (more fields than listed here).",
  },
);
