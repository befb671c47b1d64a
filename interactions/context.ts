import type { ParameterizedContext } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { AccountWithFactors } from '../src/accounts/account.ts';
import type { AccountRepository } from '../src/accounts/repository.ts';
import type { RecentAccounts } from '../src/accounts/recent-accounts.ts';
import type { AccountTasks } from '../src/accounts/tasks.ts';
import type { AuditEvent, AuditLog } from '../src/audit.ts';
import type { Config } from '../src/config.ts';
import type { Factors } from '../src/factors/index.ts';
import type { Locale, Translate } from '../src/i18n/index.ts';
import type { Mailer } from '../src/mail/mailer.ts';
import type { Metrics } from '../src/metrics.ts';
import type { Attempts, Requester } from '../src/security/attempts.ts';
import type { BruteForceGuard } from '../src/security/brute-force.ts';
import type { EmailCodes } from '../src/security/email-codes.ts';
import type { Store } from '../src/store/store.ts';
import type { FlowState, FlowStore, Proof, Requirement } from './flow.ts';
import type { FieldError, Renderer } from '../src/web/render.ts';

/** Everything the interaction steps use, built once at start. */
export interface InteractionServices {
  readonly config: Config;
  readonly provider: Provider;
  readonly accounts: AccountRepository;
  readonly accountTasks: AccountTasks;
  readonly factors: Factors;
  readonly recentAccounts: RecentAccounts;
  readonly audit: AuditLog;
  readonly flows: FlowStore;
  readonly emailCodes: EmailCodes;
  readonly guard: BruteForceGuard;
  readonly attempts: Attempts;
  readonly mailer: Mailer;
  readonly store: Store;
  readonly secretKey: Buffer;
  readonly views: Renderer;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
}

/** What every step knows about the current request once the shared middleware has run. */
export interface InteractionRequest {
  readonly uid: string;
  /** The interaction's address as the browser sees it (src/public-path.ts): every link and redirect of a step starts here. */
  readonly base: string;
  readonly prompt: string;
  readonly params: Record<string, unknown>;
  readonly clientId: string | undefined;
  readonly locale: Locale;
  readonly t: Translate;
  readonly csrf: string;
  /** Who is asking, for the brute-force limits and the audit trail. */
  readonly requester: Requester;
  readonly ip: string;
  readonly userAgent: string;
  /** The parsed form of a POST; only strings survive parsing. */
  readonly form: Record<string, string>;
  /** oidc-provider's record of this interaction, as loaded for this request. */
  readonly interaction: Interaction;
  /** The route of the step being served (interactions/steps.ts). */
  readonly route: StepRoute;
  flow: FlowState | undefined;
}

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export type StepContext = ParameterizedContext<{
  it: InteractionRequest;
  requestId?: string;
  /** Set as soon as the interaction is known, so that even its error pages speak its language. */
  locale?: Locale;
}> & { params: Record<string, string> };

export interface Page {
  readonly view: string;
  readonly title: string;
  readonly status?: number;
  readonly errors?: readonly FieldError[];
  readonly [key: string]: unknown;
}

/** A step entered once its requirement holds on the account as just read. */
export interface Entered {
  readonly flow: FlowState;
  readonly account: AccountWithFactors;
}

interface RouteBase {
  /** The step this route belongs to, for people reading the registry and the tests. */
  readonly step: string;
  readonly method: 'get' | 'post';
  /** Under /interaction/:uid. */
  readonly path: string;
  /**
   * The GET address that shows this route's page again: its own path for a GET; for a POST, the
   * page its form is on (where a page drawn with errors is reloaded by the language switch).
   * Undefined when the route draws no page of its own.
   */
  readonly again?: string | ((flow: FlowState | undefined) => string);
  /** The proof this route adds to the flow when it succeeds. */
  readonly proves?: Proof;
  /** Where this route may send the browser next (under /interaction/:uid); goTo refuses anywhere else. */
  readonly next?: readonly string[];
}

/**
 * One route of one step. `reads` says what the router loads and checks before the handler runs:
 * nothing (the first page), the flow as the email step left it (pages that only show a form, and
 * the password check), or the account read afresh (every step that proves or changes something).
 */
export type StepRoute =
  | (RouteBase & { readonly reads: 'nothing'; readonly handler: (services: InteractionServices, ctx: StepContext) => Promise<void> })
  | (RouteBase & {
      readonly reads: 'flow';
      readonly requires: Requirement;
      readonly handler: (services: InteractionServices, ctx: StepContext, flow: FlowState) => Promise<void>;
    })
  | (RouteBase & {
      readonly reads: 'account';
      readonly requires: Requirement;
      readonly handler: (services: InteractionServices, ctx: StepContext, entered: Entered) => Promise<void>;
    });

export type { AccountWithFactors, AuditEvent };
