import type { CloudApiTemplate } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import { draftWithFile } from './draft.fixture.js';
import { MessageSender, type SentMessage } from './ports/message-sender.port.js';
import { TestSendService } from './test-send.service.js';

const log = createLogger('test', 'silent');

class RecordingSender extends MessageSender {
  readonly sent: { phoneNumberId: string; to: string; template: CloudApiTemplate }[] = [];
  sendTemplate(
    phoneNumberId: string,
    to: string,
    template: CloudApiTemplate,
  ): Promise<SentMessage> {
    this.sent.push({ phoneNumberId, to, template });
    return Promise.resolve({ id: 'wamid.TEST' });
  }
}

async function setup(csv: string | undefined) {
  const { drafts, templates } = await draftWithFile(csv);
  const sender = new RecordingSender();
  const service = new TestSendService(drafts, templates, sender, log, {
    maxRecordBytes: 64 * 1024,
    strictWhitespace: true,
  });
  return { sender, service };
}

describe('TestSendService', () => {
  it("sends the first valid row's message once to the given number", async () => {
    const { sender, service } = await setup(
      'phone,name,order\nnope,Xi,A-0\n+4915123456789,Ada,A-1\n+4915123456780,Bob,A-2\n',
    );
    const sent = await service.send('acme', 'b1', { phone: '0151 2345 6700' }, 'r');
    expect(sent).toEqual({
      id: 'b1',
      to: '+4915123456700',
      messageId: 'wamid.TEST',
      fromRow: 2,
      text: 'Hi Ada, your order A-1 has shipped.',
    });
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]).toMatchObject({
      phoneNumberId: '106540352242922',
      to: '+4915123456700',
      template: { name: 'order_update', language: { code: 'en_US' } },
    });
  });

  it('refuses a missing or invalid phone, a missing file, a file without a valid row', async () => {
    const { service } = await setup('phone,name,order\nnope,Xi,A-0\n');
    await expect(service.send('acme', 'b1', {}, 'r')).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(service.send('acme', 'b1', { phone: 'abc' }, 'r')).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(
      service.send('acme', 'b1', { phone: '+4915123456789' }, 'r'),
    ).rejects.toMatchObject({
      code: 'no-valid-recipients',
    });
    const empty = await setup(undefined);
    await expect(
      empty.service.send('acme', 'b1', { phone: '+4915123456789' }, 'r'),
    ).rejects.toMatchObject({
      code: 'file-missing',
    });
  });
});
