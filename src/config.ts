import path from 'node:path';
import { z } from 'zod';
import { locales, translator, type Locale } from './i18n/index.ts';

/** A configuration problem the operator must fix; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Numbers of the contract's rules (CONTRACT.md section 7), kept in one place. */
export const rules = {
  emailCodeMaxTries: 5,
  emailCodeResendSeconds: 30,
  emailCodeSendsPerHour: 5,
  lockThreshold: 10,
  lockBaseSeconds: 60,
  lockMaxSeconds: 15 * 60,
  ipFailuresPerHour: 100,
  /** Repeats of one refusal to one address within this window add to one audit row (src/audit.ts). */
  auditRepeatWindowSeconds: 10 * 60,
  /** The life of an interaction once its email step has passed (the user is known). */
  interactionTtlSeconds: 60 * 60,
  /** The life of an interaction nobody has identified in yet: anonymous requests cannot fill the store for an hour. */
  anonymousInteractionSeconds: 10 * 60,
  /** How recent a sign-in a change on the account page needs (CONTRACT.md section 8). */
  accountFreshSeconds: 10 * 60,
  /** How recent a sign-in a console action needs (CONTRACT.md section 9). */
  consoleFreshSeconds: 15 * 60,
  /** Per client address (an IPv6 /64), authorization and pushed authorization requests per window. */
  authorizationRequestsPerWindow: 200,
  authorizationWindowSeconds: 10 * 60,
  /** Bytes of parameters an authorization or pushed authorization request may carry (query or body). */
  authorizationRequestMaxBytes: 8 * 1024,
  totpWindow: 1,
  maxAuthenticatorApps: 5,
  /** Recovery codes in a set (CONTRACT section 8). */
  recoveryCodes: 10,
  maxPasskeys: 10,
  /** The account page warns when this many recovery codes or fewer are left. */
  recoveryCodesWarnAt: 2,
  /** The longest name a user may give an authenticator app or a passkey. */
  factorNameMaxLength: 60,
  /** How long a passkey ceremony (the browser's prompt) may take, and its challenge waits in the store. */
  passkeyCeremonySeconds: 5 * 60,
  passwordMinLength: 8,
  passwordMaxLength: 16,
  commonPasswordCount: 10_000,
  bodyLimit: '16kb',
  /** Seconds after a refresh token's first use during which it refreshes again (src/store/oidc-adapter.ts). */
  refreshTokenGraceSeconds: 10,
  /** How long the account read at a sign-in's gate serves the provider (src/accounts/recent-accounts.ts). */
  recentAccountSeconds: 10,
  /** Ten seconds of 100 sign-ins a second; beyond that the oldest are read from the database again. */
  recentAccountsMax: 1_000,
} as const;

/** SSO_DATABASE_TIMEOUT's default, also for callers that open a database without a whole Config. */
export const defaultDatabaseTimeoutSeconds = 5;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\s*\d+\s*$/, { message: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL` },
  );

/** `host:port,host:port`: a hostname, an IPv4 address or a bracketed IPv6 address, and a port, each. */
const sentinelList = z
  .string()
  .transform((v) => v.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'expected host:port entries separated by commas' })
          .transform((entry) => {
            const colon = entry.lastIndexOf(':');
            return { host: entry.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(entry.slice(colon + 1)) };
          })
          .refine((sentinel) => sentinel.port >= 1 && sentinel.port <= 65535, { message: 'each port must be between 1 and 65535' }),
      )
      .min(1, { message: 'expected at least one host:port' }),
  );

const optionalText = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const envSchema = z.object({
  PORT: integer(0, 65535).default(3000),
  SSO_ISSUER: url(['http:', 'https:']).optional(),
  SSO_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  SSO_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'expected a lowercase SQL identifier' })
    .optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_SENTINELS: sentinelList.optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  REDIS_PASSWORD: optionalText,
  REDIS_SENTINEL_PASSWORD: optionalText,
  SSO_REDIS_PREFIX: z.string().max(100).default('sso:'),
  SSO_REDIS_WAIT_REPLICAS: integer(0, 10).optional(),
  SSO_DATABASE_TIMEOUT: integer(1, 300).default(defaultDatabaseTimeoutSeconds),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  SSO_MAIL_FROM: z.string().min(3).default('Fluxys Extranet Identity Provider <no-reply@localhost>'),
  SSO_CLIENTS_FILE: z.string().min(1).default('./clients.json'),
  SSO_JWKS_FILE: optionalText,
  SSO_COOKIE_KEYS: optionalText.pipe(
    z
      .string()
      .transform((v) => v.split(',').map((k) => k.trim()))
      .refine((keys) => keys.every((k) => k.length >= 32), { message: 'each key must be at least 32 characters' })
      .optional(),
  ),
  SSO_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .transform((v) => Buffer.from(v, 'base64'))
      .refine((b) => b.length === 32, { message: 'expected 32 bytes in base64' })
      .optional(),
  ),
  SSO_BRAND_NAME: z.string().min(1).max(60).default('Fluxys'),
  SSO_BRAND_LOGO: optionalText,
  SSO_BRAND_COLOR: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, { message: 'expected a colour like #0b5394' })
    .default('#00558c'),
  SSO_SUPPORT_TEXT: optionalText,
  SSO_SUPPORT_TEXT_NL: optionalText,
  SSO_SUPPORT_TEXT_FR: optionalText,
  SSO_SUPPORT_TEXT_DE: optionalText,
  SSO_EMAIL_CODE_TTL: integer(10, 86_400).default(300),
  SSO_ACTIVATION_DAYS: integer(1, 3650).default(30),
  SSO_BCRYPT_COST: integer(4, 15).default(12),
  SSO_SESSION_HOURS: integer(1, 24 * 30).default(12),
  SSO_TRUST_PROXY: booleanFlag.default(false),
  SSO_AUDIT_RETENTION_DAYS: integer(1, 3650 * 3).default(365),
  SSO_SHUTDOWN_DELAY: integer(0, 600).default(5),
  SSO_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),
});

/** Where the store's Redis is: one URL, or a master's name at its Sentinels, which follow it through a failover. */
export type RedisEndpoint =
  | { readonly kind: 'url'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>;
      readonly name: string;
      /** The master's and replicas' password (requirepass), when they have one. */
      readonly password: string | undefined;
      /** The Sentinels' own password, when they have one. */
      readonly sentinelPassword: string | undefined;
    };

export interface Config {
  readonly port: number;
  readonly issuer: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databaseSchema: string | undefined;
  /** Unset: the in-process store. */
  readonly redis: RedisEndpoint | undefined;
  readonly redisPrefix: string;
  /**
   * Replicas that must hold a security write (a code used, a failure counted, a lock) before it
   * counts; 0 trusts the master alone.
   */
  readonly redisWaitReplicas: number;
  /** Seconds a PostgreSQL call (connecting, waiting for a pooled connection, a statement) may take. */
  readonly databaseTimeoutSeconds: number;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly clientsFile: string;
  readonly jwksFile: string | undefined;
  readonly cookieKeys: readonly string[] | undefined;
  readonly secretKey: Buffer | undefined;
  readonly brand: { readonly name: string; readonly logoFile: string | undefined; readonly color: string };
  /** The help line's text in each page language: it completes "If you need help, …". */
  readonly supportText: Readonly<Record<Locale, string>>;
  readonly emailCodeTtlSeconds: number;
  readonly activationDays: number;
  readonly bcryptCost: number;
  readonly sessionHours: number;
  readonly trustProxy: boolean;
  readonly auditRetentionDays: number;
  /** Seconds between SIGTERM and closing the listener, while /readyz already answers 503. */
  readonly shutdownDelaySeconds: number;
  readonly logLevel: string;
  readonly production: boolean;
}

type Environment = z.infer<typeof envSchema>;

/** What production needs, each named as the refusal names it. */
const productionRequirements: ReadonlyArray<[string, (e: Environment) => boolean]> = [
  ['DATABASE_URL', (e) => e.DATABASE_URL !== undefined],
  ['REDIS_URL (or REDIS_SENTINELS)', (e) => e.REDIS_URL !== undefined || e.REDIS_SENTINELS !== undefined],
  ['SMTP_URL', (e) => e.SMTP_URL !== undefined],
  ['SSO_JWKS_FILE', (e) => e.SSO_JWKS_FILE !== undefined],
  ['SSO_COOKIE_KEYS', (e) => e.SSO_COOKIE_KEYS !== undefined],
  ['SSO_SECRET_KEY', (e) => e.SSO_SECRET_KEY !== undefined],
];

const supportVariables: Readonly<Record<Exclude<Locale, 'en'>, `SSO_SUPPORT_TEXT_${Uppercase<Exclude<Locale, 'en'>>}`>> = {
  nl: 'SSO_SUPPORT_TEXT_NL',
  fr: 'SSO_SUPPORT_TEXT_FR',
  de: 'SSO_SUPPORT_TEXT_DE',
};

/**
 * The operator's text for a language, else SSO_SUPPORT_TEXT, else the catalogue's text of that
 * language with the brand: a Dutch page never ends with an English line nobody chose.
 */
function supportTexts(e: Environment): Record<Locale, string> {
  const own = (locale: Locale) => (locale === 'en' ? undefined : e[supportVariables[locale]]);
  return Object.fromEntries(
    locales.map((locale) => [
      locale,
      own(locale) ?? e.SSO_SUPPORT_TEXT ?? translator(locale)('layout.supportDefault', { brand: e.SSO_BRAND_NAME }),
    ]),
  ) as Record<Locale, string>;
}

/** Reads the environment into one validated Config, or throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.REDIS_URL !== undefined && e.REDIS_SENTINELS !== undefined) {
    throw new ConfigError('Set REDIS_URL or REDIS_SENTINELS, not both');
  }
  if (e.REDIS_SENTINELS === undefined && (e.REDIS_PASSWORD !== undefined || e.REDIS_SENTINEL_PASSWORD !== undefined)) {
    throw new ConfigError('REDIS_PASSWORD and REDIS_SENTINEL_PASSWORD go with REDIS_SENTINELS; with REDIS_URL, put the password in the URL');
  }
  const issuer = (e.SSO_ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const production = e.NODE_ENV === 'production';
  if (production) {
    const missing = productionRequirements.filter(([, met]) => !met(e)).map(([name]) => name);
    if (!issuer.startsWith('https://')) missing.push('an https SSO_ISSUER');
    if (missing.length > 0) {
      throw new ConfigError(`NODE_ENV=production requires ${missing.join(', ')}`);
    }
  }
  return {
    port: e.PORT,
    issuer,
    dataDir: path.resolve(e.SSO_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.SSO_DATABASE_SCHEMA,
    redis: redisEndpoint(e),
    redisPrefix: e.SSO_REDIS_PREFIX,
    // A failover promotes a replica: with Sentinels there is one, and what it lacks is lost.
    redisWaitReplicas: e.SSO_REDIS_WAIT_REPLICAS ?? (e.REDIS_SENTINELS === undefined ? 0 : 1),
    databaseTimeoutSeconds: e.SSO_DATABASE_TIMEOUT,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.SSO_MAIL_FROM,
    clientsFile: path.resolve(e.SSO_CLIENTS_FILE),
    jwksFile: e.SSO_JWKS_FILE === undefined ? undefined : path.resolve(e.SSO_JWKS_FILE),
    cookieKeys: e.SSO_COOKIE_KEYS,
    secretKey: e.SSO_SECRET_KEY,
    brand: {
      name: e.SSO_BRAND_NAME,
      logoFile: e.SSO_BRAND_LOGO === undefined ? undefined : path.resolve(e.SSO_BRAND_LOGO),
      color: e.SSO_BRAND_COLOR,
    },
    supportText: supportTexts(e),
    emailCodeTtlSeconds: e.SSO_EMAIL_CODE_TTL,
    activationDays: e.SSO_ACTIVATION_DAYS,
    bcryptCost: e.SSO_BCRYPT_COST,
    sessionHours: e.SSO_SESSION_HOURS,
    trustProxy: e.SSO_TRUST_PROXY,
    auditRetentionDays: e.SSO_AUDIT_RETENTION_DAYS,
    shutdownDelaySeconds: e.SSO_SHUTDOWN_DELAY,
    logLevel: e.SSO_LOG_LEVEL,
    production,
  };
}

function redisEndpoint(e: Environment): RedisEndpoint | undefined {
  if (e.REDIS_SENTINELS !== undefined) {
    return {
      kind: 'sentinel',
      sentinels: e.REDIS_SENTINELS,
      name: e.REDIS_SENTINEL_NAME,
      password: e.REDIS_PASSWORD,
      sentinelPassword: e.REDIS_SENTINEL_PASSWORD,
    };
  }
  return e.REDIS_URL === undefined ? undefined : { kind: 'url', url: e.REDIS_URL };
}
