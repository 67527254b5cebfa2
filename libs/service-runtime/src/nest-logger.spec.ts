import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { PinoNestLogger } from './nest-logger.js';

function capture(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: new PinoNestLogger(createLogger('svc', level, sink)) };
}

describe('PinoNestLogger', () => {
  it("writes Nest's lines as JSON, start-up chatter at debug, with the context", () => {
    const { lines, logger } = capture();
    logger.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    logger.log('something happened', 'MyService');
    logger.warn('careful', 'MyService');
    logger.error('it broke', 'Error: it broke\n    at x', 'ExceptionHandler');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'debug',
        service: 'svc',
        context: 'RouterExplorer',
        msg: 'Mapped {/healthz, GET} route',
      }),
      expect.objectContaining({ level: 'info', context: 'MyService', msg: 'something happened' }),
      expect.objectContaining({ level: 'warn', context: 'MyService', msg: 'careful' }),
      expect.objectContaining({
        level: 'error',
        context: 'ExceptionHandler',
        msg: 'it broke',
        stack: 'Error: it broke\n    at x',
      }),
    ]);
  });

  it('follows the pino level and redacts secrets in object messages', () => {
    const { lines, logger } = capture('info');
    logger.log('routes', 'RoutesResolver');
    logger.log({ msg: 'config', token: 'EAAG-secret' }, 'Config');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', token: '[redacted]', context: 'Config' });
  });
});
