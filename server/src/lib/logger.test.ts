import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { requestContext } from './request-context';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('logger', () => {
  it('when a line carries phone numbers, tokens or WeChat keys, then they are redacted', () => {
    const { logger, lines } = capture();
    logger.info({ phone: '13812345678', token: 'tok-secret', session_key: 'sk-secret', user: { phone: '13900001111', sessionKey: 'sk2' }, access_token: 'at' }, 'hello');
    const text = lines.join('');
    expect(text).toContain('hello');
    for (const secret of ['13812345678', 'tok-secret', 'sk-secret', '13900001111', 'sk2', '"at"']) expect(text).not.toContain(secret);
  });

  it('when a line is written while serving a request, then it carries the request id', () => {
    const { logger, lines } = capture();
    requestContext.run({ requestId: 'req-42' }, () => logger.info('inside'));
    logger.info('outside');
    expect(JSON.parse(lines[0]).requestId).toBe('req-42');
    expect(JSON.parse(lines[1]).requestId).toBeUndefined();
  });
});
