/**
 * A deploy that changes the session's schema, in a real browser (docs/schema-evolution.md): Chromium logs in
 * to the app generated from spec v1, the server restarts on the same origin as the app of v2, and a reload
 * shows the migrated payload; what Chromium then holds is the v2 cookie, which v2 reads without migrating.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateKey } from 'typed-sessions';
import type { SpecDefinition } from 'typed-sessions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploysForSuite, payloadV2 } from '../runtime/schema-evolution.js';
import { startServer, type TestRoutes, type TestServer } from '../runtime/server.js';
import { LAUNCH, skipBrowser } from '../support/chromium.js';

/** `GET /login` signs in as Ada under v1's payload and redirects to `/`, which shows the session as JSON. */
const pages: TestRoutes = (ctx, next, sessions) => {
  const user = sessions as unknown as { get(name: 'user'): unknown; set(name: 'user', value: object): void };
  if (ctx.path === '/login') {
    user.set('user', { name: 'Ada' });
    ctx.redirect('/');
    return;
  }
  if (ctx.path !== '/') return next();
  ctx.type = 'html';
  ctx.body = `<!doctype html><p id="user">${JSON.stringify(user.get('user') ?? null)}</p>`;
};

describe.skipIf(skipBrowser)('a schema change across a restart, in Chromium', () => {
  const deploys = deploysForSuite('schema-evolution-e2e-');
  let browser: Browser;
  let server: TestServer | undefined;
  const key = generateKey();

  beforeAll(async () => {
    browser = await chromium.launch(LAUNCH);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Stops the running app, if any, and starts the one of `spec` on `port` (0: a free one). */
  async function deploy(spec: SpecDefinition, port = 0): Promise<TestServer> {
    await server?.close();
    // Chromium's clock, not the test server's fake one, judges the cookies it keeps.
    server = await startServer({ spec, port, routes: pages, install: { keys: { main: key }, clock: Date.now } });
    return server;
  }

  const shown = async (page: Page) => JSON.parse((await page.textContent('#user'))!) as unknown;

  it('logged in under v1, the page shows the v2 payload after the restart, and the cookie Chromium keeps is the v2 one', async () => {
    const v1 = await deploy(deploys().v1);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${v1.url}/login`);
    expect(await shown(page)).toEqual({ name: 'Ada' });
    const [v1Cookie] = await context.cookies(v1.url);

    const v2 = await deploy(deploys().v2, v1.port);
    expect(v2.url).toBe(v1.url);
    await page.reload();
    expect(await shown(page)).toEqual(payloadV2('Ada'));
    expect(v2.events.filter((event) => event.type === 'migrated')).toEqual([{ type: 'migrated', session: 'user', fromVersion: 1, toVersion: 2 }]);

    const [v2Cookie, ...others] = await context.cookies(v2.url);
    expect(others).toEqual([]);
    expect(v2Cookie!.name).toBe('user');
    expect(v2Cookie!.value).not.toBe(v1Cookie!.value);
    const events = v2.events.length;
    const response = await fetch(`${v2.url}/s/user`, { headers: { cookie: `user=${v2Cookie!.value}` } });
    expect(await response.json()).toEqual({ value: payloadV2('Ada') });
    expect(v2.events.slice(events)).toEqual([]);
    await context.close();
  }, 60_000);
});
