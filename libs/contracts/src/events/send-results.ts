import { Type } from '@sinclair/typebox';
import { defineEvent } from '../envelope.js';
import { BroadcastId, PhoneNumberId, RecipientId, RowNumber } from '../primitives.js';

const Accepted = Type.Object(
  {
    status: Type.Literal('accepted'),
    wamid: Type.String({
      minLength: 1,
      maxLength: 512,
      description: 'Message id returned by Meta (`messages[0].id`).',
    }),
    messageStatus: Type.Optional(
      Type.Union(
        [
          Type.Literal('accepted'),
          Type.Literal('held_for_quality_assessment'),
          Type.Literal('paused'),
        ],
        {
          description: '`messages[0].message_status` when Meta returned one.',
        },
      ),
    ),
  },
  {
    description:
      'Meta accepted the message; delivery is reported later by status webhooks (matched by wamid).',
  },
);

const Failed = Type.Object(
  {
    status: Type.Literal('failed'),
    error: Type.Object(
      {
        code: Type.Integer({
          description: 'Meta `error.code` (e.g. 131026, 132001) or our own code >= 900000.',
        }),
        title: Type.String({
          maxLength: 1000,
          description: 'Meta `error.message` or `error_data` title.',
        }),
        details: Type.Optional(
          Type.String({ maxLength: 2000, description: 'Meta `error.error_data.details`.' }),
        ),
        subcode: Type.Optional(Type.Integer({ description: 'Meta `error.error_subcode`.' })),
        httpStatus: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
        fbtraceId: Type.Optional(Type.String({ maxLength: 128 })),
      },
      { description: 'The classified Cloud API error. Never contains tokens.' },
    ),
    category: Type.Union(
      [Type.Literal('transient'), Type.Literal('permanent'), Type.Literal('account')],
      {
        description:
          'Classification by error code: `transient` (retried with backoff until attempts ran out), `permanent` ' +
          '(never retried: invalid number, template problem, opted out), `account` (token, spam limit, template ' +
          'paused: the broadcast or sender is paused).',
      },
    ),
    retryable: Type.Boolean({
      description:
        'Whether the error is transient, i.e. a later re-issue could succeed (attempts were exhausted).',
    }),
  },
  { description: 'The message was not sent.' },
);

const Unknown = Type.Object(
  {
    status: Type.Literal('unknown'),
    reason: Type.String({
      maxLength: 1000,
      description: 'Why the outcome is unknown, e.g. `timeout after request was written`.',
    }),
  },
  {
    description:
      'The request may or may not have reached Meta (timeout, connection lost mid-call). Not resent blindly: ' +
      'status-tracker reconciles it from status webhooks (matched by biz_opaque_callback_data).',
  },
);

export const MessageSendResultV1 = defineEvent({
  type: 'message.send-result',
  version: 1,
  topic: 'sendResults',
  summary: 'The outcome of the Cloud API call for one recipient.',
  description:
    'Produced by the dispatcher once per recipient request (after its own retries); consumed by status-tracker, ' +
    "which records the recipient's state without ever moving it backwards (a webhook may have arrived first). " +
    'At-least-once: the same result may arrive twice.',
  keyDescription: 'recipientId (`<broadcastId>:<rowNumber>`)',
  key: (payload) => payload.recipientId,
  payload: Type.Object({
    broadcastId: BroadcastId,
    recipientId: RecipientId,
    rowNumber: RowNumber,
    phoneNumberId: PhoneNumberId,
    outcome: Type.Union([Accepted, Failed, Unknown], { description: 'Discriminated by `status`.' }),
    attempts: Type.Integer({ minimum: 1, description: 'Cloud API calls made for this request.' }),
    latencyMs: Type.Number({
      minimum: 0,
      description:
        'From the dispatcher taking the request to this outcome, including retries and pacing.',
    }),
  }),
  example: {
    broadcastId: '3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11',
    recipientId: '3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11:1',
    rowNumber: 1,
    phoneNumberId: '106540352242922',
    outcome: {
      status: 'accepted',
      wamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA',
    },
    attempts: 1,
    latencyMs: 412,
  },
});
