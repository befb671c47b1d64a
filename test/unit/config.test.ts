import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${(error as Error).name}`);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return error.message;
  }
  assert.fail('the configuration was accepted');
}

describe('configuration', () => {
  it('has the contract defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.issuer, 'http://localhost:3000');
    assert.match(config.dataDir, /\/data$/);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redis, undefined);
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.mailFrom, 'Fluxys Extranet Identity Provider <no-reply@localhost>');
    assert.match(config.clientsFile, /\/clients\.json$/);
    assert.equal(config.brand.name, 'Fluxys');
    assert.equal(config.supportText.en, 'please contact your Fluxys point of contact.');
    assert.equal(config.emailCodeTtlSeconds, 300);
    assert.equal(config.activationDays, 30);
    assert.equal(config.bcryptCost, 12);
    assert.equal(config.sessionHours, 12);
    assert.equal(config.trustProxy, false);
    assert.equal(config.production, false);
  });

  it('gives the help line in each language, with the brand, while SSO_SUPPORT_TEXT is unset', () => {
    assert.deepEqual(loadConfig({ SSO_BRAND_NAME: 'Acme' }).supportText, {
      en: 'please contact your Acme point of contact.',
      nl: 'neem dan contact op met uw contactpersoon bij Acme.',
      fr: 'contactez votre personne de contact chez Acme.',
      de: 'wenden Sie sich an Ihre Kontaktperson bei Acme.',
    });
  });

  it('takes a help line per language, falling back to SSO_SUPPORT_TEXT', () => {
    const config = loadConfig({
      SSO_SUPPORT_TEXT: ' call the service desk on +32 2 000 00 00. ',
      SSO_SUPPORT_TEXT_NL: 'bel dan de servicedesk op 02 000 00 00.',
      SSO_SUPPORT_TEXT_DE: '',
    });
    assert.deepEqual(config.supportText, {
      en: 'call the service desk on +32 2 000 00 00.',
      nl: 'bel dan de servicedesk op 02 000 00 00.',
      fr: 'call the service desk on +32 2 000 00 00.',
      de: 'call the service desk on +32 2 000 00 00.',
    });
    assert.equal(loadConfig({ SSO_SUPPORT_TEXT_FR: 'appelez le 02 000 00 00.' }).supportText.en, 'please contact your Fluxys point of contact.');
  });

  it('derives the issuer from PORT and strips a trailing slash', () => {
    assert.equal(loadConfig({ PORT: '8081' }).issuer, 'http://localhost:8081');
    assert.equal(loadConfig({ SSO_ISSUER: 'https://sso.example.com/' }).issuer, 'https://sso.example.com');
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['an unparsable port', { PORT: 'eighty' }, /^Invalid PORT="eighty": expected a whole number/],
    ['a port out of range', { PORT: '70000' }, /^Invalid PORT="70000": must be at most 65535/],
    ['an issuer that is not a URL', { SSO_ISSUER: 'sso.example.com' }, /^Invalid SSO_ISSUER=/],
    ['a database URL of another kind', { DATABASE_URL: 'mysql://x' }, /^Invalid DATABASE_URL=/],
    ['a Redis URL of another kind', { REDIS_URL: 'http://localhost' }, /^Invalid REDIS_URL=/],
    ['an SMTP URL of another kind', { SMTP_URL: 'mail.example.com' }, /^Invalid SMTP_URL=/],
    ['a secret key that is not 32 bytes', { SSO_SECRET_KEY: 'c2hvcnQ=' }, /^Invalid SSO_SECRET_KEY=.*32 bytes/],
    ['a short cookie key', { SSO_COOKIE_KEYS: 'short' }, /^Invalid SSO_COOKIE_KEYS=.*at least 32/],
    ['a fractional code TTL', { SSO_EMAIL_CODE_TTL: '2.5' }, /^Invalid SSO_EMAIL_CODE_TTL=/],
    ['a negative activation window', { SSO_ACTIVATION_DAYS: '-1' }, /^Invalid SSO_ACTIVATION_DAYS=/],
    ['a bcrypt cost too low to protect anything', { SSO_BCRYPT_COST: '3' }, /^Invalid SSO_BCRYPT_COST="3": must be at least 4/],
    ['a session of zero hours', { SSO_SESSION_HOURS: '0' }, /^Invalid SSO_SESSION_HOURS=/],
    ['a non-boolean proxy flag', { SSO_TRUST_PROXY: 'maybe' }, /^Invalid SSO_TRUST_PROXY="maybe": expected true or false/],
    ['a colour that is not hex', { SSO_BRAND_COLOR: 'blue' }, /^Invalid SSO_BRAND_COLOR=/],
    ['a Sentinel without a port', { REDIS_SENTINELS: 'sentinel-a:26379,sentinel-b' }, /^Invalid REDIS_SENTINELS=.*host:port/],
    ['a Sentinel port out of range', { REDIS_SENTINELS: 'sentinel-a:99999' }, /^Invalid REDIS_SENTINELS=.*between 1 and 65535/],
    ['an empty Sentinel list', { REDIS_SENTINELS: ' , ' }, /^Invalid REDIS_SENTINELS=.*at least one/],
    ['both REDIS_URL and REDIS_SENTINELS', { REDIS_URL: 'redis://cache:6379', REDIS_SENTINELS: 'sentinel-a:26379' }, /^Set REDIS_URL or REDIS_SENTINELS, not both$/],
    ['a Redis password without Sentinels', { REDIS_URL: 'redis://cache:6379', REDIS_PASSWORD: 'p' }, /^REDIS_PASSWORD and REDIS_SENTINEL_PASSWORD go with REDIS_SENTINELS/],
    ['a negative replica count', { SSO_REDIS_WAIT_REPLICAS: '-1' }, /^Invalid SSO_REDIS_WAIT_REPLICAS=/],
    ['a database timeout of zero', { SSO_DATABASE_TIMEOUT: '0' }, /^Invalid SSO_DATABASE_TIMEOUT="0": must be at least 1/],
  ];
  for (const [what, env, message] of bad) {
    it(`refuses ${what} with one line naming the variable`, () => {
      assert.match(problem(env), message);
    });
  }

  it('refuses production without the backends and secrets, naming each one missing', () => {
    const message = problem({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/sso' });
    assert.match(message, /^NODE_ENV=production requires /);
    for (const name of ['REDIS_URL', 'SMTP_URL', 'SSO_JWKS_FILE', 'SSO_COOKIE_KEYS', 'SSO_SECRET_KEY', 'https SSO_ISSUER']) {
      assert.ok(message.includes(name), `names ${name}`);
    }
    assert.doesNotMatch(message, /(requires|, )DATABASE_URL/, 'does not ask for what is set');
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SSO_ISSUER: 'https://sso.example.com',
      DATABASE_URL: 'postgres://db/sso',
      REDIS_URL: 'redis://cache:6379',
      SMTP_URL: 'smtp://mail:25',
      SSO_JWKS_FILE: '/run/secrets/jwks.json',
      SSO_COOKIE_KEYS: 'k'.repeat(32),
      SSO_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    assert.equal(config.production, true);
    assert.equal(config.secretKey?.length, 32);
  });

  it('reads Redis Sentinels instead of REDIS_URL, and waits for one replica with them', () => {
    const config = loadConfig({ REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.7:26380,[fd00::1]:26381', REDIS_PASSWORD: 'p', REDIS_SENTINEL_PASSWORD: 's' });
    assert.deepEqual(config.redis, {
      kind: 'sentinel',
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: '10.0.0.7', port: 26380 },
        { host: 'fd00::1', port: 26381 },
      ],
      name: 'mymaster',
      password: 'p',
      sentinelPassword: 's',
    });
    assert.equal(config.redisWaitReplicas, 1);
    assert.equal(loadConfig({ REDIS_SENTINELS: 'sentinel-a:26379', SSO_REDIS_WAIT_REPLICAS: '0' }).redisWaitReplicas, 0);
    assert.equal(loadConfig({ REDIS_URL: 'redis://cache:6379' }).redisWaitReplicas, 0, 'a single Redis has no replica to wait for');
    assert.deepEqual(loadConfig({ REDIS_URL: 'redis://cache:6379' }).redis, { kind: 'url', url: 'redis://cache:6379' });
    assert.equal(loadConfig({}).databaseTimeoutSeconds, 5);
  });

  it('accepts Redis Sentinels in production in place of REDIS_URL', () => {
    const production = {
      NODE_ENV: 'production',
      SSO_ISSUER: 'https://sso.example.com',
      DATABASE_URL: 'postgres://db/sso',
      SMTP_URL: 'smtp://mail:25',
      SSO_JWKS_FILE: '/run/secrets/jwks.json',
      SSO_COOKIE_KEYS: 'k'.repeat(32),
      SSO_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    assert.match(problem(production), /^NODE_ENV=production requires REDIS_URL \(or REDIS_SENTINELS\)$/);
    assert.equal(loadConfig({ ...production, REDIS_SENTINELS: 'sentinel-a:26379' }).redis?.kind, 'sentinel');
  });
});
