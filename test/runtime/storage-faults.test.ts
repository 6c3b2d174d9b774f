/**
 * A storage that fails or hangs: a fast 503 with Retry-After, never a hang, never a Set-Cookie (security.md
 * #45-#47), thrown as a Koa HTTP error that the app's own error middleware renders (security.md #66).
 */
import type Koa from 'koa';
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
  // Koa's own error response: the status text, since the error's message (storage name, fault) is not exposed.
  expect(await response.text()).toBe('Service Unavailable');
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
    const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
    await expectUnavailable(response, 'read', events);
    // The read never settles, so only the timeout can have answered; how soon, bench/promises.ts reports.
    expect(server.events.at(-1)).toMatchObject({ error: 'timed out after 200 ms' });
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

describe('#66 storage faults and conflicts reach the app\'s own error middleware as Koa HTTP errors', () => {
  interface SeenError {
    readonly name: string;
    readonly status: number;
    readonly expose: boolean;
    readonly headers: Record<string, string>;
  }
  let app: TestServer;
  const seen: SeenError[] = [];

  /** An app's error middleware in the usual shape: JSON bodies, the error's own status and headers. */
  async function jsonErrors(ctx: Koa.Context, next: Koa.Next): Promise<void> {
    try {
      await next();
    } catch (caught) {
      const error = caught as SeenError & { code: string; message: string };
      seen.push({ name: error.name, status: error.status, expose: error.expose, headers: error.headers });
      ctx.status = error.status ?? 500;
      ctx.set(error.headers ?? {});
      ctx.body = { error: error.code, message: error.expose ? error.message : 'try again shortly' };
    }
  }

  beforeAll(async () => {
    app = await startServer({
      outer: jsonErrors,
      routes: async (ctx, next, sessions) => {
        ctx.append('Set-Cookie', 'theme=dark; Path=/');
        // Another request's logout lands between this request's load and its commit.
        if (ctx.path === '/race/logout-meanwhile') {
          const id = ctx.cookies.get('vid')!;
          await app.storage.inner.invalidate(storageKeyForId('visit', id));
          sessions.set('visit', { count: 2 });
          ctx.body = 'written';
          return;
        }
        // A handler that calls its own server with the session it holds: the inner request waits its turn.
        if (ctx.path === '/race/call-self') {
          const inner = await fetch(`${app.url}/s/visit`, { headers: { cookie: ctx.get('cookie') } });
          ctx.body = { status: inner.status, retryAfter: inner.headers.get('retry-after'), cookies: inner.headers.getSetCookie(), body: await inner.json() };
          return;
        }
        await next();
      },
      install: { queueTimeout: 100 },
    });
  });
  afterAll(() => app.close());
  afterEach(() => {
    app.storage.mode = 'ok';
    app.storage.faultOn = undefined;
    seen.length = 0;
  });

  const visitOf = async () => cookieValue(await putJson(`${app.url}/s/visit`, { count: 1 }), 'vid');

  it.each([
    ['a failing read at load', (id: string) => fetch(`${app.url}/s/visit`, { headers: { cookie: `vid=${id}` } }), 'read'],
    ['a failing write at commit, after the handler set a cookie of its own', () => putJson(`${app.url}/s/visit`, { count: 1 }), 'write'],
  ] as const)('#66 %s: the app renders a 503 with Retry-After, and no Set-Cookie leaves', async (_label, send, operation) => {
    const id = await visitOf();
    app.storage.mode = 'reject';
    app.storage.faultOn = new Set([operation]);
    const response = await send(id);
    expect(seen).toEqual([{ name: 'SessionStorageError', status: 503, expose: false, headers: { 'Retry-After': '1', 'Cache-Control': 'no-store' } }]);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toEqual({ error: 'SESSION_STORAGE_UNAVAILABLE', message: 'try again shortly' });
  });

  it('#66 a change another request beat: the app renders the 409 with its message, and no Set-Cookie leaves', async () => {
    const id = await visitOf();
    const response = await fetch(`${app.url}/race/logout-meanwhile`, { headers: { cookie: `vid=${id}` } });
    expect(seen).toEqual([{ name: 'SessionConflictError', status: 409, expose: true, headers: { 'Cache-Control': 'no-store' } }]);
    expect(response.status).toBe(409);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toEqual({
      error: 'SESSION_CONFLICT',
      message: 'session "visit" was changed or cleared by another request since this one loaded it; nothing was written, retry the request',
    });
  });

  it('#66 a request whose turn does not come: the app renders the 503 with Retry-After and its message, and no Set-Cookie leaves', async () => {
    const id = await visitOf();
    const response = await fetch(`${app.url}/race/call-self`, { headers: { cookie: `vid=${id}` } });
    expect(seen).toEqual([{ name: 'SessionBusyError', status: 503, expose: true, headers: { 'Retry-After': '1', 'Cache-Control': 'no-store' } }]);
    expect(await response.json()).toEqual({
      status: 503,
      retryAfter: '1',
      cookies: [],
      body: {
        error: 'SESSION_BUSY',
        message: 'session "visit" is in use by another request, and this one\'s turn did not come within 100 ms; nothing was read or written, retry the request',
      },
    });
  });
});
