import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { CDPSession, Page } from 'playwright-core';
import type { StoredFactor } from '../../src/factors/index.ts';
import type { TestServer } from './server.ts';

/**
 * Passkeys in Chromium: a virtual authenticator (the DevTools protocol's WebAuthn domain) stands in
 * for a phone or a laptop's platform authenticator, as a user's device would: CTAP2, built in,
 * holding discoverable credentials, verifying its user (PIN or biometric) every time.
 */
export interface VirtualAuthenticator {
  readonly cdp: CDPSession;
  readonly id: string;
}

/** A credential as the virtual authenticator holds it, private key included: what a clone would copy. */
export interface HeldCredential {
  readonly credentialId: string;
  readonly isResidentCredential: boolean;
  readonly rpId?: string;
  readonly privateKey: string;
  readonly userHandle?: string;
  readonly signCount: number;
}

/** Gives the page's browser a device holding passkeys; each page (and context) gets its own. */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

export async function heldCredentials(authenticator: VirtualAuthenticator): Promise<HeldCredential[]> {
  const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', { authenticatorId: authenticator.id });
  return credentials as HeldCredential[];
}

/** Puts a credential on the authenticator, e.g. a copy of another device's, with its counter as copied. */
export async function placeCredential(authenticator: VirtualAuthenticator, credential: HeldCredential): Promise<void> {
  await authenticator.cdp.send('WebAuthn.addCredential', { authenticatorId: authenticator.id, credential });
}

/**
 * Adds a passkey to the account as the account page will: the passkeys module makes the options,
 * the page's authenticator answers them (through @simplewebauthn/browser as the server serves it, on
 * a page of the issuer's origin), and the module checks and stores the answer.
 */
export async function registerPasskey(t: TestServer, page: Page, accountId: string, name = 'Laptop'): Promise<StoredFactor> {
  const { accounts, factors } = t.server.services;
  const owner = await accounts.findById(accountId);
  assert.ok(owner, 'the account exists');
  const scope = `test:${randomUUID()}`;
  const options = await factors.passkeys.registrationOptions(owner, scope);
  if (new URL(page.url()).origin !== new URL(t.issuer).origin) await page.goto(`${t.issuer}/healthz`);
  await page.addScriptTag({ url: '/assets/vendor/simplewebauthn-browser.js' });
  const answer: unknown = await page.evaluate(
    (optionsJSON) =>
      (window as unknown as { SimpleWebAuthnBrowser: { startRegistration(o: { optionsJSON: unknown }): Promise<unknown> } }).SimpleWebAuthnBrowser.startRegistration({
        optionsJSON,
      }),
    options,
  );
  const added = await factors.passkeys.register(owner, answer, scope, { name, requester: { ip: '127.0.0.1', userAgent: 'test registration' }, locale: 'en' });
  assert.equal(added.status, 'added', `the passkey is stored: ${JSON.stringify(added)}`);
  return (added as { value: StoredFactor }).value;
}
