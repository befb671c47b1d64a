import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Names of fields that hold a secret: passwords (and their confirmation), codes, TOTP secrets sealed
 * or not, tokens, CSRF tokens, cookies, credentials, and the account columns that keep a hash or a
 * sealed secret. Redacted at the top of a log object and one level down (e.g. a logged form).
 */
const secretFields = [
  'password',
  'confirmation',
  'code',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'code_verifier',
  '_csrf',
  'xsrf',
  'cookie',
  'authorization',
  'passwordHash',
  'totpSecretEncrypted',
  'pendingTotpSecret',
];

/**
 * JSON lines on stdout. Redaction is a second line of defence: no code path logs a secret on
 * purpose, but a header, a form or an account slipping into a log object must not leak one.
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
          ...secretFields.flatMap((field) => [field, `*.${field}`]),
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The logger of the access line app.ts writes for every request. That line is built from fixed
 * fields alone (request id, method, path without its query, status, duration), none of which can
 * hold a secret, so it skips redaction: matching the redaction paths against it cost 15-20 µs a line,
 * nine tenths of the line's CPU (BENCHMARKS.md, "Fixes"). Every other line keeps the redaction.
 */
export function accessLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}
