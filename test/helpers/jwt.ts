import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

export interface VerifiedJwt {
  readonly kid: string;
  readonly payload: Record<string, unknown>;
}

/**
 * Checks an RS256 JWT's signature against a published key set, as a relying party does with the
 * issuer's /jwks; throws when no key of the set with the token's kid verifies it.
 */
export function verifyJwt(token: string, jwks: { keys: Array<JsonWebKey & { kid?: string }> }): VerifiedJwt {
  const [header64 = '', payload64 = '', signature64 = ''] = token.split('.');
  const header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
  if (header.alg !== 'RS256' || header.kid === undefined) throw new Error(`unexpected JWT header ${JSON.stringify(header)}`);
  const jwk = jwks.keys.find((key) => key.kid === header.kid);
  if (jwk === undefined) throw new Error(`no key ${header.kid} in the key set`);
  const signed = Buffer.from(`${header64}.${payload64}`);
  if (!verify('sha256', signed, createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature64, 'base64url'))) {
    throw new Error(`the signature does not verify with key ${header.kid}`);
  }
  return { kid: header.kid, payload: JSON.parse(Buffer.from(payload64, 'base64url').toString('utf8')) as Record<string, unknown> };
}
