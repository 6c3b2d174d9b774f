/** A storage that fails or hangs: a fast 503 with Retry-After, never a hang, never a Set-Cookie (design.md section 5). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storageKeyForId } from '../../runtime/ids.js';
import { cookieValue, putJson, startServer, type TestServer } from './server.js';

let server: TestServer;
let handled = 0;
beforeAll(async () => {
  server = await startServer({
    routes: async (ctx, next) => {
      handled += 1;
      ctx.append('Set-Cookie', 'theme=dark; Path=/');
      await next();
    },
  });
});
afterAll(() => server.close());
afterEach(() => {
  server.storage.mode = 'ok';
  server.storage.faultOn = undefined;
});

async function expectUnavailable(response: Response, operation: string, events: number): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.getSetCookie()).toEqual([]);
  expect(await response.text()).toBe('Session storage unavailable');
  expect(server.events.slice(events)).toEqual([
    { type: 'store_unavailable', session: 'visit', storage: 'mem', operation, error: expect.any(String) },
  ]);
}

async function newVisit(): Promise<string> {
  return cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
}

describe('storage faults', () => {
  it('a failing read at load: 503 before the handler runs', async () => {
    const id = await newVisit();
    server.storage.mode = 'reject';
    const [events, before] = [server.events.length, handled];
    const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
    await expectUnavailable(response, 'read', events);
    expect(handled).toBe(before);
    expect(server.warnings.at(-1)).toEqual({
      message: 'session storage unavailable',
      fields: { session: 'visit', storage: 'mem', operation: 'read', error: 'connection refused' },
    });
  });

  it('a hanging read: 503 once storageTimeout has passed, not a hang', async () => {
    const id = await newVisit();
    server.storage.mode = 'hang';
    const events = server.events.length;
    const started = performance.now();
    const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
    const elapsed = performance.now() - started;
    await expectUnavailable(response, 'read', events);
    expect(server.events.at(-1)).toMatchObject({ error: 'timed out after 200 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);
  });

  it.each(['reject', 'hang'] as const)('a write that fails (%s) at commit: 503, and no Set-Cookie, not even the app\'s', async (mode) => {
    server.storage.mode = mode;
    const events = server.events.length;
    await expectUnavailable(await putJson(`${server.url}/s/visit`, { count: 1 }), 'write', events);
  });

  it('a failed regenerate hands out no new id and keeps the old one', async () => {
    const id = await newVisit();
    server.storage.mode = 'reject';
    server.storage.faultOn = new Set(['write']);
    const events = server.events.length;
    const response = await fetch(`${server.url}/s/visit/regenerate`, { method: 'POST', headers: { cookie: `vid=${id}` } });
    await expectUnavailable(response, 'write', events);
    server.storage.mode = 'ok';
    expect(await server.storage.inner.read(storageKeyForId('visit', id))).toBeDefined();
  });

  it('a failing delete on clear: 503, and the cookie is not expired as if the logout had worked', async () => {
    const id = await newVisit();
    server.storage.mode = 'reject';
    server.storage.faultOn = new Set(['invalidate']);
    const events = server.events.length;
    await expectUnavailable(await fetch(`${server.url}/s/visit`, { method: 'DELETE', headers: { cookie: `vid=${id}` } }), 'invalidate', events);
  });

  it('requests without the session cookie never touch the failing storage', async () => {
    server.storage.mode = 'reject';
    const response = await fetch(`${server.url}/s/profile`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
  });
});
