import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { rules } from '../../src/config.ts';
import type { StoredFactor } from '../../src/factors/index.ts';
import { FactorRepository } from '../../src/factors/repository.ts';
import type { TestServer } from './server.ts';

/**
 * A passkey held in the test process: a P-256 key pair that answers WebAuthn challenges as an
 * authenticator with user verification would (RFC 8152 COSE key, authenticator data, ES256
 * signature). It lets the HTTP suites use passkeys on both backends without a browser; the
 * Chromium suite uses the browser's own virtual authenticator.
 */
export class SoftwarePasskey {
  readonly credentialId = randomBytes(16).toString('base64url');
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** The signature counter the next answer carries, less one. */
  counter = 0;

  constructor(
    private readonly rpId: string,
    private readonly origin: string,
    /** The user handle the passkey was made with: the account id. */
    readonly userHandle: string,
  ) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  }

  /** For a server whose issuer is the relying party. */
  static for(t: Pick<TestServer, 'issuer'>, accountId: string): SoftwarePasskey {
    const issuer = new URL(t.issuer);
    return new SoftwarePasskey(issuer.hostname, issuer.origin, accountId);
  }

  /** The public key as COSE (EC2, ES256, P-256), as the factors row keeps it. */
  cosePublicKey(): Uint8Array {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
  }

  /** Stores the passkey for the account, as a registration through the passkeys module would. */
  async storeFor(t: TestServer, accountId: string, name = 'Security key'): Promise<StoredFactor> {
    const stored = await new FactorRepository(t.server.database.knex).add(
      {
        accountId,
        kind: 'passkey',
        name,
        credentialId: this.credentialId,
        data: {
          publicKey: Buffer.from(this.cosePublicKey()).toString('base64url'),
          counter: this.counter,
          transports: ['usb'],
          deviceType: 'singleDevice',
          backedUp: false,
          aaguid: '00000000-0000-0000-0000-000000000000',
        },
      },
      rules.maxPasskeys,
    );
    if (stored === undefined) throw new Error('the account has no room for another passkey');
    return stored;
  }

  /** The answer to navigator.credentials.get() with these options, as @simplewebauthn/browser posts it. */
  answer(options: { challenge: string }, { counter = this.counter + 1, userVerified = true } = {}): Record<string, unknown> {
    this.counter = counter;
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: this.origin, crossOrigin: false }));
    const flags = userVerified ? 0x05 : 0x01;
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter);
    const authenticatorData = Buffer.concat([createHash('sha256').update(this.rpId).digest(), Buffer.from([flags]), counterBytes]);
    const signature = sign('sha256', Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]), this.privateKey);
    return this.credential({
      clientDataJSON: clientDataJSON.toString('base64url'),
      authenticatorData: authenticatorData.toString('base64url'),
      signature: signature.toString('base64url'),
      userHandle: Buffer.from(this.userHandle).toString('base64url'),
    });
  }

  /**
   * The answer to navigator.credentials.create() with these options: attestation "none" (what the
   * server asks for), user present and verified, the credential and its COSE public key attested.
   */
  registrationAnswer(options: { challenge: string }): Record<string, unknown> {
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: this.origin, crossOrigin: false }));
    const credentialId = Buffer.from(this.credentialId, 'base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(this.counter);
    // Flags: user present (0x01), user verified (0x04), attested credential data included (0x40).
    const authData = Buffer.concat([
      createHash('sha256').update(this.rpId).digest(),
      Buffer.from([0x45]),
      counterBytes,
      Buffer.alloc(16),
      idLength,
      credentialId,
      Buffer.from(this.cosePublicKey()),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    return this.credential({
      clientDataJSON: clientDataJSON.toString('base64url'),
      attestationObject: Buffer.from(attestationObject).toString('base64url'),
      transports: ['usb'],
    });
  }

  /** A PublicKeyCredential of this passkey, as @simplewebauthn/browser posts it. */
  private credential(response: Record<string, unknown>): Record<string, unknown> {
    return { id: this.credentialId, rawId: this.credentialId, type: 'public-key', response, clientExtensionResults: {}, authenticatorAttachment: 'cross-platform' };
  }

  /**
   * The answer to navigator.credentials.create() with these options, as @simplewebauthn/browser
   * posts it: attestation "none", authenticator data carrying this credential and its public key,
   * user present and verified.
   */
  register(options: { challenge: string }): Record<string, unknown> {
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: this.origin, crossOrigin: false }));
    const credentialId = Buffer.from(this.credentialId, 'base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authenticatorData = Buffer.concat([
      createHash('sha256').update(this.rpId).digest(),
      // User present, user verified, attested credential data included.
      Buffer.from([0x45]),
      Buffer.alloc(4),
      Buffer.alloc(16),
      idLength,
      credentialId,
      Buffer.from(this.cosePublicKey()),
    ]);
    const attestationObject = isoCBOR.encode(new Map<string, string | Map<string, string> | Uint8Array>([['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', new Uint8Array(authenticatorData)]]));
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['usb'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
    };
  }
}
