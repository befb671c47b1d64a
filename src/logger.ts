import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout. Redaction is a second line of defence: no code path logs a secret on
 * purpose, but a header or body slipping into a log object must not leak one.
 *
 * Lines are written synchronously: pino's default asynchronous writes go through libuv's thread
 * pool, where bcrypt's hashes queue ahead of them, so under a burst of sign-ins log lines (even
 * "shutting down") would come out seconds late. One line to a pipe costs microseconds.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          '*.password',
          '*.code',
          '*.secret',
          '*.token',
          '*.access_token',
          '*.refresh_token',
          '*.id_token',
          '*.client_secret',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
