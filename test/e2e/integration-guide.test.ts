import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { endAccountSessions } from '../../src/sessions.ts';
import { browserSkip, launchChromium } from '../helpers/chromium.ts';
import { seedActiveAccount } from '../helpers/flows.ts';
import { arrivedAtClient, authorization, signInThroughPages } from '../helpers/hosted-pages.ts';
import { backends, freePort, publicClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { statusOf, waitUntil } from '../helpers/wait.ts';

/**
 * The examples of docs/integration.md, run as an application team would run them, each signing a
 * user in through the hosted pages in Chromium and refreshing: an Express application on
 * express-openid-connect, and a Flask application on Python Authlib (Debian's python3-authlib).
 * Each application lives on `localhost`, another site than the server's 127.0.0.1, as in real life.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const python = '/usr/bin/python3';
const inCi = process.env.CI === 'true' || process.env.CI === '1';

function authlibSkip(): string | false {
  const browser = browserSkip();
  if (browser !== false) return browser;
  if (inCi) return false;
  const probe = spawnSync(python, ['-c', 'import authlib, flask, requests'], { stdio: 'ignore' });
  return probe.status === 0 ? false : 'Python Authlib is missing: apt-get install python3-authlib python3-flask python3-requests';
}

/** A portable secret: A-Z a-z 0-9 - _ only, which every library sends unchanged. */
const secret = (name: string) => `${name}-secret-0123456789_ABCDEFabcdef`;

interface App {
  readonly url: string;
  readonly output: string[];
  stop(): Promise<void>;
}

/** Starts an example as its README says, and waits until it answers. */
async function startApp(command: string, args: string[], env: Record<string, string>, port: number): Promise<App> {
  const child: ChildProcess = spawn(command, args, { cwd: root, env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const exited = once(child, 'exit');
  const app: App = {
    url: `http://localhost:${port}`,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntil(async () => child.exitCode !== null || (await statusOf(`http://127.0.0.1:${port}/`)) === 200, `${args.join(' ')} to answer`, 30_000);
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
  } catch (error) {
    await app.stop();
    throw new Error(`${args.join(' ')} did not start: ${(error as Error).message}: ${output.join('')}`);
  }
  return app;
}

async function text(page: Page, url: string): Promise<string> {
  await page.goto(url);
  return (await page.locator('body').innerText()).trim();
}

describe('the integration guide’s examples and cross-site posts, in Chromium', { skip: browserSkip() }, () => {
  let browser: Browser;
  let t: TestServer;
  const ports = { express: 0, flask: 0 };

  before(async () => {
    browser = await launchChromium();
    [ports.express, ports.flask] = [await freePort(), await freePort()];
    t = await startTestServer(backends()[0]!, {}, {
      clients: [
        {
          client_id: 'express-app',
          client_secret: secret('express'),
          redirect_uris: [`http://localhost:${ports.express}/callback`],
          post_logout_redirect_uris: [`http://localhost:${ports.express}`],
          backchannel_logout_uri: `http://127.0.0.1:${ports.express}/backchannel-logout`,
        },
        {
          client_id: 'authlib-app',
          client_secret: secret('authlib'),
          redirect_uris: [`http://localhost:${ports.flask}/callback`],
          post_logout_redirect_uris: [`http://localhost:${ports.flask}/`],
        },
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function inContext<T>(use: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
    const context = await browser.newContext();
    try {
      return await use(await context.newPage(), context);
    } finally {
      await context.close();
    }
  }

  it('signs in, refreshes and signs out through the Express example (express-openid-connect), and ends its session by back-channel logout', async () => {
    const app = await startApp(process.execPath, ['docs/examples/express-app.mjs'], {
      OIDC_ISSUER: t.issuer,
      OIDC_CLIENT_ID: 'express-app',
      OIDC_CLIENT_SECRET: secret('express'),
      APP_BASE_URL: `http://localhost:${ports.express}`,
      APP_SESSION_SECRET: 'an-application-session-secret-of-32-chars',
    }, ports.express);
    try {
      const email = 'express.user@example.com';
      const { id, secret: totp } = await seedActiveAccount(t, email);
      await inContext(async (page) => {
        await page.goto(`${app.url}/login`);
        assert.ok(page.url().startsWith(`${t.issuer}/interaction/`), `the application sends the user to the hosted pages: ${page.url()}`);
        await signInThroughPages(page, t, email, totp);
        await page.waitForURL(`${app.url}/`);
        assert.equal((await page.locator('body').innerText()).trim(), `Signed in as ${email}`);
        assert.match(await text(page, `${app.url}/refresh`), /"refreshed":true/);
        assert.match(await text(page, `${app.url}/profile`), new RegExp(`"email":"${email}"`));

        const ended = await endAccountSessions(t.server.services, id);
        assert.equal(ended.logoutTokensSent, 1, JSON.stringify(ended.failures));
        assert.equal(await text(page, `${app.url}/`), 'Signed out', 'the logout token ended the application’s session');

        await page.goto(`${app.url}/login`);
        await signInThroughPages(page, t, email, totp);
        await page.waitForURL(`${app.url}/`);
        await page.goto(`${app.url}/logout`);
        await page.waitForURL(`${app.url}/`);
        assert.equal((await page.locator('body').innerText()).trim(), 'Signed out');
        await page.goto(`${app.url}/login`);
        assert.ok(await page.getByLabel('Email Address', { exact: true }).isVisible(), 'the server’s session ended too');
      });
    } finally {
      await app.stop();
    }
  });

  it('signs in, refreshes and signs out through the Flask example (Python Authlib)', { skip: authlibSkip() }, async () => {
    const app = await startApp(python, ['docs/examples/authlib_app.py'], {
      OIDC_ISSUER: t.issuer,
      OIDC_CLIENT_ID: 'authlib-app',
      OIDC_CLIENT_SECRET: secret('authlib'),
      APP_SESSION_SECRET: 'a-flask-session-secret',
    }, ports.flask);
    try {
      const email = 'authlib.user@example.com';
      const { secret: totp } = await seedActiveAccount(t, email);
      await inContext(async (page) => {
        await page.goto(`${app.url}/login`);
        assert.ok(page.url().startsWith(`${t.issuer}/interaction/`), page.url());
        await signInThroughPages(page, t, email, totp);
        await page.waitForURL(`${app.url}/`);
        assert.equal((await page.locator('body').innerText()).trim(), `Signed in as ${email}`);
        assert.match(await text(page, `${app.url}/refresh`), /"refreshed":\s*true/);
        assert.match(await text(page, `${app.url}/refresh`), /"refreshed":\s*true/, 'the rotated refresh token refreshes again');
        await page.goto(`${app.url}/logout`);
        await page.waitForURL(`${app.url}/`);
        assert.equal((await page.locator('body').innerText()).trim(), 'Signed out');
      });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${app.output.join('')}`, { cause: error });
    } finally {
      await app.stop();
    }
  });

  it('keeps the session when an application on another site posts to /auth and /session/end', async () => {
    const email = 'cross.site@example.com';
    const { secret: totp } = await seedActiveAccount(t, email);
    // Another site's page that posts its form to the server, as a client library may.
    const site = http.createServer((request, response) => {
      const target = new URL(request.url!, 'http://localhost').searchParams;
      const action = target.get('action')!;
      const fields = [...new URLSearchParams(target.get('fields')!)]
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/"/g, '&quot;')}">`)
        .join('');
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><form method="post" action="${action}">${fields}<button>Go</button></form>`);
    });
    site.listen(0, '127.0.0.1');
    await once(site, 'listening');
    const siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
    const postFrom = async (page: Page, endpoint: string, fields: URLSearchParams) => {
      await page.goto(`${siteUrl}/?${new URLSearchParams({ action: endpoint, fields: fields.toString() })}`);
      await page.getByRole('button', { name: 'Go' }).click();
    };
    try {
      await inContext(async (page, context) => {
        await context.route(`${new URL(publicClient.redirect_uris[0]).origin}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>Client</p>' }));
        const first = await authorization(t);
        await page.goto(first.url);
        await signInThroughPages(page, t, email, totp);
        const tokens = await first.finish(await arrivedAtClient(page, '/callback'));

        const silent = await authorization(t, { prompt: 'none' });
        await postFrom(page, `${t.issuer}/auth`, new URL(silent.url).searchParams);
        const answered = new URL(await arrivedAtClient(page, '/callback'));
        assert.ok(answered.searchParams.get('code'), `the session cookie came with the cross-site POST's request: ${answered}`);
        assert.ok((await silent.finish(answered.toString())).access_token);

        // Chromium refuses the test clients' port 9 after a form post: the signed-out page stands in for the client.
        await postFrom(page, `${t.issuer}/session/end`, new URLSearchParams({ id_token_hint: tokens.id_token! }));
        await page.getByText('You have been signed out.', { exact: true }).waitFor();

        const after = await authorization(t, { prompt: 'none' });
        await postFrom(page, `${t.issuer}/auth`, new URL(after.url).searchParams);
        assert.equal(new URL(await arrivedAtClient(page, '/callback')).searchParams.get('error'), 'login_required', 'the logout posted from the other site ended the session');
      });
    } finally {
      site.closeAllConnections();
      await new Promise((resolve) => site.close(resolve));
    }
  });
});
