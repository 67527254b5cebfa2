import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from '../envelope.js';
import {
  BroadcastId,
  PhoneNumberId,
  RecipientId,
  RowNumber,
  TemplateLanguage,
  TemplateName,
  WhatsAppTo,
} from '../primitives.js';

/**
 * Template components exactly as the WhatsApp Cloud API takes them (snake_case, Meta's field names),
 * so the dispatcher forwards `template` verbatim in `POST /{Phone-Number-ID}/messages`.
 */
const ParameterName = Type.Optional(
  Type.String({
    pattern: '^[a-z0-9_]{1,128}$',
    description: 'Placeholder name, for NAMED templates only.',
  }),
);

const TextParameter = Type.Object({
  type: Type.Literal('text'),
  text: Type.String({ minLength: 1, maxLength: 32768 }),
  parameter_name: ParameterName,
});
const CurrencyParameter = Type.Object({
  type: Type.Literal('currency'),
  currency: Type.Object({
    fallback_value: Type.String(),
    code: Type.String({ pattern: '^[A-Z]{3}$' }),
    amount_1000: Type.Integer(),
  }),
  parameter_name: ParameterName,
});
const DateTimeParameter = Type.Object({
  type: Type.Literal('date_time'),
  date_time: Type.Object({ fallback_value: Type.String() }),
  parameter_name: ParameterName,
});
const MediaObject = Type.Object(
  {
    link: Type.String({ format: 'uri', description: 'Public https URL of the media.' }),
    filename: Type.Optional(
      Type.String({ description: 'Documents only: file name shown to the recipient.' }),
    ),
  },
  { description: 'Media by link (our CSV flow never uploads media ids).' },
);
const ImageParameter = Type.Object({ type: Type.Literal('image'), image: MediaObject });
const VideoParameter = Type.Object({ type: Type.Literal('video'), video: MediaObject });
const DocumentParameter = Type.Object({ type: Type.Literal('document'), document: MediaObject });

export const HeaderComponent = Type.Object({
  type: Type.Literal('header'),
  parameters: Type.Array(
    Type.Union([TextParameter, ImageParameter, VideoParameter, DocumentParameter]),
    {
      minItems: 1,
      maxItems: 1,
    },
  ),
});
export const BodyComponent = Type.Object({
  type: Type.Literal('body'),
  parameters: Type.Array(Type.Union([TextParameter, CurrencyParameter, DateTimeParameter]), {
    minItems: 1,
    maxItems: 100,
  }),
});
export const ButtonComponent = Type.Object({
  type: Type.Literal('button'),
  sub_type: Type.Union([
    Type.Literal('url'),
    Type.Literal('quick_reply'),
    Type.Literal('copy_code'),
  ]),
  index: Type.String({
    pattern: '^[0-9]$',
    description: "0-based button index as a string, as in Meta's examples.",
  }),
  parameters: Type.Array(
    Type.Union([
      Type.Object({
        type: Type.Literal('text'),
        text: Type.String({ minLength: 1, maxLength: 2000 }),
      }),
      Type.Object({
        type: Type.Literal('payload'),
        payload: Type.String({ minLength: 1, maxLength: 1000 }),
      }),
      Type.Object({
        type: Type.Literal('coupon_code'),
        coupon_code: Type.String({ minLength: 1, maxLength: 15 }),
      }),
    ]),
    { minItems: 1, maxItems: 1 },
  ),
});
export const TemplateComponent = Type.Union([HeaderComponent, BodyComponent, ButtonComponent], {
  description: 'One Cloud API template component.',
});
export type TemplateComponent = Static<typeof TemplateComponent>;

export const CloudApiTemplate = Type.Object(
  {
    name: TemplateName,
    language: Type.Object({
      code: TemplateLanguage,
      policy: Type.Optional(Type.Literal('deterministic')),
    }),
    components: Type.Optional(Type.Array(TemplateComponent, { maxItems: 20 })),
  },
  { description: 'The Cloud API `template` object, sent as is.' },
);
export type CloudApiTemplate = Static<typeof CloudApiTemplate>;

export const MessageSendRequestedV1 = defineEvent({
  type: 'message.send-requested',
  version: 1,
  topic: 'sendRequests',
  summary: 'Send one rendered template message to one recipient.',
  description:
    "Produced by csv-splitter's compose stage, one per recipient; consumed by the dispatcher, which makes exactly " +
    'one Cloud API call: `{messaging_product:"whatsapp", recipient_type:"individual", to, type:"template", ' +
    'template, biz_opaque_callback_data: bizOpaqueCallbackData}`. Keyed by recipientId so that re-deliveries of ' +
    "one recipient's request land on the same partition (ordering, Meta's pair rate limit) and the dispatcher " +
    'can de-duplicate by recipientId: Kafka delivers at least once, the Cloud API has no idempotency key.',
  keyDescription: 'recipientId (`<broadcastId>:<rowNumber>`)',
  key: (payload) => payload.recipientId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    recipientId: RecipientId,
    rowNumber: RowNumber,
    to: WhatsAppTo,
    phoneNumberId: PhoneNumberId,
    template: CloudApiTemplate,
    bizOpaqueCallbackData: Type.String({
      minLength: 1,
      maxLength: 512,
      description:
        'Sent as `biz_opaque_callback_data`; Meta echoes it in status webhooks. Format `wab1:<recipientId>` ' +
        '(see formatCallbackData/parseCallbackData).',
    }),
    attempt: Type.Integer({
      minimum: 1,
      description:
        '1 for the first request for this recipient; incremented when a request is deliberately re-issued.',
    }),
  }),
  example: {
    broadcastId: '3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11',
    recipientId: '3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11:1',
    rowNumber: 1,
    to: '4915123456780',
    phoneNumberId: '106540352242922',
    template: {
      name: 'order_update',
      language: { code: 'en_US' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ada' },
            { type: 'text', text: 'A-1001' },
          ],
        },
        {
          type: 'button',
          sub_type: 'url',
          index: '0',
          parameters: [{ type: 'text', text: 'trk-9f2' }],
        },
      ],
    },
    bizOpaqueCallbackData: 'wab1:3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11:1',
    attempt: 1,
  },
});
