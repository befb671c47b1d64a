/**
 * Signs ID-token-sized payloads the way oidc-provider does (jose's CompactSign with the private JWK)
 * one after another, in a process of its own started by signature-baseline.ts: the CPU of one
 * signature, every thread counted, without a server around it.
 */
import { randomUUID } from 'node:crypto';
import { CompactSign, type JWK } from 'jose';
import { generateSigningKey } from '../src/secrets.ts';
import { benchAlgorithms } from './client.ts';

const signatures = Number(process.env.BENCH_SIGNATURES);
const warmUp = 200;

/** Claims of the size the server's ID tokens carry. */
const payload = Buffer.from(
  JSON.stringify({
    sub: randomUUID(),
    email: 'signin-1234@bench.example.com',
    email_verified: true,
    name: 'Bench User 1234',
    auth_time: 1_700_000_000,
    amr: ['pwd', 'otp'],
    at_hash: 'x'.repeat(22),
    sid: randomUUID(),
    nonce: 'x'.repeat(11),
    aud: 'bench-public',
    exp: 1_700_003_600,
    iat: 1_700_000_000,
    iss: 'http://127.0.0.1:40000',
  }),
);

const results: Record<string, { cpuMs: number; wallMs: number }> = {};
// The server's own key types: RSA 2048, P-256 and Ed25519.
for (const alg of benchAlgorithms) {
  const jwk = generateSigningKey(alg) as JWK;
  const sign = () => new CompactSign(payload).setProtectedHeader({ alg, typ: 'JWT', kid: 'k' }).sign(jwk);
  for (let i = 0; i < warmUp; i++) await sign();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < signatures; i++) await sign();
  const used = process.cpuUsage(cpu);
  results[alg] = { cpuMs: (used.user + used.system) / 1000 / signatures, wallMs: (performance.now() - started) / signatures };
}
process.send!(results);
process.disconnect();
