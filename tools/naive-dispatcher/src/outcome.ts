// The naive dispatcher's whole "logic": the Cloud API request body for one send request and the
// send-result outcome for the answer. No retries, no pacing, no classification beyond this.
import type { EventOf, PayloadOf } from '@wab/contracts';

export type SendRequested = EventOf<'message.send-requested'>;
export type Outcome = PayloadOf<'message.send-result'>['outcome'];

export function requestBody(request: SendRequested): string {
  const { payload } = request;
  return JSON.stringify({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: payload.to,
    type: 'template',
    template: payload.template,
    biz_opaque_callback_data: payload.bizOpaqueCallbackData,
  });
}

interface GraphAnswer {
  messages?: { id?: string }[];
  error?: { code?: number; message?: string };
}

/** Maps one HTTP answer to an outcome: a wamid is accepted, anything else failed with its code. */
export function outcomeOf(httpStatus: number, body: string): Outcome {
  let parsed: GraphAnswer = {};
  try {
    parsed = JSON.parse(body) as GraphAnswer;
  } catch {
    // not JSON: reported below as a failure with the HTTP status
  }
  const wamid = parsed.messages?.[0]?.id;
  if (httpStatus < 300 && wamid) return { status: 'accepted', wamid };
  return {
    status: 'failed',
    error: {
      code: parsed.error?.code ?? 131000,
      title: (parsed.error?.message ?? `HTTP ${httpStatus}`).slice(0, 1000),
      ...(httpStatus >= 100 && httpStatus <= 599 ? { httpStatus } : {}),
    },
    category: 'transient',
    retryable: true,
  };
}
