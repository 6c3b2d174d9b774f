/**
 * Session lifecycle over HTTP, on the fake clock: cookie lifetimes (#8), caching of refresh-only responses
 * (#12), format downgrades (#20), replay after logout by value (#23), schema evolution between deploys
 * (#33), id rotation on a privilege change (#36), ids as issued (#40), and the lifecycle events (`created`,
 * `destroyed`, `expired`, `regenerated`; README "Events"), never holding a token or an id (#42).
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateKey, type LifecycleEvent, type SessionEvent } from 'typed-sessions';
import { createSessionsMiddleware, type SessionDefinition } from 'typed-sessions/core';
import { generateSessionId, storageKeyForId } from '../../runtime/ids.js';
import { deriveSubkey } from '../../runtime/keys/key-derivation.js';
import { parseKeyRing } from '../../runtime/keys/key-ring.js';
import { createEncryptTransformer } from '../../runtime/transform/encrypt.js';
import { createSignTransformer } from '../../runtime/transform/sign.js';
import { HOUR, NoteSessionProvider, UserSessionProvider, VisitSessionProvider, specWith } from './fixtures.js';
import { cookiePairs, cookieValue, forgeProfileToken, putJson, sendRaw, startServer, START, type TestServer } from './server.js';
import { frameOf, tokenOf } from './token-frames.js';

const NOW = START / 1000;
const DAY = 24 * HOUR;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    routes: async (ctx, next, sessions) => {
      switch (ctx.path) {
        case '/visit/login':
          // Login: a new session (new id, new creation time) whatever the request carried.
          sessions.clear('visit');
          sessions.set('visit', { count: 100 });
          break;
        case '/visit/elevate':
          // Step-up inside a live session: new data, new id, creation time kept.
          sessions.set('visit', { count: 200 });
          sessions.regenerate('visit');
          break;
        case '/visit/set-after-lifetime':
          // The session's absolute lifetime runs out while the handler runs.
          server.clock.advance(HOUR);
          sessions.set('visit', { count: 99 });
          break;
        case '/note/set-then-throw':
          sessions.set('note', { text: 'never written' });
          ctx.throw(400, 'bad request');
          break;
        case '/public-write':
          // An app that marks its page cacheable, then signs someone in on it.
          ctx.set('Cache-Control', 'public, max-age=3600');
          sessions.set('profile', { userId: 'ada' });
          ctx.body = 'ok';
          return;
        default:
          return next();
      }
      ctx.status = 204;
    },
  });
});
afterAll(() => server.close());

function setCookieLine(response: Response): string {
  const [line] = response.headers.getSetCookie();
  expect(line).toBeDefined();
  return line!;
}

function attribute(line: string, name: string): string | undefined {
  return line
    .split('; ')
    .find((part) => part.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

describe('#8 cookie lifetime attributes', () => {
  it('#8 #65 Max-Age is whole seconds, at most 400 days, and Expires is the same instant; a longer maxAge is refused at startup, as validate refuses it', async () => {
    const tooLong: SessionDefinition<unknown> = { ...NoteSessionProvider.definition, expiry: { maxAge: 400 * DAY + 1, rolling: false } };
    expect(() => createSessionsMiddleware(specWith(tooLong), { keys: { main: generateKey() }, env: {} })).toThrow(/expiry.maxAge \(34560001s\) is over the 400 days browsers allow a cookie to live/);
    const longLived: SessionDefinition<unknown> = { ...NoteSessionProvider.definition, expiry: { maxAge: 400 * DAY, rolling: false } };
    const app = await startServer({ spec: specWith(longLived) });
    try {
      app.clock.now = START + 1234;
      const line = setCookieLine(await putJson(`${app.url}/s/note`, { text: 'hi' }));
      expect(attribute(line, 'Max-Age')).toBe(String(400 * DAY));
      expect(attribute(line, 'Expires')).toBe(new Date(START + 1234 + 400 * DAY * 1000).toUTCString());
    } finally {
      await app.close();
    }
  });

  it('#8 a later write counts Max-Age down from the creation time, with Expires still the same instant', async () => {
    const first = await putJson(`${server.url}/s/note`, { text: 'a' });
    server.clock.advance(1000.5);
    try {
      const later = setCookieLine(await putJson(`${server.url}/s/note`, { text: 'b' }, { cookie: `note=${cookieValue(first, 'note')}` }));
      expect(attribute(later, 'Max-Age')).toBe(String(HOUR - 1000));
      const expires = Date.parse(attribute(later, 'Expires')!);
      // Expires has whole seconds; the deadline is creation + maxAge whichever way it is read.
      expect(Math.abs(expires - (server.clock.now + (HOUR - 1000) * 1000))).toBeLessThan(1000);
    } finally {
      server.clock.now = START;
    }
  });
});

describe('#12 caching of every response that reads, writes or refreshes a session', () => {
  const oldKey = generateKey();
  const newKey = generateKey();
  let rotated: TestServer;
  beforeAll(async () => {
    rotated = await startServer({ install: { keys: { main: [newKey, oldKey] } } });
  });
  afterAll(() => rotated.close());

  const userUnder = (key: string) => createEncryptTransformer(parseKeyRing('main', key, 'test'), 'user').seal(`${NOW}.${NOW}.{"userId":"ada"}`);

  const cases: [label: string, request: () => Promise<Response>, vary: string, refresh: boolean][] = [
    ['a write', () => putJson(`${server.url}/s/profile`, { userId: 'ada' }), 'Cookie', true],
    ['a rolling refresh only', () => fetch(`${server.url}/s/user`, { headers: { cookie: `__Host-user=${userUnder(server.key)}` } }), 'Cookie', true],
    [
      'an idle refresh only',
      () => {
        server.clock.now = START + 120_000;
        return fetch(`${server.url}/s/profile`, { headers: { cookie: `profile=${forgeProfileToken(NOW, NOW, '{"userId":"ada"}')}` } });
      },
      'Cookie',
      true,
    ],
    ['a key-rotation refresh only', () => fetch(`${rotated.url}/s/user`, { headers: { cookie: `__Host-user=${userUnder(oldKey)}` } }), 'Cookie', true],
    ['a clear', () => fetch(`${server.url}/s/profile`, { method: 'DELETE' }), 'Cookie', true],
    ['a refused cookie', () => fetch(`${server.url}/s/profile`, { headers: { cookie: 'profile=garbage' } }), 'Cookie', true],
    ['a header token written', () => putJson(`${server.url}/s/cart`, { items: [] }), 'X-Cart', true],
    ['a write on a page the app marked public', () => fetch(`${server.url}/public-write`), 'Cookie', true],
    ['a read with no refresh', () => fetch(`${server.url}/s/profile`, { headers: { cookie: `profile=${forgeProfileToken(NOW, NOW, '{"userId":"ada"}')}` } }), 'Cookie', false],
  ];

  it.each(cases)('#12 %s: Vary names the carrier; a token or cookie expiry sent means Cache-Control: no-store', async (_label, request, vary, refresh) => {
    try {
      const response = await request();
      expect(response.headers.get('vary')).toBe(vary);
      const sent = response.headers.getSetCookie().length > 0 || response.headers.has('x-cart');
      expect(sent).toBe(refresh);
      expect(response.headers.get('cache-control')).toBe(refresh ? 'no-store' : null);
    } finally {
      server.clock.now = START;
    }
  });
});

describe('#20 downgrades to older or weaker formats', () => {
  const text = `${NOW}.${NOW}.{"text":"hi"}`;
  const ring = () => parseKeyRing('main', server.key, 'test');
  const header = (version: number) => Buffer.concat([Buffer.of(version), Buffer.from(ring().keys[0]!.id, 'hex')]);
  const legacyMac = (body: Buffer) => createHmac('sha1', deriveSubkey(ring().keys[0]!.secret, 'sign')).update(body).digest();
  const cbcWithoutMac = (plaintext: Buffer) => {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-cbc', deriveSubkey(ring().keys[0]!.secret, 'encrypt'), iv);
    return Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
  };
  const withVersion = (token: string, version: number) => {
    const frame = frameOf(token);
    frame[0] = version;
    return tokenOf(frame);
  };

  const cases: [label: string, cookie: () => string][] = [
    ...[0, 2, 0x80, 0xff].map((version): [string, () => string] => [
      `version byte ${version} on a valid sign frame`,
      () => `note=${withVersion(createSignTransformer(ring(), 'note').seal(text), version)}`,
    ]),
    ['HMAC-SHA1 under the real signing subkey', () => `note=${tokenOf(Buffer.concat([header(1), Buffer.from(text), legacyMac(Buffer.from(text))]))}`],
    ['HMAC-SHA1 with a legacy version byte', () => `note=${tokenOf(Buffer.concat([header(0), Buffer.from(text), legacyMac(Buffer.from(text))]))}`],
    ['AES-256-CBC without a MAC under the real encryption subkey', () => `__Host-user=${tokenOf(Buffer.concat([header(1), cbcWithoutMac(Buffer.from(`${NOW}.${NOW}.{"userId":"ada"}`))]))}`],
    ['a JWT-style "alg: none" token', () => `note=eyJhbGciOiJub25lIn0.${Buffer.from(text).toString('base64url')}.`],
    ['the bare envelope, as an insecure session would send it', () => `note=${Buffer.from(text).toString('base64url')}`],
  ];

  it.each(cases)('#20 %s: no session, never a 500, with no legacy mode to fall back on', async (_label, cookie) => {
    const events = server.events.length;
    const response = await sendRaw(server.port, cookie().startsWith('note=') ? '/s/note' : '/s/user', [`Cookie: ${cookie()}`]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ value: null });
    expect(server.events.slice(events)).toEqual([
      { type: 'rejected', session: expect.stringMatching(/^(note|user)$/), reason: expect.stringMatching(/^(malformed|tampered)$/), source: 'token' },
    ]);
  });
});

describe('#23 replay after logout', () => {
  async function readUser(token: string): Promise<Response> {
    return fetch(`${server.url}/s/user`, { headers: { cookie: `__Host-user=${token}` } });
  }

  it('#23 by value, a copy kept past logout opens until its idle window or, kept alive, until the absolute lifetime, never after', async () => {
    try {
      const stolen = cookieValue(await putJson(`${server.url}/s/user`, { userId: 'ada' }), '__Host-user');
      const logout = await fetch(`${server.url}/s/user`, { method: 'DELETE', headers: { cookie: `__Host-user=${stolen}` } });
      expect(logout.headers.getSetCookie()[0]).toMatch(/^__Host-user=; Path=\/; Max-Age=0; /);
      // No server state: a by-value session cannot be revoked before it expires (docs/security.md).
      expect(await (await readUser(stolen)).json()).toEqual({ value: { userId: 'ada' } });
      server.clock.now = START + 1800 * 1000;
      expect(await (await readUser(stolen)).json()).toEqual({ value: null });

      // Kept alive by a request every 1700 s (idle is 1800 s), rolling re-seals it each time...
      let token = stolen;
      let elapsed = 0;
      for (elapsed = 1700; elapsed < 7 * DAY; elapsed += 1700) {
        server.clock.now = START + elapsed * 1000;
        const response = await readUser(token);
        expect(await response.json()).toEqual({ value: { userId: 'ada' } });
        token = cookieValue(response, '__Host-user');
      }
      // ...but the creation time inside the seal does not move: at createdAt + maxAge it is dead.
      server.clock.now = START + 7 * DAY * 1000;
      const [events, ended] = [server.events.length, server.lifecycle.length];
      expect(await (await readUser(token)).json()).toEqual({ value: null });
      expect(server.events.slice(events)).toEqual([{ type: 'rejected', session: 'user', reason: 'expired', source: 'token' }]);
      expect(server.lifecycle.slice(ended)).toEqual([{ type: 'expired', session: 'user' }]);
    } finally {
      server.clock.now = START;
    }
  });

  it('#23 by id, the id is dead the moment the session is cleared', async () => {
    const id = cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
    await fetch(`${server.url}/s/visit`, { method: 'DELETE', headers: { cookie: `vid=${id}` } });
    expect(await (await fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } })).json()).toEqual({ value: null });
  });
});

describe('#33 schema evolution: a payload written under schema v1, read by a deploy with v2', () => {
  const v1Schema = { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'], additionalProperties: false };
  const v2Schema = {
    type: 'object',
    properties: { uid: { type: 'string' }, tenant: { type: 'string' } },
    required: ['uid', 'tenant'],
    additionalProperties: false,
  };
  const byValue = (schema: object): SessionDefinition<unknown> => ({
    ...UserSessionProvider.definition,
    name: 'account',
    transport: { kind: 'cookie', name: 'account', cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax' } },
    schema,
  });
  const byId = (schema: object): SessionDefinition<unknown> => ({ ...VisitSessionProvider.definition, name: 'account', schema });

  it.each([
    ['by value', byValue, 'token'],
    ['by id', byId, 'storage'],
  ] as const)('#33 %s: dropped cleanly with reason "schema" (200, cookie expired, one warning each), never a 500 storm', async (_label, define, source) => {
    const before = await startServer({ spec: specWith(define(v1Schema)) });
    const after = await startServer({
      spec: specWith(define(v2Schema)),
      install: { keys: { main: before.key }, storages: { mem: before.storage } },
    });
    try {
      const login = await putJson(`${before.url}/s/account`, { userId: 'ada' });
      const cookieName = source === 'token' ? 'account' : 'vid';
      const cookie = `${cookieName}=${cookieValue(login, cookieName)}`;
      const responses = await Promise.all(Array.from({ length: source === 'token' ? 50 : 1 }, () => fetch(`${after.url}/s/account`, { headers: { cookie } })));
      for (const response of responses) {
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ value: null });
        expect(response.headers.getSetCookie()[0]).toMatch(new RegExp(`^${cookieName}=; .*Max-Age=0`));
      }
      expect(after.warnings).toEqual(Array(responses.length).fill({ message: 'session rejected', fields: { session: 'account', reason: 'schema', source } }));
      // By id the entry v2 cannot read is deleted, so the next request costs one storage miss, not another parse.
      if (source === 'storage') expect(await before.storage.inner.read(storageKeyForId('account', cookieValue(login, 'vid')))).toBeUndefined();
      // The new deploy's own sessions work as usual.
      const fresh = await putJson(`${after.url}/s/account`, { uid: 'ada', tenant: 't1' });
      expect(fresh.status).toBe(204);
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  });
});

describe('#36 a privilege change rotates the id', () => {
  const visit = (id: string) => fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });

  it('#36 login (clear, then set): a new id and creation time; the anonymous id is dead and its entry deleted', async () => {
    try {
      const anonymous = cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
      server.clock.advance(300);
      const login = await fetch(`${server.url}/visit/login`, { method: 'POST', headers: { cookie: `vid=${anonymous}` } });
      const signedIn = cookieValue(login, 'vid');
      expect(signedIn).not.toBe(anonymous);
      expect(attribute(setCookieLine(login), 'Max-Age')).toBe(String(HOUR));
      expect(await (await visit(signedIn)).json()).toEqual({ value: { count: 100 } });
      expect(await (await visit(anonymous)).json()).toEqual({ value: null });
      expect(await server.storage.inner.read(storageKeyForId('visit', anonymous))).toBeUndefined();
    } finally {
      server.clock.now = START;
    }
  });

  it('#36 step-up in a live session (set, then regenerate): a new id, the creation time kept, the old id dead', async () => {
    try {
      const before = cookieValue(await putJson(`${server.url}/s/visit`, { count: 1 }), 'vid');
      server.clock.advance(300);
      const elevated = await fetch(`${server.url}/visit/elevate`, { method: 'POST', headers: { cookie: `vid=${before}` } });
      const after = cookieValue(elevated, 'vid');
      expect(after).not.toBe(before);
      expect(attribute(setCookieLine(elevated), 'Max-Age')).toBe(String(HOUR - 300));
      expect(await (await visit(after)).json()).toEqual({ value: { count: 200 } });
      expect(await (await visit(before)).json()).toEqual({ value: null });
      expect(await server.storage.inner.read(storageKeyForId('visit', before))).toBeUndefined();
    } finally {
      server.clock.now = START;
    }
  });

  it('#36 a planted id cannot ride along into the login: it was never issued, so the login mints its own', async () => {
    const planted = generateSessionId();
    const login = await fetch(`${server.url}/visit/login`, { method: 'POST', headers: { cookie: `vid=${planted}` } });
    expect(cookieValue(login, 'vid')).not.toBe(planted);
  });
});

describe('#40 ids as issued over HTTP', () => {
  it('#40 200 sessions get 200 distinct well-formed 256-bit ids, and Math.random is never called', async () => {
    const random = vi.spyOn(Math, 'random');
    try {
      const ids = new Set<string>();
      for (let session = 0; session < 200; session += 1) ids.add(cookieValue(await putJson(`${server.url}/s/visit`, { count: session }), 'vid'));
      expect(ids.size).toBe(200);
      for (const id of ids) expect(Buffer.from(id, 'base64url').toString('base64url') === id && id.length === 43).toBe(true);
      expect(random).not.toHaveBeenCalled();
    } finally {
      random.mockRestore();
    }
  });
});

describe('lifecycle events, each once the response carries what it reports', () => {
  /** Every token or id the server handed out here: no event may hold one. */
  const handedOut: string[] = [];

  /**
   * Sends the request and returns what it reported: its `onEvent` events, then its `onLifecycle` events
   * (reported once the response is written). Checks first that none of them holds a token or an id handed
   * out so far, this response's included, whole or a 16-character part (#42).
   */
  async function eventsOf(request: Promise<Response>): Promise<(SessionEvent | LifecycleEvent)[]> {
    const [events, lifecycle, warnings] = [server.events.length, server.lifecycle.length, server.warnings.length];
    const response = await request;
    await response.arrayBuffer();
    for (const pair of cookiePairs(response)) handedOut.push(pair.slice(pair.indexOf('=') + 1));
    const cart = response.headers.get('x-cart');
    if (cart !== null) handedOut.push(cart);
    const reported = [...server.events.slice(events), ...server.lifecycle.slice(lifecycle)];
    const logged = JSON.stringify([reported, server.warnings.slice(warnings)]);
    for (const token of handedOut.filter((value) => value.length >= 16)) {
      expect(logged).not.toContain(token.slice(0, 16));
      expect(logged).not.toContain(token.slice(-16));
    }
    return reported;
  }

  async function newSession(name: 'note' | 'visit', body: object): Promise<string> {
    const token = cookieValue(await putJson(`${server.url}/s/${name}`, body), name === 'note' ? 'note' : 'vid');
    handedOut.push(token);
    return token;
  }

  const send = (path: string, cookie: string, method = 'GET') => fetch(`${server.url}${path}`, { method, headers: { cookie } });

  it('created on a first set, by value and by id (cookie and header); an update of a carried session is none; no log line', async () => {
    const warnings = server.warnings.length;
    expect(await eventsOf(putJson(`${server.url}/s/note`, { text: 'hi' }))).toEqual([{ type: 'created', session: 'note' }]);
    expect(await eventsOf(putJson(`${server.url}/s/visit`, { count: 1 }))).toEqual([{ type: 'created', session: 'visit' }]);
    expect(await eventsOf(putJson(`${server.url}/s/cart`, { items: [] }))).toEqual([{ type: 'created', session: 'cart' }]);
    const note = await newSession('note', { text: 'a' });
    const id = await newSession('visit', { count: 1 });
    expect(await eventsOf(putJson(`${server.url}/s/note`, { text: 'b' }, { cookie: `note=${note}` }))).toEqual([]);
    expect(await eventsOf(putJson(`${server.url}/s/visit`, { count: 2 }, { cookie: `vid=${id}` }))).toEqual([]);
    expect(server.warnings.slice(warnings)).toEqual([]);
  });

  it('an expired token followed by a set: rejected and expired, then created', async () => {
    const expired = `profile=${forgeProfileToken(NOW - 7200, NOW - 7200, '{"userId":"ada"}')}`;
    expect(await eventsOf(putJson(`${server.url}/s/profile`, { userId: 'ada' }, { cookie: expired }))).toEqual([
      { type: 'rejected', session: 'profile', reason: 'expired', source: 'token' },
      { type: 'expired', session: 'profile' },
      { type: 'created', session: 'profile' },
    ]);
  });

  it('destroyed on clear of a carried session, by value and by id; a clear with no session ends nothing', async () => {
    const note = await newSession('note', { text: 'a' });
    const id = await newSession('visit', { count: 1 });
    expect(await eventsOf(send('/s/note', `note=${note}`, 'DELETE'))).toEqual([{ type: 'destroyed', session: 'note' }]);
    expect(await eventsOf(send('/s/visit', `vid=${id}`, 'DELETE'))).toEqual([{ type: 'destroyed', session: 'visit' }]);
    expect(await eventsOf(fetch(`${server.url}/s/visit`, { method: 'DELETE' }))).toEqual([]);
  });

  it('a login (clear, then set) over a carried session: destroyed, then created', async () => {
    const id = await newSession('visit', { count: 1 });
    expect(await eventsOf(send('/visit/login', `vid=${id}`, 'POST'))).toEqual([
      { type: 'destroyed', session: 'visit' },
      { type: 'created', session: 'visit' },
    ]);
  });

  it('regenerated on regenerate of a carried session; a session set and regenerated in one request is only created', async () => {
    const id = await newSession('visit', { count: 1 });
    expect(await eventsOf(send('/s/visit/regenerate', `vid=${id}`, 'POST'))).toEqual([{ type: 'regenerated', session: 'visit' }]);
    expect(await eventsOf(fetch(`${server.url}/visit/elevate`, { method: 'POST' }))).toEqual([{ type: 'created', session: 'visit' }]);
  });

  it('expired when noticed: a token past idle, a stored envelope past maxAge (each after its refusal), and a lifetime that runs out during the request', async () => {
    const stale = `profile=${forgeProfileToken(NOW - 700, NOW - 700, '{"userId":"ada"}')}`;
    expect(await eventsOf(send('/s/profile', stale))).toEqual([
      { type: 'rejected', session: 'profile', reason: 'expired', source: 'token' },
      { type: 'expired', session: 'profile' },
    ]);

    const kept = await newSession('visit', { count: 1 });
    await server.storage.inner.write(storageKeyForId('visit', kept), `${NOW - HOUR}.${NOW - HOUR}.{"count":1}`, 60);
    expect(await eventsOf(send('/s/visit', `vid=${kept}`))).toEqual([
      { type: 'rejected', session: 'visit', reason: 'expired', source: 'storage' },
      { type: 'expired', session: 'visit' },
    ]);

    const outlived = await newSession('visit', { count: 1 });
    try {
      expect(await eventsOf(send('/visit/set-after-lifetime', `vid=${outlived}`))).toEqual([{ type: 'expired', session: 'visit' }]);
    } finally {
      server.clock.now = START;
    }
  });

  it('none when the commit fails: the handler threw, or the storage refused the write (503)', async () => {
    expect(await eventsOf(fetch(`${server.url}/note/set-then-throw`))).toEqual([]);
    server.storage.mode = 'reject';
    server.storage.faultOn = new Set(['write']);
    try {
      const events = await eventsOf(putJson(`${server.url}/s/visit`, { count: 1 }));
      expect(events.map((event) => event.type)).toEqual(['store_unavailable']);
    } finally {
      server.storage.mode = 'ok';
      server.storage.faultOn = undefined;
    }
  });

  it('go to onLifecycle only: onEvent and the logger get none; an onLifecycle hook that throws is a warning, not a 500', async () => {
    const [events, warnings] = [server.events.length, server.warnings.length];
    await putJson(`${server.url}/s/note`, { text: 'hi' });
    expect(server.lifecycle.at(-1)).toEqual({ type: 'created', session: 'note' });
    expect(server.events.slice(events)).toEqual([]);
    expect(server.warnings.slice(warnings)).toEqual([]);

    const throwing = await startServer({
      install: {
        onLifecycle: () => {
          throw new Error('audit log down');
        },
      },
    });
    try {
      expect((await putJson(`${throwing.url}/s/note`, { text: 'hi' })).status).toBe(204);
      expect(throwing.warnings).toEqual([{ message: 'onLifecycle hook threw', fields: { event: 'created', error: 'Error: audit log down' } }]);
    } finally {
      await throwing.close();
    }
  });
});
