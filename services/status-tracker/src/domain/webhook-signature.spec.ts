import { createHmac } from 'node:crypto';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'app-secret-for-tests';
const body = Buffer.from(
  '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}',
);
const valid = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhook signature (X-Hub-Signature-256)', () => {
  it('accepts the HMAC-SHA256 of the raw body under the app secret', () => {
    expect(signWebhookBody(body, secret)).toBe(valid);
    expect(verifyWebhookSignature(body, valid, secret)).toBe(true);
    expect(
      verifyWebhookSignature(body, valid.toUpperCase().replace('SHA256=', 'sha256='), secret),
    ).toBe(true);
  });

  it('refuses a body changed by one byte, even if it is the same JSON', () => {
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verifyWebhookSignature(reformatted, valid, secret)).toBe(false);
    const tampered = Buffer.from(body.toString().replace('"1"', '"2"'));
    expect(verifyWebhookSignature(tampered, valid, secret)).toBe(false);
  });

  it('refuses another secret, and the verify token used as a key', () => {
    expect(verifyWebhookSignature(body, signWebhookBody(body, 'another-secret'), secret)).toBe(
      false,
    );
  });

  it('refuses missing, empty, malformed, truncated or repeated headers', () => {
    for (const header of [
      undefined,
      '',
      'sha256=',
      valid.slice(0, -2),
      valid.replace('sha256=', 'sha1='),
      valid.replace('sha256=', ''),
      `${valid}00`,
      'sha256=zz' + valid.slice(9),
    ]) {
      expect(verifyWebhookSignature(body, header, secret)).toBe(false);
    }
    expect(verifyWebhookSignature(body, [valid, valid], secret)).toBe(false);
  });
});
