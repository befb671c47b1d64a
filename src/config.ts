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
  /** How long a passkey ceremony (the browser's prompt) may take, and its challenge waits in the store. */
  passkeyCeremonySeconds: 5 * 60,
  passwordMinLength: 8,
  passwordMaxLength: 16,
  commonPasswordCount: 10_000,
  bodyLimit: '16kb',
  /** How long the account read at a sign-in's gate serves the provider (src/accounts/recent-accounts.ts). */
  recentAccountSeconds: 10,
  /** Ten seconds of 100 sign-ins a second; beyond that the oldest are read from the database again. */
  recentAccountsMax: 1_000,
} as const;

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
  SSO_REDIS_PREFIX: z.string().max(100).default('sso:'),
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
  SSO_SHUTDOWN_DELAY: integer(0, 600).default(0),
  SSO_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),
});

export interface Config {
  readonly port: number;
  readonly issuer: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databaseSchema: string | undefined;
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
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

const productionRequirements: ReadonlyArray<[keyof Environment, string]> = [
  ['DATABASE_URL', 'DATABASE_URL'],
  ['REDIS_URL', 'REDIS_URL'],
  ['SMTP_URL', 'SMTP_URL'],
  ['SSO_JWKS_FILE', 'SSO_JWKS_FILE'],
  ['SSO_COOKIE_KEYS', 'SSO_COOKIE_KEYS'],
  ['SSO_SECRET_KEY', 'SSO_SECRET_KEY'],
];

type Environment = z.infer<typeof envSchema>;

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
  const issuer = (e.SSO_ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const production = e.NODE_ENV === 'production';
  if (production) {
    const missing = productionRequirements.filter(([key]) => e[key] === undefined).map(([, name]) => name);
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
    redisUrl: e.REDIS_URL,
    redisPrefix: e.SSO_REDIS_PREFIX,
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
