import type { Context } from 'koa';
import type { Actor } from '../accounts/lifecycle.ts';
import type { Role } from '../accounts/roles.ts';
import type { Config } from '../config.ts';
import { translator, type Locale, type MessageKey, type Translate } from '../i18n/index.ts';
import { publicPath } from '../public-path.ts';
import { chosenLanguage, languageLinks, languageRequested, pageLocale, rememberLanguage } from '../web/language.ts';
import type { PageModel, Renderer } from '../web/render.ts';
import type { SignedIn, SignedInSurface } from '../web/signed-in-surface.ts';
import { mayDo, type ConsoleAction } from './actions.ts';

/** A signed-in point of contact holding at least one role, on a page in their language. */
export interface Operator {
  readonly signedIn: SignedIn;
  readonly roles: readonly Role[];
  readonly locale: Locale;
  readonly t: Translate;
}

/** An entry of the console's menu: shown to the roles that may do its action. */
export interface MenuEntry {
  readonly label: MessageKey;
  /** Inside the console, e.g. '/admin/invite'. */
  readonly path: string;
  readonly action: ConsoleAction;
}

export interface ConsoleKitDependencies {
  readonly config: Pick<Config, 'issuer' | 'brand' | 'supportText'>;
  readonly surface: SignedInSurface;
  readonly views: Renderer;
  readonly rolesOf: (accountId: string) => Promise<readonly Role[]>;
  readonly menu: readonly MenuEntry[];
}

export interface EnterOptions {
  /** What the page does: a role that may not do it gets a 403 page. */
  readonly action: ConsoleAction;
  /** A change: it needs a sign-in within rules.consoleFreshSeconds. */
  readonly fresh?: boolean;
  /** Where a sign-in brings the user back to, a path inside the console; this page by default. */
  readonly returnTo?: string;
}

/** The language choice lasts as long as a console session can. */
const languageSeconds = 12 * 60 * 60;

/**
 * What every page of the console shares: signing in (fresh for a change), the role gate, the
 * form's CSRF check, the layout with its menu, and the actor the use cases record. A page only
 * parses, calls the use cases and renders.
 */
export class ConsoleKit {
  readonly home: string;

  constructor(private readonly deps: ConsoleKitDependencies) {
    this.home = publicPath(deps.config, '/admin');
  }

  /** The browser's path of a console path ('/admin/users/1' under an issuer with a path). */
  href(internal: string): string {
    return publicPath(this.deps.config, internal);
  }

  /**
   * The point of contact, or undefined when the answer is already given: a redirect through the
   * sign-in, or a 403 page for an account without a role or without the role for `action`.
   */
  async enter(ctx: Context, options: EnterOptions): Promise<Operator | undefined> {
    const locale = this.locale(ctx);
    const returnTo = options.returnTo ?? `${this.href(ctx.path)}${ctx.search}`;
    const signedIn = await this.deps.surface.require(ctx, { fresh: options.fresh ?? false, returnTo, locale });
    if (signedIn === undefined) return undefined;
    const roles = await this.deps.rolesOf(signedIn.account.id);
    const operator: Operator = { signedIn, roles, locale, t: translator(locale) };
    if (roles.length === 0) {
      this.refuse(ctx, operator, 'console.refused.noRole');
      return undefined;
    }
    if (!mayDo(roles, options.action)) {
      this.refuse(ctx, operator, 'console.refused.role');
      return undefined;
    }
    return operator;
  }

  /** The posted form, refused (403) without the CSRF token of the operator's console session. */
  readForm(ctx: Context, operator: Operator): Promise<Record<string, string>> {
    return this.deps.surface.readForm(ctx, operator.signedIn);
  }

  /** Who asks for a change, as the audit trail records it: the acting account and its address. */
  actor(ctx: Context, operator: Operator): Actor {
    const { account } = operator.signedIn;
    return { via: 'console', name: account.email, accountId: account.id, ip: ctx.ip, userAgent: ctx.get('user-agent').slice(0, 300) };
  }

  may(operator: Operator, action: ConsoleAction): boolean {
    return mayDo(operator.roles, action);
  }

  /** A console page: the layout with the menu the operator's roles may use, and the language switch. */
  render(ctx: Context, operator: Operator, view: string, model: PageModel, status = 200): void {
    const current = this.href(ctx.path);
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = this.deps.views.render(view, operator.locale, {
      ...model,
      console: {
        home: this.home,
        operator: operator.signedIn.account.email,
        csrf: operator.signedIn.csrf,
        signOut: this.href('/admin/signout'),
        menu: this.deps.menu
          .filter((entry) => this.may(operator, entry.action))
          .map((entry) => {
            const href = this.href(entry.path);
            return { label: entry.label, href, current: current === href || (entry.path !== '/admin' && current.startsWith(`${href}/`)) };
          }),
      },
      csrf: operator.signedIn.csrf,
      languages: languageLinks(current, operator.locale),
    });
  }

  /**
   * The page language: a `?lang=` choice (remembered for the console), else the one remembered,
   * else the browser's. Error pages of the request use it too.
   */
  private locale(ctx: Context): Locale {
    const requested = languageRequested(ctx);
    if (requested !== undefined) rememberLanguage(ctx, requested, { path: this.home, maxAgeSeconds: languageSeconds });
    const locale = requested ?? pageLocale(ctx, [chosenLanguage(ctx)]);
    ctx.state.locale = locale;
    return locale;
  }

  private refuse(ctx: Context, operator: Operator, reason: 'console.refused.noRole' | 'console.refused.role'): void {
    this.render(ctx, operator, 'console-refused', { title: operator.t('console.refused.title'), reason }, 403);
  }
}
