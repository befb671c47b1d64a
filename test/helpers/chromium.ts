import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { backends, startTestServer, type TestServer, type TestServerOptions } from './server.ts';

/** Debian's Chromium: `.ci/run` installs it, and so does `apt-get install chromium`. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * The machines the suites run on have no network: without these flags Chromium keeps trying to
 * reach Google's services (updates, sync, QUIC probes) and stalls or fills the logs.
 */
const offlineArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Why the browser suites cannot run here, for node:test's `skip`, or false. A developer without
 * Chromium gets a skip that says what to install; in CI a missing browser must not pass silently,
 * so the suites run and fail at launch.
 */
export function browserSkip(): string | false {
  if (existsSync(chromiumPath) || inCi) return false;
  return `no browser at ${chromiumPath}: install Debian's Chromium (apt-get install chromium) to run the browser tests`;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no browser at ${chromiumPath}, and CI requires the browser tests: install the chromium package`);
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: offlineArgs });
}

/**
 * Chromium and a test server on the embedded backend for the enclosing `describe`: started before its
 * tests, closed after them. `use` receives both once started; `env` is read when the server starts.
 */
export function browseDuring(
  use: (browser: Browser, server: TestServer) => void,
  env: () => Record<string, string> = () => ({}),
  options: TestServerOptions = {},
): void {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  before(async () => {
    // The browser first: when it cannot start, no server is left running behind the failure.
    browser = await launchChromium();
    server = await startTestServer(backends()[0]!, env(), options);
    use(browser, server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
}
