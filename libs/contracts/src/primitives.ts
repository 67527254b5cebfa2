import { Type, type Static } from '@sinclair/typebox';

/**
 * Building blocks shared by several event schemas. Every field carries a `description`: it ends up
 * in the JSON Schema files and the AsyncAPI document that upstream teams read.
 */

/**
 * A broadcast's identifier. Chosen by whoever creates the broadcast (upload-gateway generates a UUID;
 * an upstream system may bring its own). It is part of recipient ids and of
 * `biz_opaque_callback_data`, hence no `:` and a short length.
 */
export const BroadcastId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
  description:
    'Identifier of the broadcast: 1-64 characters, letters, digits, `_` and `-`, starting with a letter or digit ' +
    '(a UUID fits). Unique per tenant; reusing one merges two broadcasts.',
  examples: ['3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11'],
});

/** `_unknown` is reserved for dead letters whose original tenant could not be read. */
export const TenantId = Type.String({
  pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$',
  description:
    'Tenant that owns the event: 1-64 characters, letters, digits, `.`, `_` and `-`. ' +
    '`_unknown` is reserved (dead letters whose original tenant could not be read).',
  examples: ['acme'],
});

export const CorrelationId = Type.String({
  minLength: 1,
  maxLength: 128,
  description:
    'Ties together every event caused by one request (for example one broadcast). Copied from the event being ' +
    'handled into every event it causes; logged on every line.',
  examples: ['3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11'],
});

export const PhoneNumberId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description:
    "The sender: the WhatsApp Business phone number's Graph API id (not the phone number itself), as used in " +
    '`POST /{Phone-Number-ID}/messages`.',
  examples: ['106540352242922'],
});

export const RowNumber = Type.Integer({
  minimum: 1,
  description:
    '1-based position of the recipient in its source: the data record number in the CSV (the header line is not ' +
    'counted, so row 1 is the first line after the header), or the index + 1 in `recipients` of broadcast.requested.',
});

export const RecipientId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}:[1-9][0-9]{0,9}$',
  description:
    'Stable recipient identifier `<broadcastId>:<rowNumber>`. Kafka key of send-requests and send-results, so ' +
    'every event about one recipient stays ordered on one partition.',
  examples: ['3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11:42'],
});

export const E164 = Type.String({
  pattern: '^\\+[1-9][0-9]{6,14}$',
  description: 'Phone number normalised to E.164 with the leading `+`, e.g. `+14155550123`.',
  examples: ['+14155550123'],
});

export const WhatsAppTo = Type.String({
  pattern: '^[1-9][0-9]{6,14}$',
  description:
    'Recipient for the Cloud API `to` field: the E.164 number as digits only, without `+` (the form Meta returns ' +
    'as `wa_id`), e.g. `14155550123`.',
  examples: ['14155550123'],
});

export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description:
    'ISO 3166-1 alpha-2 country used for phone numbers written without an international prefix, e.g. `DE`.',
  examples: ['DE'],
});

export const TemplateName = Type.String({
  pattern: '^[a-z0-9_]{1,512}$',
  description:
    'Approved template name as registered with Meta (lowercase letters, digits and `_`).',
  examples: ['order_update'],
});

export const TemplateLanguage = Type.String({
  pattern: '^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?$',
  description: 'Template language code as registered with Meta, e.g. `en`, `en_US`, `pt_BR`.',
  examples: ['en_US'],
});

export const ParameterFormat = Type.Union([Type.Literal('positional'), Type.Literal('named')], {
  description:
    "How the template names its placeholders: `positional` ({{1}}, {{2}}, ...; Meta's default) or `named` " +
    '({{first_name}}). Positional mappings use `position`, named ones use `name`.',
});

export const TemplateRef = Type.Object(
  {
    name: TemplateName,
    language: TemplateLanguage,
    parameterFormat: Type.Optional(ParameterFormat),
  },
  { description: 'Which approved template to send. `parameterFormat` defaults to `positional`.' },
);
export type TemplateRef = Static<typeof TemplateRef>;

export const ColumnName = Type.String({
  minLength: 1,
  maxLength: 256,
  description:
    'Name of the CSV column (header cell, compared after trimming) whose value is used; for broadcast.requested, ' +
    "the key in each recipient's `variables`.",
});

export const ButtonSubType = Type.Union(
  [Type.Literal('url'), Type.Literal('quick_reply'), Type.Literal('copy_code')],
  {
    description:
      'Button kind: `url` (the value is the suffix appended to the button URL, max 2000 characters), ' +
      '`quick_reply` (the value is the payload echoed back when tapped), `copy_code` (the coupon code, max 15).',
  },
);

export const ButtonIndex = Type.Integer({
  minimum: 0,
  maximum: 9,
  description: "0-based position of the button in the template's BUTTONS component.",
});

export const HeaderType = Type.Union(
  [Type.Literal('text'), Type.Literal('image'), Type.Literal('video'), Type.Literal('document')],
  {
    description:
      'Header parameter kind: `text` fills the {{1}} of a TEXT header (max 60 characters); `image`, `video` and ' +
      '`document` take a public https URL of the media.',
  },
);

/** Where each template parameter's value comes from (CSV column, or recipient variable). */
export const BodyParameterMapping = Type.Object(
  {
    column: ColumnName,
    position: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Placeholder number for positional templates: 1 for {{1}}.',
      }),
    ),
    name: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9_]{1,128}$',
        description: 'Placeholder name for named templates: `first_name` for {{first_name}}.',
      }),
    ),
  },
  {
    description:
      'One body placeholder and the column that fills it. Give `position` or `name` per the template.',
  },
);

export const HeaderParameterMapping = Type.Object(
  {
    type: HeaderType,
    column: ColumnName,
    name: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9_]{1,128}$',
        description: 'Placeholder name, for named TEXT headers.',
      }),
    ),
  },
  { description: "The template header's parameter and the column that fills it." },
);

export const ButtonParameterMapping = Type.Object(
  {
    index: ButtonIndex,
    subType: ButtonSubType,
    column: ColumnName,
  },
  { description: 'One dynamic button parameter and the column that fills it.' },
);

export const ParameterMapping = Type.Object(
  {
    header: Type.Optional(HeaderParameterMapping),
    body: Type.Array(BodyParameterMapping, {
      maxItems: 100,
      description: 'Body placeholders; empty for a template without body variables.',
    }),
    buttons: Type.Optional(
      Type.Array(ButtonParameterMapping, { maxItems: 10, description: 'Dynamic buttons.' }),
    ),
  },
  { description: "Maps the template's parameters to columns (or recipient variables)." },
);
export type ParameterMapping = Static<typeof ParameterMapping>;

export const CsvMapping = Type.Composite(
  [
    Type.Object({
      phoneColumn: Type.String({
        minLength: 1,
        maxLength: 256,
        description:
          'CSV column holding the phone number, as written by the user (any common format).',
      }),
    }),
    ParameterMapping,
  ],
  { description: 'Maps CSV columns to the phone number and the template parameters.' },
);
export type CsvMapping = Static<typeof CsvMapping>;

/** Parameter values resolved for one recipient (neutral shape; the compose stage turns them into Cloud API components). */
export const ResolvedParameters = Type.Object(
  {
    header: Type.Optional(
      Type.Object(
        {
          type: HeaderType,
          value: Type.String({
            minLength: 1,
            maxLength: 2048,
            description: 'Header text, or the media URL.',
          }),
          name: Type.Optional(Type.String({ description: 'Placeholder name (named templates).' })),
        },
        { description: 'Resolved header parameter.' },
      ),
    ),
    body: Type.Array(
      Type.Object({
        text: Type.String({
          minLength: 1,
          // Meta's limit is 1,024 characters and csv-splitter counts code points; JSON Schema
          // validators here count UTF-16 units, where an emoji is two: 2,048 units hold any valid
          // value (1,024 emoji were refused before, and the whole chunk dead-lettered).
          maxLength: 2048,
          description:
            'Value for the placeholder: at most 1,024 characters (code points), bounded here in UTF-16 units.',
        }),
        position: Type.Optional(
          Type.Integer({ minimum: 1, description: 'Placeholder number (positional).' }),
        ),
        name: Type.Optional(Type.String({ description: 'Placeholder name (named templates).' })),
      }),
      { maxItems: 100, description: 'Resolved body parameters in placeholder order.' },
    ),
    buttons: Type.Optional(
      Type.Array(
        Type.Object({
          index: ButtonIndex,
          subType: ButtonSubType,
          value: Type.String({
            minLength: 1,
            maxLength: 2000,
            description: 'URL suffix, payload or coupon code.',
          }),
        }),
        { maxItems: 10, description: 'Resolved dynamic button parameters.' },
      ),
    ),
  },
  {
    description:
      "This recipient's template parameter values, already checked against Meta's limits.",
  },
);
export type ResolvedParameters = Static<typeof ResolvedParameters>;
