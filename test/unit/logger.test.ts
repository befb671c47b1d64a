import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessLogger, createLogger } from '../../src/logger.ts';

/** A logger writing into an array, one parsed line per entry. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('logger', () => {
  it('redacts secrets at the top of a line and one level down', () => {
    const { logger, lines } = capture();
    logger.info({ password: 'Blue#Harbor42', form: { code: '123456', email: 'a@example.com' }, reqId: 'r1' }, 'form');
    assert.equal(lines[0]!.password, '[redacted]');
    assert.deepEqual(lines[0]!.form, { code: '[redacted]', email: 'a@example.com' });
  });

  it('writes the access line as given, and keeps redacting every other line once the access logger exists', () => {
    const { logger, lines } = capture();
    const access = accessLogger(logger);
    access.info({ reqId: 'r2', method: 'POST', path: '/token', status: 200, ms: 3 }, 'request');
    logger.info({ refresh_token: 'secret-token', reqId: 'r3' }, 'later');
    assert.deepEqual(
      { reqId: lines[0]!.reqId, method: lines[0]!.method, path: lines[0]!.path, status: lines[0]!.status, ms: lines[0]!.ms, msg: lines[0]!.msg },
      { reqId: 'r2', method: 'POST', path: '/token', status: 200, ms: 3, msg: 'request' },
    );
    assert.equal(lines[1]!.refresh_token, '[redacted]');
  });
});
