import QRCode from 'qrcode';
import { formatWait } from '../src/i18n/index.ts';
import { openSecret, sealSecret } from '../src/security/secret-box.ts';
import { TOTP_PARAMETERS, formatSecretForDisplay, generateTotpSecret, totpUri } from '../src/security/totp.ts';
import type { InteractionServices, StepContext, StepRoute } from './context.ts';
import { withProof, type FlowState } from './flow.ts';
import { finishLogin } from './finish.ts';
import { audit, enterStep, saveFlow, render } from './step-kit.ts';
import { checkTotp, totpPage } from './totp.ts';

/**
 * The secret being enrolled lives only in this interaction's flow state (sealed, like at rest) until
 * its first code verifies; reloading the page shows the same secret, so a scan already made stays good.
 */
async function pendingSecret(services: InteractionServices, ctx: StepContext, flow: FlowState): Promise<string> {
  if (flow.pendingTotpSecret !== undefined) return openSecret(services.secretKey, flow.pendingTotpSecret);
  const secret = generateTotpSecret();
  await saveFlow(services, ctx, { ...flow, pendingTotpSecret: sealSecret(services.secretKey, secret) });
  return secret;
}

async function showEnroll(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { flow, account } = await enterStep(services, ctx, 'enroll');
  const secret = await pendingSecret(services, ctx, flow);
  const uri = totpUri({ brand: services.config.brand.name, email: account.email, secret });
  // SVG, not PNG: drawing and deflating a PNG on every view cost about five times the CPU and made this
  // page miss its latency target. A data: URL keeps it one request and within the CSP's img-src.
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const qr = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  const { t } = ctx.state.it;
  render(services, ctx, {
    view: 'enroll',
    title: t('enroll.heading'),
    qr,
    secretGroups: formatSecretForDisplay(secret),
    algorithm: TOTP_PARAMETERS.algorithm,
    digits: TOTP_PARAMETERS.digits,
    accountName: account.email,
    periodText: formatWait(t, TOTP_PARAMETERS.period),
  });
}

async function showEnrollCode(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { flow } = await enterStep(services, ctx, 'enroll');
  if (flow.pendingTotpSecret === undefined) {
    ctx.status = 303;
    ctx.redirect(`${ctx.state.it.base}/enroll`);
    return;
  }
  totpPage(services, ctx, '/enroll/verify');
}

/** The first code from the app proves the scan worked; only then is the secret stored on the account. */
async function verifyEnrollment(services: InteractionServices, ctx: StepContext): Promise<void> {
  const { flow, account } = await enterStep(services, ctx, 'enroll');
  if (flow.pendingTotpSecret === undefined) {
    ctx.status = 303;
    ctx.redirect(`${ctx.state.it.base}/enroll`);
    return;
  }
  const secret = openSecret(services.secretKey, flow.pendingTotpSecret);
  const outcome = await checkTotp(services, ctx, account, secret);
  if (!outcome.ok) return totpPage(services, ctx, '/enroll/verify', outcome.status, outcome.message);
  await services.accounts.enrollTotp(account.id, flow.pendingTotpSecret);
  if (account.status === 'invited') {
    await services.accounts.activate(account.id);
    await audit(services, ctx, { event: 'account.activated', outcome: 'success', accountId: account.id, email: account.email });
  }
  services.metrics.enrollments.inc();
  await audit(services, ctx, { event: 'totp.enrolled', outcome: 'success', accountId: account.id, email: account.email });
  const { pendingTotpSecret: _done, ...rest } = flow;
  await saveFlow(services, ctx, withProof(rest, 'totp', services.now()));
  await finishLogin(services, ctx);
}

export const enrollRoutes: StepRoute[] = [
  { method: 'get', path: '/enroll', handler: showEnroll },
  { method: 'get', path: '/enroll/verify', handler: showEnrollCode },
  { method: 'post', path: '/enroll/verify', handler: verifyEnrollment },
];
