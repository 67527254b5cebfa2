import type { CloudApiTemplate } from '@wab/contracts';

export interface SendTemplateRequest {
  phoneNumberId: string;
  to: string;
  template: CloudApiTemplate;
  bizOpaqueCallbackData: string;
}

export type SendOutcome =
  | {
      kind: 'accepted';
      wamid: string;
      messageStatus?: 'accepted' | 'held_for_quality_assessment' | 'paused';
      httpStatus: number;
    }
  | {
      kind: 'error';
      httpStatus: number;
      code: number;
      title: string;
      details?: string;
      subcode?: number;
      fbtraceId?: string;
    }
  /** The request never left: safe to retry as if it had not been tried. */
  | { kind: 'not-sent'; reason: string }
  /** The request may have reached Meta (timeout, connection lost after writing): never resent blindly. */
  | { kind: 'unknown'; reason: string };

/** The WhatsApp Cloud API, as the dispatcher uses it. */
export abstract class CloudApi {
  abstract sendTemplate(request: SendTemplateRequest): Promise<SendOutcome>;
  abstract close(): Promise<void>;
}
