/**
 * `load: lazy` on a by-id session: its entry is read from the storage only when the handler asks, by
 * `await ctx.sessions.load(name)`, so a route that does not need it costs no storage call. Until then every
 * other call on it is a `SessionUsageError` that says what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VisitSessionProvider, specWith } from './fixtures.js';
import { cookieValue, putJson, startServer, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    spec: specWith({ ...VisitSessionProvider.definition, load: 'lazy' }),
    routes: async (ctx, next, sessions) => {
      switch (ctx.path) {
        case '/get-first':
          try {
            sessions.get('visit');
          } catch (error) {
            ctx.body = { error: (error as Error).name, message: (error as Error).message };
          }
          return;
        case '/load-twice': {
          // Two loads at once in one handler: one storage read, one payload.
          const [first, second] = await Promise.all([sessions.load('visit'), sessions.load('visit')]);
          ctx.body = { same: first === second, value: first ?? null };
          return;
        }
        default:
          return next();
      }
    },
  });
});
afterAll(() => server.close());

async function visitCookie(count: number): Promise<string> {
  const created = await putJson(`${server.url}/s/visit`, { count });
  expect(created.status).toBe(204);
  return `vid=${cookieValue(created, 'vid')}`;
}

describe('load: lazy', () => {
  it('a route that does not load it makes no storage call, though the request carries its id', async () => {
    const cookie = await visitCookie(1);
    server.storage.calls.length = 0;
    expect(await (await fetch(`${server.url}/plain`, { headers: { cookie } })).text()).toBe('plain');
    expect(server.storage.calls).toEqual([]);
  });

  it('load reads the entry once, and the session then works as any other (get, set, written at commit)', async () => {
    const cookie = await visitCookie(1);
    server.storage.calls.length = 0;
    const loaded = await fetch(`${server.url}/load-twice`, { headers: { cookie } });
    expect(await loaded.json()).toEqual({ same: true, value: { count: 1 } });
    expect(server.storage.calls.map(([operation]) => operation)).toEqual(['read']);

    // The test server's /s/ routes load before they get or set.
    expect((await putJson(`${server.url}/s/visit`, { count: 2 }, { cookie })).status).toBe(204);
    expect(await (await fetch(`${server.url}/s/visit`, { headers: { cookie } })).json()).toEqual({ value: { count: 2 } });
  });

  it('get before load is a SessionUsageError saying to await load', async () => {
    const cookie = await visitCookie(1);
    for (const headers of [{ cookie }, {}] as Record<string, string>[]) {
      expect(await (await fetch(`${server.url}/get-first`, { headers })).json()).toEqual({
        error: 'SessionUsageError',
        message: `session "visit" loads on demand (load: lazy in sessions.yaml): await ctx.sessions.load('visit') before using it in this request`,
      });
    }
  });

  it('a storage fault in load is a 503 with no Set-Cookie, like a fault before the handler', async () => {
    const cookie = await visitCookie(1);
    server.storage.mode = 'reject';
    try {
      const response = await fetch(`${server.url}/s/visit`, { headers: { cookie } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.getSetCookie()).toEqual([]);
    } finally {
      server.storage.mode = 'ok';
    }
  });
});
