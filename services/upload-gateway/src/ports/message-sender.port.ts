import type { CloudApiTemplate } from '@wab/contracts';

export interface SentMessage {
  /** Meta's message id (wamid). */
  id: string;
  /** The WhatsApp id Meta resolved the number to. */
  waId?: string;
}

/** One template message through the Cloud API (the test send). Abstract class = type and DI token. */
export abstract class MessageSender {
  abstract sendTemplate(
    phoneNumberId: string,
    to: string,
    template: CloudApiTemplate,
  ): Promise<SentMessage>;
}
