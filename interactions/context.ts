import type { ParameterizedContext } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Account } from '../src/accounts/account.ts';
import type { AccountRepository } from '../src/accounts/repository.ts';
import type { RecentAccounts } from '../src/accounts/recent-accounts.ts';
import type { AuditEvent, AuditLog } from '../src/audit.ts';
import type { Config } from '../src/config.ts';
import type { Locale, Translate } from '../src/i18n/index.ts';
import type { Mailer } from '../src/mail/mailer.ts';
import type { Metrics } from '../src/metrics.ts';
import type { BruteForceGuard } from '../src/security/brute-force.ts';
import type { EmailCodes } from '../src/security/email-codes.ts';
import type { Store } from '../src/store/store.ts';
import type { FlowState, FlowStore } from './flow.ts';
import type { FieldError, Renderer } from './render.ts';

/** Everything the interaction steps use, built once at start. */
export interface InteractionServices {
  readonly config: Config;
  readonly provider: Provider;
  readonly accounts: AccountRepository;
  readonly recentAccounts: RecentAccounts;
  readonly audit: AuditLog;
  readonly flows: FlowStore;
  readonly emailCodes: EmailCodes;
  readonly guard: BruteForceGuard;
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
  readonly ip: string;
  readonly userAgent: string;
  /** The parsed form of a POST; only strings survive parsing. */
  readonly form: Record<string, string>;
  /** oidc-provider's record of this interaction, as loaded for this request. */
  readonly interaction: Interaction;
  flow: FlowState | undefined;
}

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export type StepContext = ParameterizedContext<{
  it: InteractionRequest;
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

export type { Account, AuditEvent };

export type StepHandler = (services: InteractionServices, ctx: StepContext) => Promise<void>;

/** One step's route: the path under /interaction/:uid and its handler. */
export interface StepRoute {
  readonly method: 'get' | 'post';
  readonly path: string;
  readonly handler: StepHandler;
}
