import { Writable } from 'node:stream';
import { createLogger, maskPhone } from './logger.js';

describe('maskPhone', () => {
  it('keeps the country end and the last two digits only', () => {
    expect(maskPhone('+4915123456789')).toBe('+49*********89');
    expect(maskPhone('919876543210')).toBe('91********10');
    expect(maskPhone('(020) 7946-0958')).toBe('02*******58');
    expect(maskPhone('')).toBe('');
    expect(maskPhone('123')).toBe('***');
  });
});

describe('createLogger', () => {
  it('writes JSON lines with the service name and redacts secrets by field name', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger('dispatcher', 'info', sink);
    logger
      .child({ correlationId: 'c-1' })
      .info({ token: 'EAAG-secret', config: { appSecret: 's3cr3t' } }, 'hello');
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({
      service: 'dispatcher',
      correlationId: 'c-1',
      msg: 'hello',
      level: 'info',
      token: '[redacted]',
    });
    expect(lines.join('')).not.toContain('EAAG-secret');
    expect(lines.join('')).not.toContain('s3cr3t');
  });
});
