/**
 * The demo app in a real browser: Debian's Chromium, driven by playwright-core. What the browser actually
 * stored is the proof: cookie flags, HttpOnly hiding the session from page scripts, logout removing it, a
 * flash notice shown once across a redirect, a browser-session cookie gone and a "Remember me" one kept when
 * the browser restarts on its profile (#8, #68), and a chunked session's cookies joined and shrunk (#67).
 * Without /usr/bin/chromium the test fails in CI (.ci/run installs it) and is skipped elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generateKey } from 'typed-sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/app.js';
import { HOUR, specOf } from '../runtime/fixtures.js';
import { startServer, type TestServer } from '../runtime/server.js';
import { CHROMIUM, LAUNCH, skipBrowser } from '../support/chromium.js';

describe.skipIf(skipBrowser)('demo app in Chromium', () => {
  let server: Server;
  let base: string;
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing; .ci/run installs the chromium package`).toBe(true);
    // The demo also reads a Ktor service's cookie (docs/ktor.md): its raw HMAC key, as hex.
    const keys = { main: generateKey(), ktor_sign: randomBytes(32).toString('hex') };
    server = createApp({ keys, logger: { warn() {} } }).listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A fresh profile: no cookies or state from any earlier run.
    profile = mkdtempSync(join(tmpdir(), 'typed-sessions-chromium-'));
    context = await chromium.launchPersistentContext(profile, LAUNCH);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    if (server !== undefined) await new Promise((done) => server.close(done));
  });

  /** Closes the browser and starts it again on the same profile: what a user quitting and reopening it does. */
  async function restartBrowser(): Promise<Page> {
    await context.close();
    context = await chromium.launchPersistentContext(profile, LAUNCH);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    return page;
  }

  async function logIn(page: Page, name: string, remember: boolean): Promise<void> {
    await page.goto(`${base}/`);
    expect(await page.textContent('#greeting')).toBe('Not signed in.');
    await page.fill('#name', name);
    if (remember) await page.check('#remember');
    await Promise.all([page.waitForURL(`${base}/`), page.click('#login')]);
    expect(await page.textContent('#greeting')).toBe(`Signed in as ${name}.`);
  }

  it('#8 logs in through the form, stores an HttpOnly Lax browser-session cookie scripts cannot read, keeps it on reload, and drops it on logout', async () => {
    const page = await context.newPage();
    await logIn(page, 'Ada <script>', false);

    // The user, and the device session a sign-in starts beside it (the devices page, test/e2e/devices.test.ts).
    const cookies = await context.cookies(base);
    expect(cookies.map((stored) => stored.name).sort()).toEqual(['DEVICE_SESSION', 'USER_SESSION']);
    const cookie = cookies.find((stored) => stored.name === 'USER_SESSION');
    expect(cookie).toMatchObject({
      domain: '127.0.0.1',
      path: '/',
      httpOnly: true,
      // secure: auto over plain http: no Secure, or the browser would never send it back.
      secure: false,
      sameSite: 'Lax',
    });
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]+$/);
    // No Max-Age or Expires (persistent: false in sessions.yaml): Chromium keeps them for this browser session only.
    expect(cookies.map((stored) => stored.expires)).toEqual([-1, -1]);

    // Both HttpOnly: page scripts see neither.
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // The rolling refresh re-sends it, still a browser-session cookie.
    await page.reload();
    expect(await page.textContent('#greeting')).toBe('Signed in as Ada <script>.');
    expect((await context.cookies(base)).map((stored) => stored.expires)).toEqual([-1, -1]);

    await Promise.all([page.waitForURL(`${base}/`), page.click('#logout')]);
    expect(await page.textContent('#greeting')).toBe('Not signed in.');
    expect(await context.cookies(base)).toEqual([]);
  }, 60_000);

  it('shows a flash notice once across a redirect: the POST sets it and redirects, the GET shows it, a reload does not', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator('#notice').count()).toBe(0);

    await page.fill('#name', 'Grace <b>');
    await Promise.all([page.waitForURL(`${base}/`), page.click('#login')]);
    expect(await page.textContent('#notice')).toBe('Welcome, Grace <b>.');
    await page.reload();
    expect(await page.locator('#notice').count()).toBe(0);
    expect(await page.textContent('#greeting')).toBe('Signed in as Grace <b>.');

    // Logout clears the user, then flashes: the notice travels alone and is gone with the page that shows it.
    await Promise.all([page.waitForURL(`${base}/`), page.click('#logout')]);
    expect(await page.textContent('#notice')).toBe('Signed out.');
    expect(await page.textContent('#greeting')).toBe('Not signed in.');
    expect(await context.cookies(base)).toEqual([]);
    await page.reload();
    expect(await page.locator('#notice').count()).toBe(0);
  }, 60_000);

  it('#8 a browser-session cookie does not survive a browser restart on the same profile', async () => {
    await logIn(await context.newPage(), 'Grace', false);
    const page = await restartBrowser();
    expect(await page.textContent('#greeting')).toBe('Not signed in.');
    expect(await context.cookies(base)).toEqual([]);
  }, 60_000);

  it('#68 "Remember me" makes it persistent for the session\'s absolute lifetime: it survives the restart, and the refresh keeps it so', async () => {
    await logIn(await context.newPage(), 'Lin', true);
    const cookies = await context.cookies(base);
    expect(cookies).toHaveLength(2);
    // Persistent for the session's absolute lifetime (7 days in sessions.yaml, for the user and its device), never longer.
    for (const cookie of cookies) {
      const lifetime = cookie.expires - Date.now() / 1000;
      expect(lifetime).toBeGreaterThan(7 * 86400 - 120);
      expect(lifetime).toBeLessThanOrEqual(7 * 86400 + 5);
    }

    const page = await restartBrowser();
    expect(await page.textContent('#greeting')).toBe('Signed in as Lin.');
    // That request's rolling refresh re-sealed the choice with the session: still persistent.
    const user = (await context.cookies(base)).find((stored) => stored.name === 'USER_SESSION');
    expect(user!.expires).toBeGreaterThan(Date.now() / 1000 + 7 * 86400 - 120);

    await Promise.all([page.waitForURL(`${base}/`), page.click('#logout')]);
    expect(await context.cookies(base)).toEqual([]);
  }, 60_000);
});

describe.skipIf(skipBrowser)('chunked cookies in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const cookie = { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: true, chunked: true } as const;
    const schema = { type: 'object', properties: { data: { type: 'string' } }, required: ['data'], additionalProperties: false };
    server = await startServer({
      spec: specOf([{ name: 'big', transport: { kind: 'cookie', name: 'big', cookie }, transforms: [{ kind: 'encrypt', keys: 'main' }], expiry: { maxAge: HOUR, rolling: false }, schema }]),
      // The test server's fake clock would stamp cookies already expired for Chromium's real one.
      install: { clock: Date.now },
    });
    browser = await chromium.launch(LAUNCH);
    page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/plain`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The page's own fetch, so Chromium stores and sends the cookies. */
  const inPage = (method: 'GET' | 'PUT', data?: string) =>
    page.evaluate(
      async ([method, data]) => {
        const response = await fetch('/s/big', method === 'PUT' ? { method, body: JSON.stringify({ data }) } : {});
        return { status: response.status, body: method === 'GET' ? await response.json() : null };
      },
      [method, data] as const,
    );
  const chunkNames = async () => (await page.context().cookies(server.url)).map((stored) => stored.name).sort();

  it('#67 Chromium stores every chunk of a large session and sends them back, joined into the session; a smaller write leaves only chunk 0', async () => {
    const large = 'x'.repeat(7000);
    expect(await inPage('PUT', large)).toEqual({ status: 204, body: null });
    expect(await chunkNames()).toEqual(['big.0', 'big.1', 'big.2']);
    expect(await inPage('GET')).toEqual({ status: 200, body: { value: { data: large } } });

    expect(await inPage('PUT', 'small')).toEqual({ status: 204, body: null });
    expect(await chunkNames()).toEqual(['big.0']);
    expect(await inPage('GET')).toEqual({ status: 200, body: { value: { data: 'small' } } });
  }, 60_000);
});
