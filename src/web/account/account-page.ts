import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { enrollmentModel } from '../../../interactions/enroll.ts';
import { recoveryCodesFileLink, recoveryCodesFileName, recoveryCodesShown, sendRecoveryCodesFile, type RecoveryCodesFile } from '../../../interactions/recovery-codes.ts';
import { lockMessage, refusalMessage } from '../../../interactions/step-kit.ts';
import type { Owner, OwnAccount } from '../../accounts/own-account.ts';
import { rules, type Config } from '../../config.ts';
import type { Factors, RecoveryCodeSet, StoredFactor } from '../../factors/index.ts';
import { formatDateTime, translator, type Locale, type MessageKey, type Translate } from '../../i18n/index.ts';
import { publicPath } from '../../public-path.ts';
import { PASSWORD_SYMBOLS } from '../../security/password-policy.ts';
import { normaliseCode } from '../../security/totp.ts';
import type { Store } from '../../store/store.ts';
import { isBackendUnavailable } from '../../unavailable.ts';
import { PageError } from '../errors.ts';
import { chosenLanguage, languageLinks, languageRequested, pageLocale, rememberLanguage } from '../language.ts';
import type { FieldError, Renderer } from '../render.ts';
import type { SignedIn, SignedInSurface } from '../signed-in-surface.ts';
import { browserSummary } from './browser-summary.ts';

/** The account page's own views, beside the page kit's and the hosted pages'. */
export const accountViews = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

export interface AccountPageDependencies {
  readonly config: Config;
  readonly surface: SignedInSurface;
  readonly ownAccount: OwnAccount;
  readonly factors: Factors;
  /** Knows the clients' names. */
  readonly provider: Provider;
  /** Keeps an authenticator app's secret between its QR code and its first code, and new recovery codes until they are saved. */
  readonly store: Store;
  readonly views: Renderer;
  readonly now: () => number;
}

/** One request of a signed-in user. */
interface Visit {
  readonly signedIn: SignedIn;
  readonly owner: Owner;
  readonly t: Translate;
}

/** What a change tells the user on the account page once done: the `done` query names it. */
const doneMessages = {
  password: 'account.done.password',
  appAdded: 'account.done.appAdded',
  passkeyAdded: 'account.done.passkeyAdded',
  renamed: 'account.done.renamed',
  removed: 'account.done.removed',
  sessionEnded: 'account.done.sessionEnded',
  applicationEnded: 'account.done.applicationEnded',
  recoveryCodes: 'account.done.recoveryCodes',
} as const satisfies Record<string, MessageKey>;
type Done = keyof typeof doneMessages;

const nameSchema = z.string().trim().min(1).max(rules.factorNameMaxLength);
const idSchema = z.uuid();
/** A session's uid or a client id, as the page's forms carry them. */
const referenceSchema = z.string().min(1).max(200);

/** How long an app's secret waits for its first code, and new recovery codes for the user to say they saved them. */
const pendingSeconds = 10 * 60;

const userAgentLength = 300;

/**
 * The user's own account page (CONTRACT.md section 8) at `/account`: the name and email, the
 * password, the second factors, the recovery codes and where the user is signed in. It signs in
 * through its SignedInSurface; every change needs a recent sign-in and the form's CSRF token, and
 * the use cases of src/accounts/own-account.ts do the change.
 */
export function accountPageRoutes(deps: AccountPageDependencies): Router {
  const { config, surface, ownAccount, factors, views } = deps;
  const home = publicPath(config, '/account');
  const router = new Router();

  function localeOf(ctx: Context): Locale {
    const requested = languageRequested(ctx);
    if (requested !== undefined) rememberLanguage(ctx, requested, { path: home, maxAgeSeconds: 365 * 24 * 3600 });
    const locale = requested ?? pageLocale(ctx, [chosenLanguage(ctx)]);
    ctx.state.locale = locale;
    return locale;
  }

  function visitOf(ctx: Context, signedIn: SignedIn, locale: Locale): Visit {
    const requester = { ip: ctx.ip, userAgent: ctx.get('user-agent').slice(0, userAgentLength), clientId: surface.client.client_id };
    return { signedIn, t: translator(locale), owner: { account: signedIn.account, sessionUid: signedIn.ssoSessionUid, requester, locale } };
  }

  /** A page to look at: any sign-in will do, unless the page is the start of a change. */
  function viewing(address: string | ((ctx: Context) => string), fresh: boolean, handle: (ctx: Context, visit: Visit) => Promise<void>) {
    return async (ctx: Context) => {
      const locale = localeOf(ctx);
      const here = typeof address === 'string' ? address : address(ctx);
      const signedIn = await surface.require(ctx, { fresh, returnTo: `${home}${here}`, locale });
      if (signedIn !== undefined) await handle(ctx, visitOf(ctx, signedIn, locale));
    };
  }

  /**
   * A change: the form's CSRF token first, then a sign-in within rules.accountFreshSeconds, else
   * the user signs in again and comes back to `returnTo` (the page of the form) with nothing done.
   */
  function changing(returnTo: (ctx: Context) => string, handle: (ctx: Context, visit: Visit, form: Record<string, string>) => Promise<void>) {
    return async (ctx: Context) => {
      const locale = localeOf(ctx);
      const back = `${home}${returnTo(ctx)}`;
      const current = await surface.current(ctx);
      if (current === undefined) return void (await surface.require(ctx, { fresh: true, returnTo: back, locale }));
      const form = await surface.readForm(ctx, current);
      if (!current.fresh) return void (await surface.require(ctx, { fresh: true, returnTo: back, locale }));
      await handle(ctx, visitOf(ctx, current, locale), form);
    };
  }

  /** `address`: where the page is found again, for its language links; undefined for an answer no address brings back, which offers none. */
  function render(
    ctx: Context,
    visit: Visit,
    view: string,
    address: string | undefined,
    model: { title: string; errors?: readonly FieldError[]; [key: string]: unknown },
    status = 200,
  ): void {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = views.render(view, visit.owner.locale, {
      ...model,
      csrf: visit.signedIn.csrf,
      base: home,
      home,
      languages: address === undefined ? [] : languageLinks(`${home}${address}`, visit.owner.locale),
    });
  }

  function backHome(ctx: Context, done?: Done): void {
    ctx.status = 303;
    ctx.redirect(done === undefined ? home : `${home}?done=${done}`);
  }

  function factorOf(visit: Visit, id: string | undefined): StoredFactor {
    const parsed = idSchema.safeParse(id);
    const factor = parsed.success ? ownAccount.namedFactor(visit.owner.account, parsed.data) : undefined;
    if (factor === undefined) throw new PageError(404, 'notFound', undefined, home);
    return factor;
  }

  async function clientName(clientId: string): Promise<string> {
    const client = await deps.provider.Client.find(clientId).catch(() => undefined);
    return client?.clientName ?? clientId;
  }

  const when = (t: Translate, date: Date | number | null | undefined) => (date === null || date === undefined ? t('account.never') : formatDateTime(t, new Date(date)));

  // ---- The overview -------------------------------------------------------------------------

  router.get(
    '/account',
    viewing('', false, async (ctx, visit) => {
      const { t, owner, signedIn } = visit;
      const { account } = owner;
      const done = typeof ctx.query.done === 'string' && Object.hasOwn(doneMessages, ctx.query.done) ? t(doneMessages[ctx.query.done as Done]) : undefined;
      const places = await ownAccount.places(account);
      const factorRow = (factor: StoredFactor) => ({ id: factor.id, name: factor.name ?? '', added: when(t, factor.createdAt), lastUsed: when(t, factor.lastUsedAt) });
      const apps = factors.authenticatorApps.appsOf(account).map(factorRow);
      const passkeys = factors.passkeys.passkeysOf(account).map(factorRow);
      const left = factors.recoveryCodes.left(account);
      const sessions = await Promise.all(
        places.sessions
          .sort((a, b) => (b.activity?.at ?? 0) - (a.activity?.at ?? 0))
          .map(async (session) => ({
            uid: session.uid,
            current: session.uid === signedIn.ssoSessionUid,
            browser: session.activity === undefined ? t('account.sessions.unknownBrowser') : browserSummary(t, session.activity.userAgent),
            address: session.activity?.ip ?? t('account.sessions.unknownAddress'),
            started: when(t, session.loginTs === undefined ? undefined : session.loginTs * 1000),
            lastActive: when(t, session.activity?.at),
            applications: (await Promise.all(session.clientIds.map(clientName))).join(', '),
          })),
      );
      const applications = await Promise.all(
        places.applications.map(async (application) => ({
          clientId: application.clientId,
          name: await clientName(application.clientId),
          since: when(t, application.since === undefined ? undefined : application.since * 1000),
          lastUsed: when(t, application.lastIssued === undefined ? undefined : application.lastIssued * 1000),
        })),
      );
      render(ctx, visit, 'account-home', '', {
        title: t('account.heading'),
        done,
        name: account.name,
        email: account.email,
        apps,
        passkeys,
        canRemove: apps.length + passkeys.length > 1,
        canAddApp: apps.length < rules.maxAuthenticatorApps,
        recoveryCodesLeft: left,
        recoveryCodesLow: left <= rules.recoveryCodesWarnAt,
        sessions,
        applications,
      });
    }),
  );

  // ---- Password -----------------------------------------------------------------------------

  function passwordPage(ctx: Context, visit: Visit, status = 200, errors: readonly FieldError[] = []): void {
    render(
      ctx,
      visit,
      'account-password',
      '/password',
      {
        title: visit.t('account.password.heading'),
        errors,
        email: visit.owner.account.email,
        minLength: rules.passwordMinLength,
        maxLength: rules.passwordMaxLength,
        symbols: PASSWORD_SYMBOLS.split('').join(' '),
      },
      status,
    );
  }

  router.get('/account/password', viewing('/password', true, async (ctx, visit) => passwordPage(ctx, visit)));
  router.post(
    '/account/password',
    changing(
      () => '/password',
      async (ctx, visit, form) => {
        const changed = await ownAccount.changePassword(visit.owner, { current: form.current ?? '', password: form.password ?? '', confirmation: form.confirmation ?? '' });
        const { t: tr } = visit;
        if (changed.status === 'changed') return backHome(ctx, 'password');
        if (changed.status === 'invalid') {
          const errors: FieldError[] = [
            ...(changed.currentMissing ? [{ field: 'current', message: tr('account.password.error.currentRequired') }] : []),
            ...changed.problems.map((problem) => ({
              field: problem === 'mismatch' ? 'confirmation' : 'password',
              message: tr(`password.error.${problem}`, { min: rules.passwordMinLength, max: rules.passwordMaxLength }),
            })),
          ];
          return passwordPage(ctx, visit, 400, errors);
        }
        if (changed.status === 'refused') return passwordPage(ctx, visit, 429, [{ field: 'current', message: refusalMessage(tr, changed.refusal) }]);
        const lock = lockMessage(tr, changed.lockSeconds);
        return passwordPage(ctx, visit, lock === undefined ? 401 : 429, [{ field: 'current', message: lock ?? tr('account.password.error.wrong') }]);
      },
    ),
  );

  // ---- Authenticator apps -------------------------------------------------------------------

  const pendingKey = (visit: Visit) => `account-enroll:${visit.signedIn.sessionId}`;

  /** The secret being enrolled, kept (sealed) for this surface session so a reload shows the same QR code. */
  async function pendingSecret(visit: Visit): Promise<string> {
    const apps = factors.authenticatorApps;
    const kept = await deps.store.get(pendingKey(visit));
    if (kept !== undefined) return apps.openPendingSecret(kept);
    const sealed = apps.newPendingSecret();
    await deps.store.set(pendingKey(visit), sealed, pendingSeconds);
    return apps.openPendingSecret(sealed);
  }

  function requireRoomForApp(visit: Visit): void {
    if (factors.authenticatorApps.appsOf(visit.owner.account).length >= rules.maxAuthenticatorApps) {
      throw new PageError(409, 'badRequest', visit.t('factors.error.tooManyApps'), home);
    }
  }

  router.get(
    '/account/apps/add',
    viewing('/apps/add', true, async (ctx, visit) => {
      requireRoomForApp(visit);
      const secret = await pendingSecret(visit);
      render(ctx, visit, 'enroll', '/apps/add', {
        ...(await enrollmentModel(deps, visit.t, visit.owner.account.email, secret)),
        title: visit.t('enroll.heading'),
        continueHref: `${home}/apps/add/verify`,
      });
    }),
  );

  function appCodePage(ctx: Context, visit: Visit, status = 200, errors: readonly FieldError[] = []): void {
    render(ctx, visit, 'totp', '/apps/add/verify', { title: visit.t('totp.heading'), action: '/apps/add/verify', otherWays: false, errors }, status);
  }

  router.get(
    '/account/apps/add/verify',
    viewing('/apps/add/verify', true, async (ctx, visit) => {
      if ((await deps.store.get(pendingKey(visit))) === undefined) {
        ctx.status = 303;
        return ctx.redirect(`${home}/apps/add`);
      }
      appCodePage(ctx, visit);
    }),
  );

  router.post(
    '/account/apps/add/verify',
    changing(
      () => '/apps/add',
      async (ctx, visit, form) => {
        const { t: tr, owner } = visit;
        const pending = await deps.store.get(pendingKey(visit));
        if (pending === undefined) {
          ctx.status = 303;
          return ctx.redirect(`${home}/apps/add`);
        }
        const raw = form.code ?? '';
        const code = raw.trim() === '' ? undefined : normaliseCode(raw.slice(0, 100));
        if (code === undefined) return appCodePage(ctx, visit, 400, [{ field: 'code', message: tr(raw.trim() === '' ? 'totp.error.required' : 'totp.error.format') }]);
        const name = factors.authenticatorApps.defaultName(owner.account, tr('factors.defaultAppName'), (n) => tr('factors.defaultAppNameNumbered', { n }));
        const added = await ownAccount.addAuthenticatorApp(owner, pending, code, name);
        if (added.status === 'full') return appCodePage(ctx, visit, 409, [{ field: 'code', message: tr('factors.error.tooManyApps') }]);
        if (added.status === 'refused') return appCodePage(ctx, visit, 429, [{ field: 'code', message: refusalMessage(tr, added.refusal) }]);
        if (added.status === 'wrong') {
          const lock = lockMessage(tr, added.lockSeconds);
          return appCodePage(ctx, visit, lock === undefined ? 401 : 429, [{ field: 'code', message: lock ?? tr('totp.error.invalid') }]);
        }
        await deps.store.del(pendingKey(visit));
        backHome(ctx, 'appAdded');
      },
    ),
  );

  // ---- Passkeys -----------------------------------------------------------------------------

  const ceremonyScope = (visit: Visit) => `account:${visit.signedIn.sessionId}`;

  // The options for navigator.credentials.create(): JSON for passkey.js, behind the same checks as
  // a change. A stale sign-in gets 401: the script then posts the form, which sends the user
  // through the sign-in and back.
  router.post('/account/passkeys/options', async (ctx) => {
    localeOf(ctx);
    const current = await surface.current(ctx);
    if (current === undefined) throw new PageError(401, 'expired');
    await surface.readForm(ctx, current);
    if (!current.fresh) {
      ctx.status = 401;
      ctx.body = { error: 'sign_in_again' };
      return;
    }
    ctx.body = await factors.passkeys.registrationOptions(current.account, `account:${current.sessionId}`);
  });

  router.post(
    '/account/passkeys',
    changing(
      () => '',
      async (ctx, visit, form) => {
        const { t: tr, owner } = visit;
        const response = parseJson(form.response ?? '');
        const passkeys = factors.passkeys.passkeysOf(owner.account);
        const taken = new Set(passkeys.map((passkey) => passkey.name));
        let n = passkeys.length + 1;
        while (taken.has(tr('account.passkeys.defaultName', { n }))) n += 1;
        const name = tr('account.passkeys.defaultName', { n });
        const added = response === undefined ? ({ status: 'invalid', reason: 'cancelled' } as const) : await ownAccount.addPasskey(owner, response, ceremonyScope(visit), name);
        if (added.status === 'added') return backHome(ctx, 'passkeyAdded');
        const message = tr(added.status === 'full' ? 'account.passkeys.error.full' : 'account.passkeys.error.failed');
        throw new PageError(400, 'badRequest', message, home);
      },
    ),
  );

  // ---- Renaming and removing an app or a passkey ---------------------------------------------

  const factorAddress = (ctx: Context, action: string) => `/factors/${encodeURIComponent(String(ctx.params.id))}/${action}`;
  const kindKey = (factor: StoredFactor) => (factor.kind === 'passkey' ? 'passkey' : 'app');

  function renamePage(ctx: Context, visit: Visit, factor: StoredFactor, status = 200, errors: readonly FieldError[] = []): void {
    render(
      ctx,
      visit,
      'account-rename',
      factorAddress(ctx, 'rename'),
      { title: visit.t(`account.rename.heading.${kindKey(factor)}`), errors, factor: { id: factor.id, name: factor.name ?? '' }, maxLength: rules.factorNameMaxLength },
      status,
    );
  }

  router.get(
    '/account/factors/:id/rename',
    viewing((ctx) => factorAddress(ctx, 'rename'), true, async (ctx, visit) => renamePage(ctx, visit, factorOf(visit, ctx.params.id))),
  );
  router.post(
    '/account/factors/:id/rename',
    changing(
      (ctx) => factorAddress(ctx, 'rename'),
      async (ctx, visit, form) => {
        const factor = factorOf(visit, ctx.params.id);
        const name = nameSchema.safeParse(form.name ?? '');
        if (!name.success) return renamePage(ctx, visit, factor, 400, [{ field: 'name', message: visit.t('account.rename.error.name', { max: rules.factorNameMaxLength }) }]);
        if (!(await ownAccount.renameFactor(visit.owner, factor.id, name.data))) throw new PageError(404, 'notFound', undefined, home);
        backHome(ctx, 'renamed');
      },
    ),
  );

  function removePage(ctx: Context, visit: Visit, factor: StoredFactor, status = 200, errors: readonly FieldError[] = []): void {
    const kind = kindKey(factor);
    render(
      ctx,
      visit,
      'account-remove',
      factorAddress(ctx, 'remove'),
      { title: visit.t(`account.remove.heading.${kind}`, { name: factor.name ?? '' }), errors, factor: { id: factor.id }, button: visit.t(`account.remove.button.${kind}`) },
      status,
    );
  }

  router.get(
    '/account/factors/:id/remove',
    viewing((ctx) => factorAddress(ctx, 'remove'), true, async (ctx, visit) => removePage(ctx, visit, factorOf(visit, ctx.params.id))),
  );
  router.post(
    '/account/factors/:id/remove',
    changing(
      (ctx) => factorAddress(ctx, 'remove'),
      async (ctx, visit) => {
        const factor = factorOf(visit, ctx.params.id);
        const removed = await ownAccount.removeFactor(visit.owner, factor.id);
        if (removed === 'missing') throw new PageError(404, 'notFound', undefined, home);
        if (removed === 'last') return removePage(ctx, visit, factor, 409, [{ field: 'remove', message: visit.t('account.remove.error.last') }]);
        backHome(ctx, 'removed');
      },
    ),
  );

  // ---- Recovery codes -----------------------------------------------------------------------

  // Why a set waits under a key of its own and is shown only while it is the account's current set:
  // two creations at once (a double click, two tabs) commit their sets one after the other under the
  // account's row lock, but write the store in any order. Under one key per browser the voided set
  // could be written last and shown; keyed by set, the page reads the account's current set and
  // shows that one or none. The page's forms carry the set they showed, sealed, so a confirmation or
  // a download of a set voided since goes back to the current one instead of vouching for void codes.
  const codesKey = (visit: Visit, setId: string) => `account-recovery-codes:${visit.signedIn.sessionId}:${setId}`;

  /** The account's current set, when this browser made it and its user has not yet said they saved it. */
  async function waitingSet(visit: Visit): Promise<RecoveryCodeSet | undefined> {
    const current = factors.recoveryCodes.currentSetId(visit.owner.account);
    const sealed = current === undefined ? undefined : await deps.store.get(codesKey(visit, current));
    return sealed === undefined ? undefined : factors.recoveryCodes.openSet(sealed);
  }

  /** The set a form of the codes page carried, while it is still the account's current set. */
  function shownSet(visit: Visit, form: Record<string, string>): RecoveryCodeSet | undefined {
    const set = factors.recoveryCodes.openSet(form.shown ?? '');
    return set !== undefined && set.id === factors.recoveryCodes.currentSetId(visit.owner.account) ? set : undefined;
  }

  /** `kept`: the set waits in the store, so a reload, a language link and the Download link find it. */
  function codesPage(ctx: Context, visit: Visit, set: RecoveryCodeSet, kept: boolean, status = 200, errors: readonly FieldError[] = []): void {
    render(
      ctx,
      visit,
      'recovery-codes',
      kept ? '/recovery-codes' : undefined,
      {
        title: visit.t('recoveryCodes.heading'),
        notice: visit.t('account.recoveryCodes.oldVoid'),
        notKept: kept ? undefined : visit.t('account.recoveryCodes.notKept'),
        codes: recoveryCodesShown(set.codes),
        shown: factors.recoveryCodes.sealSet(set),
        fileName: recoveryCodesFileName,
        fileLink: kept ? undefined : recoveryCodesFileLink(visit.t, codesFile(visit, set)),
        errors,
      },
      status,
    );
  }

  function toCodesPage(ctx: Context): void {
    ctx.status = 303;
    ctx.redirect(`${home}/recovery-codes`);
  }

  function codesFile(visit: Visit, set: RecoveryCodeSet): RecoveryCodesFile {
    return { brand: config.brand.name, email: visit.owner.account.email, now: deps.now(), codes: set.codes };
  }

  // New codes void the old at once; the page that shows them can be reloaded until the user says they saved them.
  router.post(
    '/account/recovery-codes/new',
    changing(
      () => '',
      async (ctx, visit) => {
        const set = await ownAccount.renewRecoveryCodes(visit.owner);
        try {
          await deps.store.set(codesKey(visit, set.id), factors.recoveryCodes.sealSet(set), pendingSeconds);
        } catch (error) {
          // The old codes are void already: when the store cannot keep the new ones, this answer shows them.
          if (!isBackendUnavailable(error)) throw error;
          return codesPage(ctx, visit, set, false);
        }
        toCodesPage(ctx);
      },
    ),
  );

  router.get(
    '/account/recovery-codes',
    viewing('/recovery-codes', true, async (ctx, visit) => {
      const set = await waitingSet(visit);
      if (set === undefined) return backHome(ctx);
      codesPage(ctx, visit, set, true);
    }),
  );

  router.get(
    '/account/recovery-codes/download',
    viewing('/recovery-codes', true, async (ctx, visit) => {
      const set = await waitingSet(visit);
      if (set === undefined) return backHome(ctx);
      sendRecoveryCodesFile(ctx, visit.t, codesFile(visit, set));
    }),
  );

  router.post(
    '/account/recovery-codes',
    changing(
      () => '/recovery-codes',
      async (ctx, visit, form) => {
        const set = shownSet(visit, form);
        if (set === undefined) return toCodesPage(ctx);
        const key = codesKey(visit, set.id);
        if (form.saved !== 'yes') return codesPage(ctx, visit, set, (await deps.store.get(key)) !== undefined, 400, [{ field: 'saved', message: visit.t('recoveryCodes.error.notSaved') }]);
        await deps.store.del(key);
        backHome(ctx, 'recoveryCodes');
      },
    ),
  );

  // ---- Where you're signed in ---------------------------------------------------------------

  router.post(
    '/account/sessions/end',
    changing(
      () => '',
      async (ctx, visit, form) => {
        const uid = referenceSchema.safeParse(form.session);
        if (!uid.success || !(await ownAccount.endSession(visit.owner, uid.data))) throw new PageError(404, 'notFound', undefined, home);
        // Ending this browser's own session signs it out: the page then asks for a sign-in.
        backHome(ctx, 'sessionEnded');
      },
    ),
  );

  router.post(
    '/account/applications/end',
    changing(
      () => '',
      async (ctx, visit, form) => {
        const clientId = referenceSchema.safeParse(form.client);
        if (!clientId.success || !(await ownAccount.endApplication(visit.owner, clientId.data))) throw new PageError(404, 'notFound', undefined, home);
        backHome(ctx, 'applicationEnded');
      },
    ),
  );

  router.get(
    '/account/signout-everywhere',
    viewing('/signout-everywhere', true, async (ctx, visit) => {
      render(ctx, visit, 'account-signout-everywhere', '/signout-everywhere', { title: visit.t('account.everywhere.heading') });
    }),
  );
  router.post(
    '/account/signout-everywhere',
    changing(
      () => '/signout-everywhere',
      async (ctx, visit) => {
        await ownAccount.signOutEverywhere(visit.owner);
        render(ctx, visit, 'done', '', { title: visit.t('account.everywhere.doneTitle'), body: visit.t('account.everywhere.doneBody'), accountHref: home });
      },
    ),
  );

  return router;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
