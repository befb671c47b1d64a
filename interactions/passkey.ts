import type { Entered, InteractionServices, StepContext } from './context.ts';
import type { FlowState } from './flow.ts';
import type { FieldError } from '../src/web/render.ts';
import { signInPage } from './signin.ts';
import { codeRefusal, secondFactorProven, totpPage } from './totp.ts';

/** The challenge of an interaction's passkey ceremony waits in the store under this scope. */
function scopeOf(flow: FlowState): string {
  return `interaction:${flow.uid}`;
}

/** A passkey alone is offered on the sign-in page, before the password; afterwards, or in a reset, on the code page. */
function fromSignInPage(flow: FlowState | undefined): boolean {
  return flow?.purpose === 'signin' && flow.proofs.password === undefined;
}

/** Where the passkey form was, for the language switch to reload it. */
export function passkeyPage(flow: FlowState | undefined): string {
  return fromSignInPage(flow) ? '/password' : '/totp';
}

/** The page the passkey button was on, again, with the error beside the button. */
function passkeyError(services: InteractionServices, ctx: StepContext, flow: FlowState, status: number, message: string): void {
  const errors: FieldError[] = [{ field: 'passkey', message }];
  if (fromSignInPage(flow)) return signInPage(services, ctx, flow, status, errors);
  totpPage(services, ctx, '/totp', status, errors);
}

/** The options for the browser's passkey prompt (JSON, fetched by the page's script). */
export async function passkeyOptions(services: InteractionServices, ctx: StepContext, flow: FlowState): Promise<void> {
  ctx.body = await services.factors.passkeys.authenticationOptions(scopeOf(flow));
}

/**
 * The browser's answer, posted by the page's script as a form. On the sign-in page the passkey
 * completes the sign-in alone; after a password, or in a reset, it is the second factor. A prompt
 * the user cancelled is said so and counts nowhere; an answer that is refused counts as a failed
 * attempt, like a wrong code.
 */
export async function submitPasskey(services: InteractionServices, ctx: StepContext, { flow, account }: Entered): Promise<void> {
  const { it } = ctx.state;
  const raw = it.form.response ?? '';
  if (raw === '' || (it.form.error ?? '') !== '') return passkeyError(services, ctx, flow, 400, it.t('passkey.error.cancelled'));
  let response: unknown;
  try {
    response = JSON.parse(raw);
  } catch {
    response = undefined;
  }
  const checked = await services.factors.passkeys.verify(account, response, scopeOf(flow), it.requester);
  if (checked.status !== 'right') {
    const refusal = codeRefusal(ctx, checked, 'passkey.error.invalid');
    return passkeyError(services, ctx, flow, refusal.status, refusal.message);
  }
  await secondFactorProven(services, ctx, flow, account, 'passkey');
}
