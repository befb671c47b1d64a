import { Browser, headingOf, type Page } from './browser.ts';
import { codeFrom, type MailServer } from './mail.ts';

/**
 * The user's journeys through the hosted pages, written once for every driver: the HTTP browser
 * (integration tests, the benchmark) and Chromium (end-to-end tests, screenshots; see
 * playwright-driver.ts). Forms are found by where they post and fields by name, so a journey walks
 * the pages in any language. Each step checks it reached the page it expects, so a failure names the
 * step and what the page said, rather than a missing form later on.
 */
export interface PageDriver {
  /** Where the driver is now: a page of the server, or the client's redirect_uri once the flow ended there. */
  url(): string;
  /** Fills the form posting to `action` with `fields` and submits it, following where it leads. */
  submit(action: string, fields?: Record<string, string>): Promise<void>;
  /** Follows the link whose address ends with `href`. */
  follow(href: string): Promise<void>;
  /** The text of the first element matching the CSS selector. */
  text(selector: string): Promise<string>;
  /** The texts of every element matching the CSS selector. */
  texts(selector: string): Promise<string[]>;
  /** What the page says, for an error message: status if known, heading and error summary. */
  describe(): Promise<string>;
}

export class JourneyError extends Error {
  override name = 'JourneyError';
}

/** How long a journey waits for an emailed code before it gives up. */
const mailTimeoutMs = 15_000;

/** The HTTP browser as a driver: it keeps the page it is on. */
export class BrowserDriver implements PageDriver {
  constructor(
    readonly browser: Browser,
    public page: Page,
  ) {}

  url(): string {
    return this.page.url;
  }

  async submit(action: string, fields: Record<string, string> = {}): Promise<void> {
    this.page = await this.browser.submit(this.page, action, fields);
  }

  async follow(href: string): Promise<void> {
    const link = this.page.$(`a[href$="${href}"]`).first().attr('href');
    if (link === undefined) throw new JourneyError(`no link to …${href} on ${this.page.url}: ${await this.describe()}`);
    this.page = await this.browser.get(new URL(link, this.page.url).toString());
  }

  async text(selector: string): Promise<string> {
    return this.page.$(selector).first().text();
  }

  async texts(selector: string): Promise<string[]> {
    return this.page.$(selector).map((_, el) => this.page.$(el).text()).get();
  }

  async describe(): Promise<string> {
    const errors = this.page.$('.error-summary__list li').map((_, el) => this.page.$(el).text().trim()).get();
    return `status ${this.page.status} "${headingOf(this.page)}"${errors.length > 0 ? ` (${errors.join('; ')})` : ''}`;
  }
}

/** The step of an interaction the driver is on ('/password', '/totp'…), or undefined when it left the pages. */
function stepOf(url: string): string | undefined {
  const match = /\/interaction\/[^/?#]+(\/[^?#]*)?/.exec(new URL(url).pathname);
  return match === null ? undefined : (match[1] ?? '');
}

async function expectStep(driver: PageDriver, step: string, after: string): Promise<void> {
  if (stepOf(driver.url()) !== step) throw new JourneyError(`${after}: expected the ${step || 'email'} page, got ${driver.url()}: ${await driver.describe()}`);
}

/**
 * The hosted pages are done: the interaction was handed back to the provider, which sends the browser
 * on (to the client's redirect_uri, or first to a page of its own such as ending another session).
 */
async function expectHandedBack(driver: PageDriver, after: string): Promise<void> {
  if (stepOf(driver.url()) !== undefined) throw new JourneyError(`${after}: expected the interaction to end, still at ${driver.url()}: ${await driver.describe()}`);
}

export interface SignIn {
  readonly email: string;
  readonly password: string;
  /** The authenticator's code at the moment it is typed (the caller owns the clock). */
  readonly code: () => string;
}

/** Email, password, authenticator code: from the email page until the provider takes over (usually at the client's redirect_uri). */
export async function signIn(driver: PageDriver, user: SignIn): Promise<void> {
  await driver.submit('/email', { email: user.email });
  await expectStep(driver, '/password', 'email');
  await driver.submit('/password', { password: user.password });
  await expectStep(driver, '/totp', 'password');
  await driver.submit('/totp', { code: user.code() });
  await expectHandedBack(driver, 'authenticator code');
}

export interface FirstTimeLogin {
  readonly email: string;
  readonly mail: MailServer;
  readonly newPassword: string;
  /** The code of the authenticator just enrolled with `secret`, at the moment it is typed. */
  readonly code: (secret: string) => string;
}

/**
 * First-time login of an invited account, through the link a user follows: emailed code, new
 * password, authenticator enrollment, recovery codes saved. Ends where the provider takes over;
 * returns the enrolled secret (read from the "Still having trouble?" panel) and the recovery codes.
 */
export async function firstTimeLogin(driver: PageDriver, user: FirstTimeLogin): Promise<{ secret: string; recoveryCodes: string[] }> {
  await driver.submit('/email', { email: user.email });
  await expectStep(driver, '/password', 'email');
  await driver.follow('/help');
  await expectStep(driver, '/help', 'first-time login link');
  const before = user.mail.messages.length;
  await driver.submit('/activation/send');
  await expectStep(driver, '/activation/code', 'send code');
  const code = codeFrom(await withTimeout(user.mail.next(user.email, before), mailTimeoutMs, `the code emailed to ${user.email}`));
  await driver.submit('/activation/verify', { code });
  await expectStep(driver, '/activation/verified', 'verify code');
  await driver.follow('/new-password');
  await expectStep(driver, '/new-password', 'continue');
  await driver.submit('/new-password', { password: user.newPassword, confirmation: user.newPassword });
  await expectStep(driver, '/enroll', 'new password');
  const secret = (await driver.text('code.secret')).replace(/\s+/g, '');
  await driver.follow('/enroll/verify');
  await expectStep(driver, '/enroll/verify', 'continue to the code');
  await driver.submit('/enroll/verify', { code: user.code(secret) });
  await expectStep(driver, '/recovery-codes', 'authenticator enrollment');
  const recoveryCodes = (await driver.texts('ol.recovery-codes code')).map((code) => code.trim());
  if (recoveryCodes.length !== 10) throw new JourneyError(`expected ten recovery codes, got ${recoveryCodes.length}: ${await driver.describe()}`);
  await driver.submit('/recovery-codes', { saved: 'yes' });
  await expectHandedBack(driver, 'recovery codes saved');
  return { secret, recoveryCodes };
}

export interface PasswordReset {
  readonly email: string;
  readonly newPassword: string;
  readonly code: () => string;
}

/** A forgotten password, for an account with an authenticator: confirm the email, authenticator code, new password. */
export async function passwordReset(driver: PageDriver, user: PasswordReset): Promise<void> {
  await driver.submit('/email', { email: user.email });
  await expectStep(driver, '/password', 'email');
  await driver.follow('/help');
  await expectStep(driver, '/forgot', 'forgot-password link');
  await driver.submit('/forgot', { email: user.email });
  await expectStep(driver, '/totp', 'confirm the email');
  await driver.submit('/totp', { code: user.code() });
  await expectStep(driver, '/new-password', 'authenticator code');
  await driver.submit('/new-password', { password: user.newPassword, confirmation: user.newPassword });
  await expectHandedBack(driver, 'new password');
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JourneyError(`${what} did not arrive within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
