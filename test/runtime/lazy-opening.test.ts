/**
 * A by-value session opens when the handler first uses it: a route that never touches it pays nothing for
 * its cookie, and a stale or forged cookie there is not decrypted, refused, logged or expired. By-id sessions
 * are still loaded before the handler, and a session in a migration is opened before the handler too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR } from './fixtures.js';
import { cookiePairs, cookieValue, putJson, startServer, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** A fresh signed-in user's cookie header, sealed now. */
async function signedIn(): Promise<string> {
  const response = await putJson(`${server.url}/s/user`, { userId: 'ada' });
  expect(response.status).toBe(204);
  return `__Host-user=${cookieValue(response, '__Host-user')}`;
}

function plain(cookie: string): Promise<Response> {
  return fetch(`${server.url}/plain`, { headers: { cookie } });
}

describe('by-value sessions open on first use', () => {
  it('a forged cookie on a route that uses no session: no event, no Set-Cookie; the route that uses it refuses and expires it', async () => {
    const sealed = await signedIn();
    const middle = Math.floor(sealed.length / 2);
    const forged = `${sealed.slice(0, middle)}${sealed[middle] === 'A' ? 'B' : 'A'}${sealed.slice(middle + 1)}`;
    server.events.length = 0;
    const untouched = await plain(forged);
    expect(await untouched.text()).toBe('plain');
    expect(untouched.headers.getSetCookie()).toEqual([]);
    expect(server.events).toEqual([]);

    const used = await fetch(`${server.url}/s/user`, { headers: { cookie: forged } });
    expect(await used.json()).toEqual({ value: null });
    expect(cookiePairs(used)).toEqual(['__Host-user=']);
    expect(server.events).toEqual([{ type: 'rejected', session: 'user', reason: 'tampered', source: 'token' }]);
  });

  it('an expired cookie is noticed where the session is used, not on the route that ignores it', async () => {
    const cookie = await signedIn();
    server.clock.advance(8 * 24 * HOUR);
    server.events.length = 0;
    expect((await plain(cookie)).headers.getSetCookie()).toEqual([]);
    expect(server.events).toEqual([]);
    await fetch(`${server.url}/s/user`, { headers: { cookie } });
    expect(server.events).toEqual([{ type: 'rejected', session: 'user', reason: 'expired', source: 'token' }]);
  });

  it('a rolling session is re-sent by the routes that use it, and left as it is by the others', async () => {
    const cookie = await signedIn();
    server.clock.advance(60);
    expect((await plain(cookie)).headers.getSetCookie()).toEqual([]);
    const used = await fetch(`${server.url}/s/user`, { headers: { cookie } });
    expect(await used.json()).toEqual({ value: { userId: 'ada' } });
    expect(cookiePairs(used)).toEqual([expect.stringMatching(/^__Host-user=.+/)]);
  });
});

describe('by-id sessions load before the handler', () => {
  it('a route that uses no session still reads the entry of an id it carries, so get stays synchronous', async () => {
    const created = await putJson(`${server.url}/s/visit`, { count: 1 });
    const cookie = `vid=${cookieValue(created, 'vid')}`;
    server.storage.calls.length = 0;
    expect(await (await plain(cookie)).text()).toBe('plain');
    expect(server.storage.calls.map(([operation]) => operation)).toEqual(['read']);
  });
});
