import { Type } from '@sinclair/typebox';
import { defineEvent } from '../envelope.js';
import { BroadcastId, PhoneNumberId } from '../primitives.js';

export const BroadcastControlV1 = defineEvent({
  type: 'broadcast.control',
  version: 1,
  topic: 'broadcastControl',
  summary: 'Pause, resume or cancel a broadcast or every broadcast of one sender.',
  description:
    'Produced by upload-gateway (operator action), or by the dispatcher on account-level errors (token expired, ' +
    'spam limit, template paused); consumed by the dispatcher and csv-splitter, which stop taking new work for ' +
    'the target, and by status-tracker, which shows it. Sends already made are not undone; a paused recipient is ' +
    'still sent at most once.',
  keyDescription: 'broadcastId or phoneNumberId of the target',
  key: (payload) =>
    payload.target.kind === 'broadcast' ? payload.target.broadcastId : payload.target.phoneNumberId,
  payload: Type.Object({
    action: Type.Union([Type.Literal('pause'), Type.Literal('resume'), Type.Literal('cancel')], {
      description: '`cancel` is final: remaining recipients end as skipped.',
    }),
    target: Type.Union(
      [
        Type.Object({ kind: Type.Literal('broadcast'), broadcastId: BroadcastId }),
        Type.Object({ kind: Type.Literal('sender'), phoneNumberId: PhoneNumberId }),
      ],
      { description: 'One broadcast, or everything sent from one business number.' },
    ),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'Why, for operators.' }),
    errorCode: Type.Optional(
      Type.Integer({ description: 'Meta error code that caused an automatic pause.' }),
    ),
    until: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'For pauses: resume automatically at this time.',
      }),
    ),
  }),
  example: {
    action: 'pause',
    target: { kind: 'sender', phoneNumberId: '106540352242922' },
    reason: 'Meta error 131048 (spam rate limit hit)',
    errorCode: 131048,
  },
});
