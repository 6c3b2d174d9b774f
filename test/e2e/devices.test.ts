/**
 * The demo's "your devices" page in Chromium: two browser contexts (two devices, each its own cookie jar)
 * sign in as the same user; one lists both and signs the other out, which its next request shows, while
 * the first stays signed in. Without /usr/bin/chromium the test fails in CI and is skipped elsewhere.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateKey } from 'typed-sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/app.js';
import { LAUNCH, skipBrowser } from '../support/chromium.js';

describe.skipIf(skipBrowser)('the devices page in Chromium, two browser contexts', () => {
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    server = createApp({ keys: { main: generateKey(), ktor_sign: randomBytes(32).toString('hex') }, logger: { warn() {} } }).listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch(LAUNCH);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) await new Promise((done) => server.close(done));
  });

  /** A fresh context that says it is `agent`, signed in as `name` through the home page's form. */
  async function deviceSignedIn(name: string, agent: string): Promise<Page> {
    const page = await (await browser.newContext({ userAgent: agent })).newPage();
    await page.goto(`${base}/`);
    await page.fill('#name', name);
    await Promise.all([page.waitForURL(`${base}/`), page.click('#login')]);
    expect(await page.textContent('#greeting')).toBe(`Signed in as ${name}.`);
    return page;
  }

  it('A lists both devices and signs out the other: B\'s next request shows it signed out, A stays signed in', async () => {
    const a = await deviceSignedIn('Ada', 'Device A');
    const b = await deviceSignedIn('Ada', 'Device B');

    await Promise.all([a.waitForURL(`${base}/devices`), a.click('#devices-link')]);
    // Most recently used first: both within the same second here, so compared as a set.
    expect((await a.locator('#devices .agent').allTextContents()).sort()).toEqual(['Device A', 'Device B']);
    expect(await a.locator('#devices .device', { hasText: 'Device A' }).locator('.current').textContent()).toBe('this device');
    expect(await a.locator('#devices .device', { hasText: 'Device B' }).locator('button').textContent()).toBe('Sign out');

    await Promise.all([a.waitForURL(`${base}/devices`), a.click('#revoke-others')]);
    expect(await a.textContent('#notice')).toBe('Signed out 1 other device.');
    expect(await a.locator('#devices .agent').allTextContents()).toEqual(['Device A']);

    await b.reload();
    expect(await b.textContent('#greeting')).toBe('Not signed in.');
    // That response expired both of B's cookies.
    expect(await b.context().cookies(base)).toEqual([]);

    await a.goto(`${base}/`);
    expect(await a.textContent('#greeting')).toBe('Signed in as Ada.');
  }, 60_000);
});
