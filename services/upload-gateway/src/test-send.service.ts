/**
 * Test send: the broadcast's message, rendered with the parameters of the first valid row of the
 * uploaded CSV (evaluated with the splitter's rules), sent once to a number the operator gives, before
 * the broadcast starts. One Cloud API call; it is not part of the broadcast (not tracked, not counted).
 */
import { renderCloudApiTemplate } from '@wab/contracts';
import { evaluateCsv, normalisePhone } from '@wab/recipients';
import type { BroadcastDrafts } from './broadcast-drafts.js';
import { BROADCAST_ID } from './domain/broadcast-request.js';
import { broadcastNotFound, GatewayError, invalidRequest } from './domain/errors.js';
import { renderText } from './dry-run.service.js';
import type { MessageSender } from './ports/message-sender.port.js';
import type { TemplatesService } from './templates.service.js';
import type { Logger } from '@wab/service-runtime';

export interface TestSent {
  id: string;
  to: string;
  messageId: string;
  fromRow: number;
  text: string;
}

export class TestSendService {
  constructor(
    private readonly drafts: BroadcastDrafts,
    private readonly templates: TemplatesService,
    private readonly sender: MessageSender,
    private readonly log: Logger,
    private readonly options: { maxRecordBytes: number; strictWhitespace: boolean },
  ) {}

  async send(tenantId: string, id: string, body: unknown, requestId: string): Promise<TestSent> {
    const phone =
      body !== null && typeof body === 'object' && 'phone' in body ? body.phone : undefined;
    if (typeof phone !== 'string' || phone.trim() === '')
      throw invalidRequest('give the number to send the test to: { "phone": "+4915123456789" }');
    if (!BROADCAST_ID.test(id)) throw broadcastNotFound(id);
    const draft = await this.drafts.load(tenantId, id);
    if (!draft) throw broadcastNotFound(id);
    const to = normalisePhone(phone, draft.defaultCountry);
    if (!to.ok) throw invalidRequest(`phone: ${to.message}`);
    const file = await this.drafts.openFile(draft);
    if (!file) {
      throw new GatewayError(
        'conflict',
        'file-missing',
        `broadcast ${id} has no file yet: the test message uses the first row's values, upload the CSV first`,
      );
    }
    let first: { rowNumber: number; parameters: Parameters<typeof renderText>[1] } | undefined;
    try {
      for await (const outcome of evaluateCsv(file, {
        mapping: draft.mapping,
        maxRecordBytes: this.options.maxRecordBytes,
        strictWhitespace: this.options.strictWhitespace,
        ...(draft.defaultCountry ? { defaultCountry: draft.defaultCountry } : {}),
      })) {
        if (outcome.kind === 'failed') {
          throw new GatewayError('unprocessable', 'file-unusable', outcome.failure.message, {
            reason: outcome.failure.reason,
          });
        }
        if (outcome.kind === 'recipient') {
          first = { rowNumber: outcome.row.rowNumber, parameters: outcome.row.parameters };
          break;
        }
      }
    } finally {
      file.destroy();
    }
    if (!first) {
      throw new GatewayError(
        'unprocessable',
        'no-valid-recipients',
        `no row of broadcast ${id} can be sent: see the dry run for why`,
      );
    }
    const template = await this.templates.choose(draft.template.name, draft.template.language);
    const sent = await this.sender.sendTemplate(
      draft.phoneNumberId,
      to.e164,
      renderCloudApiTemplate(
        {
          name: template.name,
          language: template.language,
          parameterFormat: template.parameterFormat,
        },
        first.parameters,
      ),
    );
    this.log.info(
      { correlationId: id, requestId, tenantId, fromRow: first.rowNumber, messageId: sent.id },
      'test message sent',
    );
    return {
      id,
      to: to.e164,
      messageId: sent.id,
      fromRow: first.rowNumber,
      text: renderText(template.body, first.parameters),
    };
  }
}
