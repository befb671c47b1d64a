import QRCode from 'qrcode';
import { formatWait, type Translate } from '../src/i18n/index.ts';
import { TOTP_PARAMETERS, formatSecretForDisplay, totpUri } from '../src/security/totp.ts';
import type { Entered, InteractionServices, StepContext } from './context.ts';
import { withSecondFactor, type FlowState } from './flow.ts';
import { goTo, render, saveFlow, thenOrDone } from './step-kit.ts';
import { codeError, codeRefusal, totpPage, typedCode } from './totp.ts';

/**
 * What the enrollment page shows for a secret: the QR code of its otpauth:// URI and the secret in
 * groups of four with its parameters. The account page enrolls further apps with the same page.
 */
export async function enrollmentModel(services: Pick<InteractionServices, 'config'>, t: Translate, email: string, secret: string): Promise<Record<string, unknown>> {
  const uri = totpUri({ brand: services.config.brand.name, email, secret });
  // SVG, not PNG: drawing and deflating a PNG on every view cost about five times the CPU and made this
  // page miss its latency target. A data: URL keeps it one request and within the CSP's img-src.
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return {
    title: t('enroll.heading'),
    qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    secretGroups: formatSecretForDisplay(secret),
    algorithm: TOTP_PARAMETERS.algorithm,
    digits: TOTP_PARAMETERS.digits,
    accountName: email,
    periodText: formatWait(t, TOTP_PARAMETERS.period),
  };
}

/**
 * The secret being enrolled lives only in this interaction's flow state (sealed, like at rest) until
 * its first code verifies; reloading the page shows the same secret, so a scan already made stays good.
 */
async function pendingSecret(services: InteractionServices, ctx: StepContext, flow: FlowState): Promise<string> {
  const apps = services.factors.authenticatorApps;
  if (flow.pendingTotpSecret !== undefined) return apps.openPendingSecret(flow.pendingTotpSecret);
  const sealed = apps.newPendingSecret();
  await saveFlow(services, ctx, { ...flow, pendingTotpSecret: sealed });
  return apps.openPendingSecret(sealed);
}

export async function showEnroll(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const secret = await pendingSecret(services, ctx, flow);
  render(services, ctx, { view: 'enroll', ...(await enrollmentModel(services, ctx.state.it.t, account.email, secret)), title: ctx.state.it.t('enroll.heading') });
}

export async function showEnrollCode(services: InteractionServices, ctx: StepContext, { flow }: Entered): Promise<void> {
  if (flow.pendingTotpSecret === undefined) return goTo(ctx, '/enroll');
  totpPage(services, ctx, '/enroll/verify');
}

/**
 * The first code from the app proves the scan worked; only then is the app stored, together with
 * the account's recovery codes, the activation of an invited account and their audit events. Once
 * they are, the page says so whatever happens next. The recovery codes are shown on the next page
 * (sealed in the flow state until the user has saved them); the sign-in finishes there.
 */
export async function verifyEnrollment(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  if (flow.pendingTotpSecret === undefined) return goTo(ctx, '/enroll');
  const typed = typedCode(ctx);
  if (!('code' in typed)) return totpPage(services, ctx, '/enroll/verify', typed.status, codeError(typed.message));
  const { it } = ctx.state;
  const activating = account.status === 'invited';
  let recoveryCodes: string[] = [];
  const checked = await services.factors.authenticatorApps.enroll(account, flow.pendingTotpSecret, typed.code, {
    name: services.factors.authenticatorApps.defaultName(account, it.t('factors.defaultAppName'), (n) => it.t('factors.defaultAppNameNumbered', { n })),
    requester: it.requester,
    locale: it.locale,
    // Like Google's and Microsoft's, a first-time login sends no "factor added" email for its first
    // app: the user is there and the account was not in use. After an operator's reset of the
    // factors, the account is in use, and the user is told.
    activation: activating,
    alongside: async (trx) => {
      if (activating) {
        await services.accounts.in(trx).activate(account.id);
        await services.audit.in(trx).record({ event: 'account.activated', outcome: 'success', accountId: account.id, email: account.email, ...it.requester });
      }
      recoveryCodes = await services.factors.recoveryCodes.create(account, it.requester, trx);
    },
  });
  if (checked.status === 'full') return totpPage(services, ctx, '/enroll/verify', 409, codeError(it.t('factors.error.tooManyApps')));
  if (checked.status !== 'right') {
    const refusal = codeRefusal(ctx, checked);
    return totpPage(services, ctx, '/enroll/verify', refusal.status, codeError(refusal.message));
  }
  const { pendingTotpSecret: _stored, ...rest } = flow;
  const proven: FlowState = {
    ...withSecondFactor(rest, 'authenticator-app', services.now()),
    hasSecondFactor: true,
    pendingRecoveryCodes: services.factors.recoveryCodes.seal(recoveryCodes),
  };
  await thenOrDone(services, ctx, 'authenticatorAdded', async () => {
    await saveFlow(services, ctx, proven);
    goTo(ctx, '/recovery-codes');
  });
}
