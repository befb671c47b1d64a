/**
 * Malformed requests for the input fuzz test: every kind of bad input the contract names (oversized
 * bodies, wrong types, invalid UTF-8, null bytes, structures where strings belong, unknown and
 * expired interactions, huge headers, odd methods), aimed at the interaction routes and the token
 * endpoint. Generated from a seed, so a failure can be replayed exactly.
 */
import { steps } from '../../interactions/steps.ts';

/** What an attacker holds of one interaction: enough to get past the cookie and CSRF checks. */
export interface InteractionHandle {
  readonly uid: string;
  readonly cookie: string;
  readonly csrf: string;
}

export interface MalformedRequest {
  /** The kind of malformation, for the failure message. */
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** The interaction routes by the method they answer, so that most requests reach a handler. */
const getPaths = steps.filter((route) => route.method === 'get').map((route) => route.path);
const postPaths = steps.filter((route) => route.method === 'post').map((route) => route.path);
const allPaths = [...new Set([...getPaths, ...postPaths])];

function pathFor(random: Random, method: string): string {
  return pick(random, method === 'GET' ? getPaths : method === 'POST' ? postPaths : allPaths);
}

const FORM = 'application/x-www-form-urlencoded';

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


/** Invalid UTF-8: stray continuation bytes, overlong forms, a UTF-16 surrogate, truncated sequences. */
const invalidUtf8 = [
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0x80, 0x80, 0x80]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
];

/** Percent-encodings that do not decode, or decode to something no field should hold. */
const badEncodings = ['%', '%zz', '%E0%A4%A', '%FF%FE', '%C0%AF', '%ED%A0%80', '%00', '%0d%0aSet-Cookie:%20x=1', '%u0041', '%%41'];

/** Values an input should never trust: injections, odd Unicode, absurd lengths. */
const hostileValues = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1' --",
  '{{ 7*7 }}{% raw %}',
  '${7*7}',
  '１２３４５６',
  '١٢٣٤٥٦',
  '12 34 56\u202e',
  '\u0000\u0001\u0002',
  '😀'.repeat(50),
  'a@b',
  '@',
  ' '.repeat(500),
  'x'.repeat(5000),
  `${'a'.repeat(250)}@${'b'.repeat(250)}.com`,
  'null',
  'undefined',
  '[object Object]',
  '-1',
  '1e309',
];

const fieldNames = ['email', 'password', 'confirmation', 'code', '_csrf'];

function formBody(fields: Array<[string, string]>): Buffer {
  return Buffer.from(fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
}

export interface Targets {
  /** Interactions in several states (fresh, at the password, at a code step...). */
  readonly live: readonly InteractionHandle[];
  /** An interaction that has ended. */
  readonly finished: InteractionHandle;
}

/**
 * `count` malformed requests. Most carry a live interaction's cookie and CSRF token, so that the bad
 * input reaches the step code rather than being stopped at the door.
 */
export function* malformedRequests(seed: number, count: number, targets: Targets): Generator<MalformedRequest> {
  const random = seededRandom(seed);
  const generators: Array<[number, (h: InteractionHandle) => MalformedRequest]> = [
    [10, (h) => oversized(random, h)],
    [10, (h) => wrongContentType(random, h)],
    [10, (h) => brokenEncoding(random, h)],
    [10, (h) => structuredFields(random, h)],
    [10, (h) => hostileFields(random, h)],
    [8, () => unknownInteraction(random)],
    [6, () => atInteraction(targets.finished, random, pick(random, ['GET', 'POST']), { kind: 'finished interaction' })],
    [8, (h) => hugeHeaders(random, h)],
    [8, (h) => oddMethod(random, h)],
    [6, (h) => oddQuery(random, h)],
    [14, () => tokenEndpoint(random)],
  ];
  const total = generators.reduce((sum, [weight]) => sum + weight, 0);
  for (let i = 0; i < count; i++) {
    let roll = random() * total;
    const [, generate] = generators.find(([weight]) => (roll -= weight) < 0) ?? generators[0]!;
    yield generate(pick(random, targets.live));
  }
}

function atInteraction(
  h: InteractionHandle,
  random: Random,
  method: string,
  options: { kind: string; body?: Buffer; contentType?: string; headers?: Record<string, string>; query?: string },
): MalformedRequest {
  return {
    kind: options.kind,
    method,
    path: `/interaction/${h.uid}${pathFor(random, method)}${options.query ?? ''}`,
    headers: {
      cookie: h.cookie,
      ...(options.body === undefined ? {} : { 'content-type': options.contentType ?? FORM }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  };
}

function oversized(random: Random, h: InteractionHandle): MalformedRequest {
  const size = random() < 0.1 ? 2 * 1024 * 1024 : int(random, 17 * 1024, 300 * 1024);
  const field = pick(random, fieldNames);
  const body = Buffer.concat([formBody([['_csrf', h.csrf]]), Buffer.from(`&${field}=`), Buffer.alloc(size, 'a')]);
  return atInteraction(h, random, 'POST', { kind: `body of ${size} bytes`, body });
}

function wrongContentType(random: Random, h: InteractionHandle): MalformedRequest {
  const [contentType, body] = pick(random, [
    ['application/json', Buffer.from(JSON.stringify({ _csrf: h.csrf, email: ['a'], code: { $gt: '' } }))],
    ['application/json', Buffer.from('{"_csrf":')],
    ['text/plain', formBody([['_csrf', h.csrf], ['email', 'a@example.com']])],
    ['multipart/form-data; boundary=x', Buffer.from(`--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${h.csrf}\r\n--x--\r\n`)],
    ['multipart/form-data', Buffer.from('--\r\n\r\n')],
    ['application/xml', Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')],
    [`${FORM}; charset=utf-7`, formBody([['_csrf', h.csrf], ['email', '+ADw-script+AD4-']])],
    [`${FORM}; charset=bogus-charset`, formBody([['_csrf', h.csrf]])],
    [`${FORM}; charset=utf-16le`, Buffer.from(`_csrf=${h.csrf}`, 'utf16le')],
    ['garbage', Buffer.from('\u0000\u0001')],
    ['', formBody([['_csrf', h.csrf]])],
  ] as Array<[string, Buffer]>);
  return atInteraction(h, random, pick(random, ['POST', 'POST', 'PUT']), { kind: `content type "${contentType}"`, body, contentType });
}

function brokenEncoding(random: Random, h: InteractionHandle): MalformedRequest {
  const field = pick(random, fieldNames.filter((f) => f !== '_csrf'));
  const raw = random() < 0.5;
  const body = raw
    ? Buffer.concat([formBody([['_csrf', h.csrf]]), Buffer.from(`&${field}=a`), pick(random, invalidUtf8), Buffer.from('b')])
    : Buffer.concat([formBody([['_csrf', h.csrf]]), Buffer.from(`&${field}=x${pick(random, badEncodings)}y&${pick(random, badEncodings)}=1`)]);
  return atInteraction(h, random, 'POST', { kind: raw ? 'invalid UTF-8 bytes' : 'bad percent-encoding', body });
}

function structuredFields(random: Random, h: InteractionHandle): MalformedRequest {
  const field = pick(random, fieldNames);
  const shapes = [
    `${field}[]=a&${field}[]=b`,
    `${field}[x]=a`,
    `${field}[0]=1`,
    `${field}=a&${field}=b`,
    `${'a'}${'[b]'.repeat(40)}=c`,
    '__proto__[admin]=1',
    'constructor[prototype][admin]=1',
    `${field}[__proto__][x]=1`,
    Array.from({ length: 3000 }, (_, i) => `p${i}=${i}`).join('&'),
    `${field}[${'9'.repeat(30)}]=x`,
  ];
  const csrf = random() < 0.8 ? `_csrf=${encodeURIComponent(h.csrf)}&` : '';
  return atInteraction(h, random, 'POST', { kind: 'structure where a string belongs', body: Buffer.from(csrf + pick(random, shapes)) });
}

function hostileFields(random: Random, h: InteractionHandle): MalformedRequest {
  const fields: Array<[string, string]> = [['_csrf', h.csrf]];
  for (const name of fieldNames.filter((f) => f !== '_csrf')) {
    if (random() < 0.6) fields.push([name, pick(random, hostileValues)]);
  }
  if (random() < 0.2) fields.push([pick(random, hostileValues).slice(0, 100), 'x']);
  return atInteraction(h, random, 'POST', { kind: 'hostile field values', body: formBody(fields) });
}

function unknownInteraction(random: Random): MalformedRequest {
  const uid = pick(random, [
    'A'.repeat(43),
    Array.from({ length: 43 }, () => pick(random, [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'])).join(''),
    'x'.repeat(int(random, 100, 6000)),
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '%2e%2e',
    '%00',
    '%FF%FE',
    '%E2%80%AE',
    '%20',
    'null',
    '__proto__',
  ]);
  const method = pick(random, ['GET', 'POST']);
  return {
    kind: 'unknown interaction',
    method,
    path: `/interaction/${uid}${pathFor(random, method)}`,
    headers: { 'content-type': FORM, ...(random() < 0.5 ? { cookie: `_interaction=${uid}; _interaction.sig=${'A'.repeat(27)}` } : {}) },
    body: Buffer.from('_csrf=x&email=a%40example.com'),
  };
}

function hugeHeaders(random: Random, h: InteractionHandle): MalformedRequest {
  const size = random() < 0.3 ? int(random, 17_000, 40_000) : int(random, 1_000, 12_000);
  const headers = pick<Record<string, string>>(random, [
    { 'accept-language': `${'x-'.repeat(size / 2)}` },
    { 'accept-language': Array.from({ length: size / 8 }, (_, i) => `xx;q=0.${i % 10}`).join(',') },
    { 'user-agent': 'u'.repeat(size) },
    { cookie: `${h.cookie}; ${Array.from({ length: size / 20 }, (_, i) => `c${i}=${'v'.repeat(12)}`).join('; ')}` },
    { cookie: `_interaction=${'x'.repeat(size)}` },
    { 'x-forwarded-for': Array.from({ length: size / 16 }, () => '300.1.1.1').join(', ') },
    { 'x-forwarded-for': 'not an address, ::ffff:zz, 1.2.3' },
    { referer: `https://evil.example/${'r'.repeat(size)}` },
    { 'x-request-id': 'r'.repeat(size) },
  ]);
  return atInteraction(h, random, pick(random, ['GET', 'POST']), {
    kind: `header of ${size} bytes`,
    headers: { cookie: h.cookie, ...headers },
    body: formBody([['_csrf', h.csrf]]),
  });
}

function oddMethod(random: Random, h: InteractionHandle): MalformedRequest {
  const method = pick(random, ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'LINK']);
  return atInteraction(h, random, method, { kind: `method ${method}`, body: method === 'HEAD' ? undefined : formBody([['_csrf', h.csrf]]) });
}

function oddQuery(random: Random, h: InteractionHandle): MalformedRequest {
  const query = pick(random, ['?lang[]=nl', '?lang[x]=nl', '?lang=%FF', `?lang=${'n'.repeat(5000)}`, '?lang=nl&lang=fr', '?%00=%00', `?${'a=1&'.repeat(2000)}`, '?ui_locales=<script>']);
  return atInteraction(h, random, 'GET', { kind: `query ${query.slice(0, 40)}`, query });
}

function tokenEndpoint(random: Random): MalformedRequest {
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  const authorization = pick(random, [
    undefined,
    'Basic',
    'Basic !!!not-base64!!!',
    basic('no-colon'),
    basic('test-confidential:wrong'),
    basic(`${'%'.repeat(300)}:${'%'.repeat(300)}`),
    basic(':'),
    `Bearer ${'t'.repeat(int(random, 1, 3000))}`,
    `Basic ${'A'.repeat(12_000)}`,
  ]);
  const bodies: Array<[string, Buffer]> = [
    [FORM, formBody([['grant_type', 'authorization_code'], ['code', pick(random, hostileValues)], ['redirect_uri', 'http://127.0.0.1:9/callback'], ['client_id', 'test-public'], ['code_verifier', 'v'.repeat(int(random, 1, 200))]])],
    [FORM, formBody([['grant_type', 'refresh_token'], ['refresh_token', pick(random, hostileValues)], ['client_id', 'test-public']])],
    [FORM, formBody([['grant_type', pick(random, ['password', 'client_credentials', 'implicit', '', 'urn:x', 'authorization_code\u0000'])], ['client_id', pick(random, ['test-public', 'nope', ''])]])],
    [FORM, Buffer.from('grant_type[]=authorization_code&grant_type[]=refresh_token&client_id[x]=1')],
    [FORM, Buffer.from('grant_type=authorization_code&grant_type=refresh_token&client_id=test-public&client_id=test-public')],
    [FORM, Buffer.concat([Buffer.from('grant_type=authorization_code&code='), pick(random, invalidUtf8), Buffer.from('&client_id=test-public')])],
    [FORM, Buffer.from(`grant_type=authorization_code&code=${pick(random, badEncodings)}&client_id=test-public`)],
    [FORM, Buffer.alloc(int(random, 57 * 1024, 400 * 1024), 'a')],
    ['application/json', Buffer.from('{"grant_type":"authorization_code","code":{"$ne":null}}')],
    [`${FORM}; charset=bogus`, Buffer.from('grant_type=refresh_token')],
    ['text/plain', Buffer.from('grant_type=authorization_code')],
    ['', Buffer.alloc(0)],
  ];
  const [contentType, body] = pick(random, bodies);
  const method = random() < 0.9 ? 'POST' : pick(random, ['GET', 'PUT', 'DELETE', 'PATCH']);
  return {
    kind: `token endpoint, ${method} ${contentType || 'no type'}`,
    method,
    path: pick(random, ['/token', '/token', '/token?grant_type=authorization_code', '/token/', '/token/introspection', '/token/revocation']),
    headers: {
      ...(contentType === '' ? {} : { 'content-type': contentType }),
      ...(authorization === undefined ? {} : { authorization }),
    },
    ...(method === 'GET' ? {} : { body }),
  };
}
