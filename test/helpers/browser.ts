import * as cheerio from 'cheerio';
import { CookieJar } from 'tough-cookie';

export interface Page {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
  readonly $: cheerio.CheerioAPI;
}

/**
 * A minimal browser over real HTTP: a cookie jar, redirects followed by hand (so a test sees where
 * they lead and stops at the client's redirect_uri), and forms submitted the way a browser would.
 */
export class Browser {
  readonly jar = new CookieJar();

  constructor(
    /** Redirects to URLs starting with one of these are not followed: that is where the flow ends. */
    private readonly stopAt: string[] = [],
    private readonly acceptLanguage = 'en',
  ) {}

  async request(url: string, init: { method?: string; body?: URLSearchParams | string; headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = await this.jar.getCookieString(url);
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      body: init.body,
      redirect: 'manual',
      headers: {
        'accept-language': this.acceptLanguage,
        'user-agent': 'sso-test-browser',
        ...(cookie ? { cookie } : {}),
        ...(init.body instanceof URLSearchParams ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
    });
    for (const header of response.headers.getSetCookie()) await this.jar.setCookie(header, url);
    return response;
  }

  /** Follows redirects until a page, or until a redirect to a stop URL (returned with its Location). */
  async follow(response: Response, from: string): Promise<Page> {
    let current = response;
    let url = from;
    for (let hops = 0; hops < 20; hops++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || location === null) break;
      const next = new URL(location, url).toString();
      if (this.stopAt.some((prefix) => next.startsWith(prefix))) {
        return { url: next, status: current.status, headers: current.headers, html: '', $: cheerio.load('') };
      }
      await current.arrayBuffer();
      url = next;
      current = await this.request(url);
    }
    const html = await current.text();
    return { url, status: current.status, headers: current.headers, html, $: cheerio.load(html) };
  }

  async get(url: string): Promise<Page> {
    return this.follow(await this.request(url), url);
  }

  /**
   * Submits the form whose action ends with `action` on the page, with its hidden fields (the CSRF
   * token) plus the given fields, as a browser would.
   */
  async submit(page: Page, action: string, fields: Record<string, string> = {}): Promise<Page> {
    const form = page.$('form').filter((_, el) => (page.$(el).attr('action') ?? '').endsWith(action)).first();
    if (form.length === 0) throw new Error(`no form posting to ${action} on ${page.url}\n${page.$('h1').text()}`);
    const body = new URLSearchParams();
    form.find('input[type=hidden]').each((_, el) => {
      body.set(page.$(el).attr('name')!, page.$(el).attr('value') ?? '');
    });
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    const target = new URL(form.attr('action')!, page.url).toString();
    return this.follow(await this.request(target, { method: 'POST', body }), target);
  }

  async post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.follow(await this.request(url, { method: 'POST', body: new URLSearchParams(fields) }), url);
  }
}

/** The texts of the error summary, for asserting on what the user is told. */
export function errorsOn(page: Page): string[] {
  return page.$('.error-summary__list li').map((_, el) => page.$(el).text().trim()).get();
}
