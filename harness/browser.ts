import * as cheerio from 'cheerio';
import { CookieJar } from 'tough-cookie';
import { type Dispatcher, getGlobalDispatcher } from 'undici';

/** One answer as the browser received it. */
export interface Page {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
  /** The document, parsed on first use. */
  readonly $: cheerio.CheerioAPI;
  /** From sending the request to the last byte of its answer. */
  readonly ms: number;
}

/** What the browser tells `onResponse` after each answer, redirects included. */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly ms: number;
}

export interface BrowserOptions {
  /** Redirects to URLs starting with one of these are not followed: that is where a flow ends (the client). */
  readonly stopAt?: readonly string[];
  readonly acceptLanguage?: string;
  /** What the server records as the browser (the audit tests look for it); 'sso-test-browser' unless told. */
  readonly userAgent?: string;
  /** Sent with every request, e.g. the client address a proxy reports. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A TLS-terminating proxy in front of the server: requests to `publicOrigin` go to `backendOrigin`
   * with the proxy's X-Forwarded headers, while cookies and redirects stay those of the public origin.
   */
  readonly behindProxy?: { readonly publicOrigin: string; readonly backendOrigin: string };
  /** The connections to use (undici); one shared pool of kept-alive connections by default. */
  readonly dispatcher?: Dispatcher;
  /** Told about every answer before the browser goes on: a test's record of headers, the benchmark's timings. */
  readonly onResponse?: (exchange: Exchange) => void | Promise<void>;
}

export interface RequestInit {
  readonly method?: 'GET' | 'POST';
  /** Bytes as they are (a multipart form, say), with their content type in `headers`. */
  readonly body?: URLSearchParams | string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

const maxRedirects = 20;

function lazyPage(fields: Omit<Page, '$'>): Page {
  let parsed: cheerio.CheerioAPI | undefined;
  return {
    ...fields,
    get $() {
      parsed ??= cheerio.load(fields.html);
      return parsed;
    },
  };
}

function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/**
 * A browser over real HTTP, reduced to what the journeys, the tests and the benchmark need: a
 * cookie jar, redirects followed one at a time (so each hop is seen, timed, and the flow stops at
 * the client's redirect_uri), and forms submitted with their hidden fields, as a browser would.
 * The tests, the benchmark and the screenshots all use this one.
 */
export class Browser {
  readonly jar = new CookieJar();
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: BrowserOptions = {}) {
    this.dispatcher = options.dispatcher ?? getGlobalDispatcher();
  }

  /** One request, no redirect followed. */
  async send(url: string, init: RequestInit = {}): Promise<Page> {
    const method = init.method ?? 'GET';
    const cookie = await this.jar.getCookieString(url);
    const { behindProxy } = this.options;
    const target = new URL(behindProxy !== undefined && url.startsWith(behindProxy.publicOrigin) ? behindProxy.backendOrigin + url.slice(behindProxy.publicOrigin.length) : url);
    const headers: Record<string, string> = {
      'accept-language': this.options.acceptLanguage ?? 'en',
      'user-agent': this.options.userAgent ?? 'sso-test-browser',
      ...(behindProxy === undefined ? {} : { 'x-forwarded-proto': 'https', 'x-forwarded-host': new URL(behindProxy.publicOrigin).host }),
      ...(cookie ? { cookie } : {}),
      ...(init.body instanceof URLSearchParams ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...this.options.headers,
      ...init.headers,
    };
    const started = performance.now();
    const response = await this.dispatcher.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method,
      headers,
      body: init.body === undefined ? undefined : init.body instanceof Uint8Array ? init.body : String(init.body),
    });
    const html = await response.body.text();
    const ms = performance.now() - started;
    const answerHeaders = headersOf(response.headers);
    for (const header of answerHeaders.getSetCookie()) await this.jar.setCookie(header, url);
    await this.options.onResponse?.({ method, url, status: response.statusCode, headers: answerHeaders, ms });
    return lazyPage({ url, status: response.statusCode, headers: answerHeaders, html, ms });
  }

  /** Follows redirects from `page` until a page, or until a redirect to a stop URL (returned with its Location and no body). */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let hops = 0; hops < maxRedirects; hops++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || location === null) return current;
      const next = new URL(location, current.url).toString();
      if ((this.options.stopAt ?? []).some((prefix) => next.startsWith(prefix))) {
        return lazyPage({ url: next, status: current.status, headers: current.headers, html: '', ms: current.ms });
      }
      current = await this.send(next);
    }
    throw new Error(`more than ${maxRedirects} redirects from ${page.url}`);
  }

  async get(url: string): Promise<Page> {
    return this.follow(await this.send(url));
  }

  async post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.follow(await this.send(url, { method: 'POST', body: new URLSearchParams(fields) }));
  }

  /**
   * Submits the form whose action ends with `action` on the page, with its hidden fields (the CSRF
   * token) plus the given fields, as a browser would.
   */
  async submit(page: Page, action: string, fields: Record<string, string> = {}): Promise<Page> {
    const { url, body } = formOf(page, action, fields);
    return this.follow(await this.send(url, { method: 'POST', body }));
  }
}

/** The URL and body a browser would send for the form posting to `action` on the page. */
export function formOf(page: Page, action: string, fields: Record<string, string>): { url: string; body: URLSearchParams } {
  const form = page.$('form').filter((_, el) => (page.$(el).attr('action') ?? '').endsWith(action)).first();
  if (form.length === 0) throw new Error(`no form posting to ${action} on ${page.url} (status ${page.status}, "${headingOf(page)}")`);
  const body = new URLSearchParams();
  form.find('input[type=hidden]').each((_, el) => {
    body.set(page.$(el).attr('name')!, page.$(el).attr('value') ?? '');
  });
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  return { url: new URL(form.attr('action')!, page.url).toString(), body };
}

/** The texts of the error summary, for asserting on what the user is told. */
export function errorsOn(page: Page): string[] {
  return page.$('.error-summary__list li').map((_, el) => page.$(el).text().trim()).get();
}

export function headingOf(page: Page): string {
  return page.$('h1').first().text().trim();
}
