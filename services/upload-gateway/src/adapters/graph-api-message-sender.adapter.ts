/**
 * GraphApiMessageSender: `POST /{version}/{phone-number-id}/messages` with one template message, for
 * the operator's test send. Meta's error (code, title, message) is passed on in a 502 `whatsapp-failed`;
 * the token is never logged nor put into a message.
 */
import type { CloudApiTemplate } from '@wab/contracts';
import { upstreamFailed, upstreamUnavailable } from '../domain/errors.js';
import { MessageSender, type SentMessage } from '../ports/message-sender.port.js';

export interface GraphApiMessageSenderOptions {
  baseUrl: string;
  version: string;
  token: string;
  timeoutMs: number;
}

interface SendAnswer {
  contacts?: { wa_id?: string }[];
  messages?: { id?: string }[];
  error?: { code?: number; message?: string; error_user_title?: string; error_user_msg?: string };
}

export class GraphApiMessageSender extends MessageSender {
  constructor(private readonly options: GraphApiMessageSenderOptions) {
    super();
  }

  async sendTemplate(
    phoneNumberId: string,
    to: string,
    template: CloudApiTemplate,
  ): Promise<SentMessage> {
    const { baseUrl, version, token, timeoutMs } = this.options;
    const url = `${baseUrl.replace(/\/+$/, '')}/${version}/${encodeURIComponent(phoneNumberId)}/messages`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: to.replace(/^\+/, ''),
          type: 'template',
          template,
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw upstreamUnavailable(
        'whatsapp',
        `the WhatsApp Cloud API at ${new URL(url).origin} could not be reached (${error instanceof Error ? error.name : 'error'})`,
      );
    }
    let body: SendAnswer = {};
    try {
      body = (await response.json()) as SendAnswer;
    } catch {
      // not JSON: handled below
    }
    const id = body.messages?.[0]?.id;
    if (!response.ok || !id) {
      const error = body.error;
      throw upstreamFailed(
        'whatsapp',
        `the Cloud API refused the test message (HTTP ${response.status}${error?.code !== undefined ? `, error ${error.code}` : ''}${error?.message ? `: ${error.message}` : ''})`,
        {
          status: response.status,
          ...(error?.code !== undefined ? { errorCode: error.code } : {}),
          ...(error?.error_user_msg ? { userMessage: error.error_user_msg } : {}),
        },
      );
    }
    const waId = body.contacts?.[0]?.wa_id;
    return { id, ...(waId ? { waId } : {}) };
  }
}
