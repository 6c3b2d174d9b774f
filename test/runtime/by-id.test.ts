/** security.md #35-#44 against the memory storage: ids, fixation, clearing, expiry and store hygiene. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSessionId, storageKeyForId } from '../../runtime/ids.js';
import { cookieValue, putJson, sendRaw, startServer, START, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    routes: async (ctx, next, sessions) => {
      if (ctx.path === '/visit/varied') {
        ctx.vary('Accept-Language');
        sessions.set('visit', { count: 9 });
        return void (ctx.status = 204);
      }
      if (ctx.path === '/visit/browser-session') {
        // The test spec's types offer cookie options on no session; the runtime takes them on every enveloped cookie.
        (sessions as unknown as { set(name: string, value: unknown, options: object): void }).set('visit', { count: 5 }, { persistent: false });
        return void (ctx.status = 204);
      }
      if (ctx.path !== '/visit/set-after-lifetime') return next();
      // The session expires while the handler runs: commit must delete it, not write it.
      server.clock.advance(3600);
      sessions.set('visit', { count: 99 });
      ctx.status = 204;
    },
  });
});
afterAll(() => server.close());

const NOW = START / 1000;

async function newVisit(count = 1): Promise<string> {
  const response = await putJson(`${server.url}/s/visit`, { count });
  expect(response.status).toBe(204);
  return cookieValue(response, 'vid');
}

function visit(id: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/s/visit`, { ...init, headers: { cookie: `vid=${id}`, ...init.headers } });
}

function callsSince(mark: number): readonly (readonly unknown[])[] {
  return server.storage.calls.slice(mark);
}

describe('D. sessions by id', () => {
  it('#35 a well-formed id never issued is not adopted: no session, logged, and set mints a new id', async () => {
    const planted = generateSessionId();
    const events = server.events.length;
    const read = await visit(planted);
    expect(await read.json()).toEqual({ value: null });
    expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'visit', reason: 'unknown_id', source: 'token' }]);
    const set = await putJson(`${server.url}/s/visit`, { count: 1 }, { cookie: `vid=${planted}` });
    const issued = cookieValue(set, 'vid');
    expect(issued).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued).not.toBe(planted);
  });

  it('#35 regenerate: new id, same data, creation time kept, old id dead; the old entry is deleted after the new one is written', async () => {
    const old = await newVisit(7);
    server.clock.advance(100);
    const mark = server.storage.calls.length;
    const response = await fetch(`${server.url}/s/visit/regenerate`, { method: 'POST', headers: { cookie: `vid=${old}` } });
    const fresh = cookieValue(response, 'vid');
    expect(fresh).not.toBe(old);
    expect(response.headers.getSetCookie()[0]).toContain('; Max-Age=3500;');
    expect(await (await visit(fresh)).json()).toEqual({ value: { count: 7 } });
    expect(await (await visit(old)).json()).toEqual({ value: null });
    const writes = callsSince(mark).filter(([operation]) => operation === 'write' || operation === 'invalidate');
    expect(writes.map(([operation, key]) => [operation, key])).toEqual([
      ['write', storageKeyForId('visit', fresh)],
      ['invalidate', storageKeyForId('visit', old)],
    ]);
    server.clock.now = START;
  });

  it('a write under the id the client holds sends no Set-Cookie: the entry changes, the cookie the browser keeps is the same', async () => {
    const id = await newVisit(1);
    const updated = await putJson(`${server.url}/s/visit`, { count: 2 }, { cookie: `vid=${id}` });
    expect(updated.status).toBe(204);
    expect(updated.headers.getSetCookie()).toEqual([]);
    expect(updated.headers.get('vary')).toBe('Cookie');
    expect(await (await visit(id)).json()).toEqual({ value: { count: 2 } });
  });

  it('a write is sent when the client holds anything else: a second vid cookie, new cookie options, or a new id', async () => {
    const id = await newVisit(1);
    // A stale copy beside the live one: the write settles which one the browser keeps.
    const twice = await putJson(`${server.url}/s/visit`, { count: 2 }, { cookie: `vid=${id}; vid=${generateSessionId()}` });
    expect(twice.status).toBe(204);
    expect(cookieValue(twice, 'vid')).toBe(id);
    // Cookie options on the write change the cookie's attributes (here: no Max-Age, a browser-session cookie).
    const options = await fetch(`${server.url}/visit/browser-session`, { headers: { cookie: `vid=${id}` } });
    expect(options.status).toBe(204);
    expect(options.headers.getSetCookie()).toEqual([`vid=${id}; Path=/; Domain=example.test; HttpOnly; SameSite=Strict; Priority=High`]);
    // After a write without options, the options the session was written with stay, and nothing is re-sent.
    const after = await putJson(`${server.url}/s/visit`, { count: 3 }, { cookie: `vid=${id}` });
    expect(after.headers.getSetCookie()).toEqual([]);
    const regenerated = await fetch(`${server.url}/s/visit/regenerate`, { method: 'POST', headers: { cookie: `vid=${id}` } });
    expect(cookieValue(regenerated, 'vid')).not.toBe(id);
  });

  it('a write whose token the client holds is still not cached (no-store), and Vary merges with one the app set', async () => {
    const id = await newVisit(1);
    const updated = await putJson(`${server.url}/s/visit`, { count: 2 }, { cookie: `vid=${id}` });
    expect(updated.headers.getSetCookie()).toEqual([]);
    expect(updated.headers.get('cache-control')).toBe('no-store');
    // A read changes nothing: nothing about the session goes out, and the response may be cached.
    const read = await visit(id);
    expect(read.headers.get('cache-control')).toBeNull();
    const varied = await fetch(`${server.url}/visit/varied`, { headers: { cookie: `vid=${id}` } });
    expect(varied.headers.get('vary')).toBe('Accept-Language, Cookie');
  });

  it('#11 secure: auto over HTTPS re-sends the id the client holds, so a copy set over HTTP gets Secure', async () => {
    const proxied = await startServer({ proxy: true });
    try {
      const created = await putJson(`${proxied.url}/s/visit`, { count: 1 });
      const id = cookieValue(created, 'vid');
      expect(created.headers.getSetCookie()[0]).not.toContain('Secure');
      const https = await putJson(`${proxied.url}/s/visit`, { count: 2 }, { cookie: `vid=${id}`, 'x-forwarded-proto': 'https' });
      expect(https.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^vid=${id}; .*; Secure; `))]);
      // Over HTTP the browser's copy is the one HTTP can carry: nothing to upgrade, nothing sent.
      const http = await putJson(`${proxied.url}/s/visit`, { count: 3 }, { cookie: `vid=${id}` });
      expect(http.headers.getSetCookie()).toEqual([]);
    } finally {
      await proxied.close();
    }
  });

  it('#37 clear deletes the entry and expires the cookie; replaying the id is no session; a second clear succeeds', async () => {
    const id = await newVisit();
    const cleared = await visit(id, { method: 'DELETE' });
    expect(cleared.status).toBe(204);
    expect(cleared.headers.getSetCookie()).toEqual([
      'vid=; Path=/; Domain=example.test; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict; Priority=High',
    ]);
    expect(await server.storage.inner.read(storageKeyForId('visit', id))).toBeUndefined();
    expect(await (await visit(id)).json()).toEqual({ value: null });
    const again = await visit(id, { method: 'DELETE' });
    expect(again.status).toBe(204);
    expect(again.headers.getSetCookie()).toHaveLength(1);
    const anonymous = await fetch(`${server.url}/s/visit`, { method: 'DELETE' });
    expect(anonymous.status).toBe(204);
  });

  it('#37 clearing an already expired session succeeds', async () => {
    const id = await newVisit();
    server.clock.advance(601);
    expect((await visit(id, { method: 'DELETE' })).status).toBe(204);
    server.clock.now = START;
  });

  it('#38 #51 idle: a read slides the storage TTL in the read itself (once touchAfter, a tenth of idle by default, has passed), writing nothing; idle seconds without a read and the entry is gone', async () => {
    const id = await newVisit();
    for (let step = 0; step < 3; step += 1) {
      server.clock.advance(599);
      const mark = server.storage.calls.length;
      expect(await (await visit(id)).json()).toEqual({ value: { count: 1 } });
      expect(callsSince(mark)).toEqual([['read', storageKeyForId('visit', id), 600, 60]]);
    }
    server.clock.advance(600);
    expect(await (await visit(id)).json()).toEqual({ value: null });
    server.clock.now = START;
  });

  it('#39 #52 absolute: activity never extends maxAge; the storage drops the entry at the deadline however recently it slid', async () => {
    const id = await newVisit();
    for (let elapsed = 500; elapsed < 3600; elapsed += 500) {
      server.clock.now = START + elapsed * 1000;
      expect(await (await visit(id)).json()).toEqual({ value: { count: 1 } });
    }
    server.clock.now = START + 3600 * 1000;
    expect(await server.storage.inner.read(storageKeyForId('visit', id))).toBeUndefined();
    expect(await (await visit(id)).json()).toEqual({ value: null });
    server.clock.now = START;
  });

  it('#39 the envelope enforces the absolute lifetime even when a storage keeps the entry longer', async () => {
    const id = await newVisit();
    await server.storage.inner.write(storageKeyForId('visit', id), `${NOW}.${NOW}.{"count":1}`, 100_000);
    server.clock.advance(3600);
    expect(await (await visit(id)).json()).toEqual({ value: null });
    expect(await server.storage.inner.read(storageKeyForId('visit', id))).toBeUndefined();
    server.clock.now = START;
  });

  it('storage TTL on write is min(idle, remaining lifetime); an entry past its lifetime at commit is deleted, not written', async () => {
    const mark = server.storage.calls.length;
    const id = await newVisit();
    expect(callsSince(mark)).toEqual([['write', storageKeyForId('visit', id), `${NOW}.${NOW}.{"count":1}`, 600, { ifAbsent: true, maxSeconds: 3600 }]]);
    const late = server.storage.calls.length;
    const response = await fetch(`${server.url}/visit/set-after-lifetime`, { headers: { cookie: `vid=${id}` } });
    expect(response.headers.getSetCookie()[0]).toMatch(/^vid=; .*Max-Age=0/);
    expect(callsSince(late).map(([operation]) => operation)).toEqual(['read', 'invalidate']);
    server.clock.now = START;
  });

  const malformed: [string, string][] = [
    ['too short', 'A'.repeat(42)],
    ['too long', 'A'.repeat(44)],
    ['off alphabet', `${'A'.repeat(42)}+`],
    ['a last character no id ends with', `${'A'.repeat(42)}B`],
    ['a path', '../../etc/passwd'],
    ['a wildcard', '*'],
    ['a prefix', 'sess:other'],
    ['unicode', `${'A'.repeat(41)}\u00e9`],
    ['NUL', `${'A'.repeat(42)}\u0000`],
    ['10 KB', 'A'.repeat(10 * 1024)],
  ];
  it.each(malformed)('#41 a malformed id (%s) is refused before any storage call', async (_label, id) => {
    const mark = server.storage.calls.length;
    await sendRaw(server.port, '/s/visit', [`Cookie: vid=${id}`]);
    await sendRaw(server.port, '/s/cart', [`X-Cart: ${id}`]);
    expect(callsSince(mark)).toEqual([]);
  });

  it('#42 #55 the storage only ever sees SHA-256 of the session name and the id, never the id', async () => {
    const mark = server.storage.calls.length;
    const id = await newVisit();
    await visit(id);
    await visit(id, { method: 'DELETE' });
    const hashed = createHash('sha256').update(`visit:${id}`).digest('base64url');
    expect(callsSince(mark).map(([operation, key]) => [operation, key])).toEqual([
      ['write', hashed],
      ['read', hashed],
      ['read', hashed],
      ['invalidate', hashed],
    ]);
    expect(JSON.stringify(server.storage.calls)).not.toContain(id);
  });

  it.each([
    ['invalid JSON', `${NOW}.${NOW}.{"count":`],
    ['truncated', `${NOW}.${NOW}`],
    ['no envelope', '{"count":1}'],
    ['the wrong schema', `${NOW}.${NOW}.{"count":"1"}`],
    ['the wrong type', `${NOW}.${NOW}.[1]`],
    ['empty', ''],
  ])('#43 store data that is %s: no session, logged, entry deleted', async (_label, corrupt) => {
    const id = await newVisit();
    await server.storage.inner.write(storageKeyForId('visit', id), corrupt, 60);
    const warnings = server.warnings.length;
    const response = await visit(id);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: null });
    expect(response.headers.getSetCookie()[0]).toMatch(/^vid=; /);
    expect(server.warnings.slice(warnings)).toEqual([
      { message: 'session rejected', fields: { session: 'visit', reason: expect.any(String), source: 'storage' } },
    ]);
    expect(await server.storage.inner.read(storageKeyForId('visit', id))).toBeUndefined();
  });

  it('the header transport carries ids the same way', async () => {
    const set = await putJson(`${server.url}/s/cart`, { items: [{ sku: 'a', qty: 1 }] });
    const id = set.headers.get('x-cart')!;
    const cleared = await fetch(`${server.url}/s/cart`, { method: 'DELETE', headers: { 'x-cart': id } });
    expect(cleared.headers.get('x-cart')).toBe('');
    expect(cleared.headers.getSetCookie()).toEqual([]);
    expect(await (await fetch(`${server.url}/s/cart`, { headers: { 'x-cart': id } })).json()).toEqual({ value: null });
  });
});
