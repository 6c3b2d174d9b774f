/** security.md #1-#12 for the cookie transport, over HTTP against a real Koa server. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePairs, cookieValue, forgeProfileToken, putJson, sendRaw, startServer, START, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const NOW = START / 1000;
const validProfile = (): string => forgeProfileToken(NOW, NOW, '{"userId":"ada"}');

describe('A. cookie transport', () => {
  it('#1 no cookie: no store read and no Set-Cookie', async () => {
    const reads = server.storage.calls.length;
    for (const path of ['/plain', '/s/profile', '/s/visit', '/s/cart']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    expect(server.storage.calls.length).toBe(reads);
  });

  it('#1 an unrelated cookie is not a session: no store read, no Set-Cookie', async () => {
    const reads = server.storage.calls.length;
    const response = await fetch(`${server.url}/s/visit`, { headers: { cookie: 'theme=dark; VID=x; vid2=y' } });
    expect(await response.json()).toEqual({ value: null });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(server.storage.calls.length).toBe(reads);
  });

  it('round-trips a session through Set-Cookie and Cookie', async () => {
    const set = await putJson(`${server.url}/s/profile`, { userId: 'ada', roles: ['admin'] });
    expect(set.status).toBe(204);
    const token = cookieValue(set, 'profile');
    const read = await fetch(`${server.url}/s/profile`, { headers: { cookie: `a=1; profile=${token}; b=2` } });
    expect(await read.json()).toEqual({ value: { userId: 'ada', roles: ['admin'] } });
    expect(read.headers.getSetCookie()).toEqual([]);
  });

  const garbage = ['', '=', '"quoted"', '%E0%A4%A', 'not base64!', 'a.b', 'AAAA====', '\u00e9t\u00e9', 'x'.repeat(300)];
  it.each(garbage)('#2 garbage value %j: no session, never a 500', async (value) => {
    const response = await sendRaw(server.port, '/s/profile', [`Cookie: profile=${value}`]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ value: null });
  });

  it('#2 NUL and other control characters: no session or a 400 from Node, never a 500', async () => {
    for (const value of ['\u0000', 'a\u0001b', 'a\u007fb', '\u00ff\u00fe']) {
      const response = await sendRaw(server.port, '/s/profile', [`Cookie: profile=${value}`]);
      expect([200, 400]).toContain(response.status);
    }
  });

  it('#2 property: any Cookie header, fc.string() and full Unicode, never yields a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), fc.boolean(), async (value, named) => {
        const header = named ? `profile=${value}` : value;
        // UTF-8 bytes, sent as they are: the server sees whatever a hostile client can put on the wire.
        const bytes = Buffer.from(`Cookie: ${header}`, 'utf8').toString('latin1').replace(/[\r\n]/g, ' ');
        const response = await sendRaw(server.port, '/s/visit', [bytes]);
        expect(response.status).not.toBeGreaterThanOrEqual(500);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['5 KB', 5 * 1024, 200],
    ['16 KB', 16 * 1024, 431],
    ['64 KB', 64 * 1024, 431],
  ])('#3 oversized cookie of %s: refused before any decoding', async (_label, size, status) => {
    const events = server.events.length;
    const response = await sendRaw(server.port, '/s/profile', [`Cookie: profile=${'A'.repeat(size)}`]);
    expect(response.status).toBe(status);
    if (status === 200) {
      expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'profile', reason: 'too_large', source: 'token' }]);
      expect(response.headers.find(([name]) => name === 'set-cookie')?.[1]).toMatch(/^profile=; /);
    }
  });

  it('#4 duplicate names: the one value that verifies is used', async () => {
    const response = await fetch(`${server.url}/s/profile`, { headers: { cookie: `profile=garbage; profile=${validProfile()}` } });
    expect(await response.json()).toEqual({ value: { userId: 'ada' } });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('#4 duplicate names where two verify (also across split Cookie headers): ambiguous, no session, cleared', async () => {
    const other = forgeProfileToken(NOW, NOW, '{"userId":"eve"}');
    const events = server.events.length;
    const response = await sendRaw(server.port, '/s/profile', [`Cookie: profile=${validProfile()}`, `Cookie: profile=${other}`]);
    expect(JSON.parse(response.body)).toEqual({ value: null });
    expect(response.headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value.split(';')[0])).toEqual(['profile=']);
    expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'profile', reason: 'ambiguous', source: 'token' }]);
  });

  it('#5 the name matches exactly: case and prefix variants are other cookies', async () => {
    const token = validProfile();
    for (const name of ['Profile', 'PROFILE', ' profile2', '__Host-profile']) {
      const response = await fetch(`${server.url}/s/profile`, { headers: { cookie: `${name}=${token}` } });
      expect(await response.json()).toEqual({ value: null });
    }
    const user = await fetch(`${server.url}/s/user`, { headers: { cookie: `__host-user=${token}; __HOST-user=${token}` } });
    expect(user.headers.getSetCookie()).toEqual([]);
  });

  it('#7 values are always base64url, whatever the payload', async () => {
    const response = await putJson(`${server.url}/s/profile`, { userId: 'a; b=c, "d" \\ e\u00e9\u{1F600}' });
    expect(cookieValue(response, 'profile')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('#8 Max-Age in whole seconds from the remaining absolute lifetime, Expires the same instant', async () => {
    const response = await putJson(`${server.url}/s/profile`, { userId: 'ada' });
    const [line] = response.headers.getSetCookie();
    expect(line).toBe(
      `profile=${cookieValue(response, 'profile')}; Path=/; Max-Age=3600; Expires=${new Date(START + 3600_000).toUTCString()}; HttpOnly; SameSite=Lax`,
    );
  });

  it('#8 clearing sends Max-Age=0 and an epoch Expires with the same name, Path and Domain', async () => {
    const set = await putJson(`${server.url}/s/visit`, { count: 1 });
    const [written] = set.headers.getSetCookie();
    const cleared = await fetch(`${server.url}/s/visit`, { method: 'DELETE', headers: { cookie: cookiePairs(set)[0]! } });
    const [line] = cleared.headers.getSetCookie();
    expect(written).toMatch(/^vid=[A-Za-z0-9_-]{43}; Path=\/; Domain=example\.test; Max-Age=3600; Expires=[^;]+; HttpOnly; SameSite=Strict; Priority=High$/);
    expect(line).toBe('vid=; Path=/; Domain=example.test; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict; Priority=High');
  });

  it('#11 secure: auto follows ctx.secure: no Secure over plain HTTP, and a spoofed X-Forwarded-Proto is not trusted', async () => {
    const response = await putJson(`${server.url}/s/profile`, { userId: 'ada' }, { 'x-forwarded-proto': 'https' });
    expect(response.headers.getSetCookie()[0]).not.toContain('Secure');
  });

  it('#11 a spoofed or misrouted X-Forwarded-Proto: https without app.proxy is not trusted, and the operator is told once', async () => {
    const app = await startServer();
    try {
      for (let request = 0; request < 3; request += 1) {
        const response = await putJson(`${app.url}/s/profile`, { userId: 'ada' }, { 'x-forwarded-proto': 'https, http' });
        expect(response.headers.getSetCookie()[0]).not.toContain('Secure');
      }
      expect(app.warnings).toEqual([{ message: expect.stringMatching(/^X-Forwarded-Proto says https but app\.proxy is off, so a secure: auto cookie was sent without Secure; .*set app\.proxy = true/), fields: { session: 'profile' } }]);
      // No claim of https, or secure: true (never dropped), is nothing to warn about.
      await putJson(`${app.url}/s/user`, { userId: 'ada' }, { 'x-forwarded-proto': 'https' });
      await putJson(`${app.url}/s/profile`, { userId: 'ada' }, { 'x-forwarded-proto': 'http' });
      expect(app.warnings).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('#11 with a trusted proxy reporting http: secure: true keeps Secure, secure: auto follows the proxy, no warning', async () => {
    const proxied = await startServer({ proxy: true });
    try {
      const user = await putJson(`${proxied.url}/s/user`, { userId: 'ada' }, { 'x-forwarded-proto': 'http' });
      expect(user.headers.getSetCookie()[0]).toContain('; Secure');
      const profile = await putJson(`${proxied.url}/s/profile`, { userId: 'ada' }, { 'x-forwarded-proto': 'http' });
      expect(profile.headers.getSetCookie()[0]).not.toContain('Secure');
      expect(proxied.warnings).toEqual([]);
    } finally {
      await proxied.close();
    }
  });

  it('#11 secure: true is never dropped, even over plain HTTP', async () => {
    const response = await putJson(`${server.url}/s/user`, { userId: 'ada' });
    expect(response.headers.getSetCookie()[0]).toMatch(/^__Host-user=[^;]+; Path=\/; Max-Age=604800; Expires=[^;]+; Secure; HttpOnly; SameSite=Lax$/);
  });

  it('#11 with a trusted proxy (app.proxy) and X-Forwarded-Proto: https, secure: auto sets Secure', async () => {
    const proxied = await startServer({ proxy: true });
    try {
      const response = await putJson(`${proxied.url}/s/profile`, { userId: 'ada' }, { 'x-forwarded-proto': 'https' });
      expect(response.headers.getSetCookie()[0]).toContain('; Secure');
    } finally {
      await proxied.close();
    }
  });

  it('#12 a response that reads a session varies on Cookie; one that sets it is not cacheable', async () => {
    const read = await fetch(`${server.url}/s/profile`);
    expect(read.headers.get('vary')).toBe('Cookie');
    expect(read.headers.get('cache-control')).toBeNull();
    const set = await putJson(`${server.url}/s/profile`, { userId: 'ada' });
    expect(set.headers.get('vary')).toBe('Cookie');
    expect(set.headers.get('cache-control')).toBe('no-store');
    const plain = await fetch(`${server.url}/plain`);
    expect(plain.headers.get('vary')).toBeNull();
  });

  it("appends to the app's own Set-Cookie lines instead of replacing them", async () => {
    const app = await startServer({
      routes: async (ctx, next) => {
        ctx.append('Set-Cookie', 'theme=dark; Path=/');
        await next();
        ctx.append('Set-Cookie', 'lang=en; Path=/');
      },
    });
    try {
      const response = await putJson(`${app.url}/s/profile`, { userId: 'ada' });
      expect(cookiePairs(response).map((pair) => pair.split('=')[0])).toEqual(['theme', 'lang', 'profile']);
    } finally {
      await app.close();
    }
  });
});
