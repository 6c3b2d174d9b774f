/**
 * The demo app in a real browser: Debian's Chromium, driven by playwright-core. What the browser actually
 * stored is the proof: cookie flags, HttpOnly hiding the session from page scripts, logout removing it, and
 * a flash notice shown once across a redirect.
 * Without /usr/bin/chromium the test fails in CI (.ci/run installs it) and is skipped elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { generateKey } from 'typed-sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/app.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === undefined) {
  console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install chromium); CI fails instead`);
}

describe.skipIf(!available && process.env.CI === undefined)('demo app in Chromium', () => {
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
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    if (server !== undefined) await new Promise((done) => server.close(done));
  });

  it('logs in through the form, stores an HttpOnly Lax cookie scripts cannot read, keeps it on reload, and drops it on logout', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await page.textContent('#greeting')).toBe('Not signed in.');

    await page.fill('#name', 'Ada <script>');
    await Promise.all([page.waitForURL(`${base}/`), page.click('#login')]);
    expect(await page.textContent('#greeting')).toBe('Signed in as Ada <script>.');

    const [cookie, ...others] = await context.cookies(base);
    expect(others).toEqual([]);
    expect(cookie).toMatchObject({
      name: 'USER_SESSION',
      domain: '127.0.0.1',
      path: '/',
      httpOnly: true,
      // secure: auto over plain http: no Secure, or the browser would never send it back.
      secure: false,
      sameSite: 'Lax',
    });
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]+$/);
    // Persistent for the session's absolute lifetime (7 days in sessions.yaml), never longer.
    const lifetime = cookie!.expires - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(7 * 86400 - 120);
    expect(lifetime).toBeLessThanOrEqual(7 * 86400 + 5);

    expect(await page.evaluate(() => document.cookie)).not.toContain('USER_SESSION');

    await page.reload();
    expect(await page.textContent('#greeting')).toBe('Signed in as Ada <script>.');

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
});
