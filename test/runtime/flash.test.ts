/**
 * Flash values over HTTP, against a real Koa server: set before a redirect, shown once by the request after
 * it, carried alone after a logout, bounded on a redirect loop, checked on write and on read, and sealed in
 * the session's own envelope (an envelope without them is written and read as before they existed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sessions } from 'typed-sessions';
import { createPayloadAjv } from '../../generator/emit/payload-ajv.js';
import { HOUR, specOf } from './fixtures.js';
import { cookieValue, startServer, type TestServer } from './server.js';

interface Account {
  readonly userId: string;
}

interface AccountFlash {
  readonly notice: string;
  readonly form: { readonly email: string };
}

type FlashSessions = Sessions<{ account: Account; visit: Account; raw: Account; plain: Account; big: Account }, 'visit', { account: AccountFlash; visit: AccountFlash; raw: AccountFlash; big: AccountFlash }>;

const ajv = createPayloadAjv();
const flash = {
  notice: ajv.compile({ type: 'string', maxLength: 5000 }),
  form: ajv.compile({ type: 'object', properties: { email: { type: 'string' } }, required: ['email'], additionalProperties: false }),
};
const accountSchema = { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'], additionalProperties: false };
const cookie = { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false } as const;
const expiry = { maxAge: HOUR, rolling: false };

const spec = specOf([
  { name: 'account', transport: { kind: 'cookie', name: 'account', cookie }, transforms: [{ kind: 'encrypt', keys: 'main' }], expiry, schema: accountSchema, flash },
  { name: 'visit', transport: { kind: 'cookie', name: 'vid', cookie }, storage: 'mem', transforms: [], expiry, schema: accountSchema, flash },
  // Unsealed, so the tests can read and forge the envelope.
  { name: 'raw', transport: { kind: 'cookie', name: 'raw', cookie }, transforms: [], insecure: true, expiry, schema: accountSchema, flash },
  { name: 'plain', transport: { kind: 'cookie', name: 'plain', cookie }, transforms: [], insecure: true, expiry, schema: accountSchema },
  // Chunked: a long notice spreads the session over two cookies.
  { name: 'big', transport: { kind: 'cookie', name: 'big', cookie: { ...cookie, chunked: true } }, transforms: [{ kind: 'encrypt', keys: 'main' }], expiry, schema: accountSchema, flash },
]);

type Name = 'account' | 'visit' | 'raw' | 'big';
const COOKIE_OF: Record<Name, string> = { account: 'account', visit: 'vid', raw: 'raw', big: 'big.0' };

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    spec,
    routes: (ctx, next, untyped) => {
      const sessions = untyped as unknown as FlashSessions;
      const name = ctx.query.s as Name;
      try {
        switch (ctx.path) {
          case '/save':
            sessions.flash(name, 'notice', String(ctx.query.notice ?? 'Saved'));
            ctx.redirect('/show');
            return;
          case '/show': {
            const notice = sessions.flashed(name, 'notice');
            ctx.body = { notice: notice ?? null, again: sessions.flashed(name, 'notice') ?? null, user: sessions.get(name) ?? null };
            return;
          }
          case '/save-form':
            sessions.flash(name, 'form', { email: 'ada@example.test' });
            ctx.status = 204;
            return;
          case '/show-form': {
            const form = sessions.flashed(name, 'form');
            ctx.body = { form, frozen: Object.isFrozen(form) };
            return;
          }
          case '/login':
            sessions.set(name, { userId: 'ada' });
            ctx.status = 204;
            return;
          case '/logout':
            sessions.clear(name);
            sessions.flash(name, 'notice', 'Signed out');
            ctx.redirect('/show');
            return;
          case '/misuse':
            if (ctx.query.what === 'key') sessions.flash(name, 'nope' as 'notice', 'x');
            if (ctx.query.what === 'type') sessions.flash(name, 'form', { email: 1 } as never);
            if (ctx.query.what === 'undeclared') (sessions as unknown as Sessions<object, never, { plain: AccountFlash }>).flash('plain', 'notice', 'x');
            ctx.status = 204;
            return;
        }
      } catch (error) {
        const { name: errorName, message } = error as Error;
        ctx.status = 422;
        ctx.body = { name: errorName, message };
        return;
      }
      return next();
    },
  });
});
afterAll(() => server.close());

async function request(path: string, cookies = ''): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: path.startsWith('/show') ? 'GET' : 'POST', redirect: 'manual', headers: cookies === '' ? {} : { cookie: cookies } });
}

/** The cookie `name` a response sets as `name=value`; `undefined` when it expires it or sets none. */
function cookieIn(response: Response, name: string): string | undefined {
  const line = response.headers.getSetCookie().find((candidate) => candidate.startsWith(`${name}=`));
  if (line === undefined || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) return undefined;
  return `${name}=${cookieValue(response, name)}`;
}

function expiresCookie(response: Response, name: string): boolean {
  return response.headers.getSetCookie().some((line) => line.startsWith(`${name}=;`) || (line.startsWith(`${name}=`) && /expires=thu, 01 jan 1970/i.test(line)));
}

/** The unsealed envelope in a `raw` cookie. */
function envelopeOf(rawCookie: string): string {
  return Buffer.from(rawCookie.slice('raw='.length), 'base64url').toString('utf8');
}

const forgeRaw = (envelope: string): string => `raw=${Buffer.from(envelope, 'utf8').toString('base64url')}`;

describe('flash values on a chunked session', () => {
  it('a notice too long for one cookie spreads the session over chunks, shows once, and the response that takes it expires the chunks', async () => {
    const notice = 'n'.repeat(4500);
    const saved = await request(`/save?s=big&notice=${notice}`);
    const chunks = saved.headers.getSetCookie().filter((line) => /^big\.\d=[^;]/.test(line)).map((line) => line.slice(0, line.indexOf(';')));
    expect(chunks.map((pair) => pair.slice(0, pair.indexOf('=')))).toEqual(['big.0', 'big.1']);
    const shown = await request('/show?s=big', chunks.join('; '));
    expect(await shown.json()).toEqual({ notice, again: notice, user: null });
    // The session held the flash alone: taking it clears the session, both chunks expired.
    expect(expiresCookie(shown, 'big.0')).toBe(true);
    expect(expiresCookie(shown, 'big.1')).toBe(true);
  });
});

describe.each(['account', 'visit'] as const)('flash values, session %s', (name) => {
  const cookieName = COOKIE_OF[name];

  it('a flash set before a redirect shows once: the next request reads it (twice, the same), and its response clears the flash-only session', async () => {
    const saved = await request(`/save?s=${name}`);
    expect(saved.status).toBe(302);
    const flashed = cookieIn(saved, cookieName)!;
    expect(flashed).toBeDefined();

    const shown = await request(`/show?s=${name}`, flashed);
    expect(await shown.json()).toEqual({ notice: 'Saved', again: 'Saved', user: null });
    expect(expiresCookie(shown, cookieName)).toBe(true);
    expect(shown.headers.get('cache-control')).toBe('no-store');

    const reloaded = await request(`/show?s=${name}`);
    expect(await reloaded.json()).toEqual({ notice: null, again: null, user: null });
    // By id the entry is gone too: a replayed copy of the cookie shows nothing (by value a copy replays, security.md #23).
    if (name === 'visit') expect(await (await request(`/show?s=${name}`, flashed)).json()).toEqual({ notice: null, again: null, user: null });
  });

  it('a flash on a signed-in session leaves the payload as it was once read', async () => {
    const login = cookieIn(await request(`/login?s=${name}`), cookieName)!;
    const saved = await request(`/save?s=${name}&notice=Profile%20saved`, login);
    // By id the id stays: the entry is rewritten under it, and the cookie the client holds is not sent again.
    if (name === 'visit') expect(saved.headers.getSetCookie()).toEqual([]);
    const flashed = cookieIn(saved, cookieName) ?? login;

    const shown = await request(`/show?s=${name}`, flashed);
    expect(await shown.json()).toEqual({ notice: 'Profile saved', again: 'Profile saved', user: { userId: 'ada' } });
    const after = cookieIn(shown, cookieName) ?? flashed;
    expect(await (await request(`/show?s=${name}`, after)).json()).toEqual({ notice: null, again: null, user: { userId: 'ada' } });
  });

  it('clear then flash in one request (logout, then "Signed out"): the user is gone, the notice shows once', async () => {
    const login = cookieIn(await request(`/login?s=${name}`), cookieName)!;
    const loggedOut = await request(`/logout?s=${name}`, login);
    const flashOnly = cookieIn(loggedOut, cookieName)!;
    expect(flashOnly).not.toBe(login);

    const shown = await request(`/show?s=${name}`, flashOnly);
    expect(await shown.json()).toEqual({ notice: 'Signed out', again: 'Signed out', user: null });
    // By id the signed-in entry was deleted at logout: its old id opens nothing.
    if (name === 'visit') expect(await (await request(`/show?s=${name}`, login)).json()).toEqual({ notice: null, again: null, user: null });
  });

  it('lifecycle events: a logout with a notice is destroyed, the notice alone is no session, a login over it is created', async () => {
    const login = cookieIn(await request(`/login?s=${name}`), cookieName)!;
    server.lifecycle.length = 0;
    const flashOnly = cookieIn(await request(`/logout?s=${name}`, login), cookieName)!;
    expect(server.lifecycle).toEqual([{ type: 'destroyed', session: name }]);
    server.lifecycle.length = 0;
    await request(`/show?s=${name}`, flashOnly);
    await request(`/login?s=${name}`, flashOnly);
    expect(server.lifecycle).toEqual([{ type: 'created', session: name }]);
  });

  it('a redirect loop that sets the flash on every request and never reads it replaces the value: the session does not grow', async () => {
    let current = '';
    const lengths = new Set<number>();
    for (let round = 0; round < 20; round += 1) {
      const response = await request(`/save?s=${name}&notice=n${round % 10}`, current);
      current = cookieIn(response, cookieName) ?? current;
      lengths.add(current.length);
    }
    expect(lengths.size).toBe(1);
    expect(await (await request(`/show?s=${name}`, current)).json()).toEqual({ notice: 'n9', again: 'n9', user: null });
  });

  it('an undeclared key, a value of the wrong type, and a session without flash: are refused at flash time, nothing sent', async () => {
    const cases = [
      ['key', 'SessionUsageError', `session "${name}" declares no flash value "nope"; sessions.yaml declares notice, form`],
      ['type', 'SessionValidationError', `session "${name}": flash "form" /email must be string`],
      ['undeclared', 'SessionUsageError', 'session "plain" declares no flash values; declare them under flash: in sessions.yaml'],
    ] as const;
    for (const [what, errorName, message] of cases) {
      const response = await request(`/misuse?s=${name}&what=${what}`);
      expect(response.status).toBe(422);
      expect(await response.json()).toEqual({ name: errorName, message });
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it('a flash value read back is read-only like a payload: frozen outside production', async () => {
    const saved = cookieIn(await request(`/save-form?s=${name}`), cookieName)!;
    expect(await (await request(`/show-form?s=${name}`, saved)).json()).toEqual({ form: { email: 'ada@example.test' }, frozen: true });
  });

  it('a flash too large for the token or the storage is a SessionTooLargeError at flash time', async () => {
    const notice = 'x'.repeat(name === 'visit' ? 4000 : 4500);
    const response = await request(`/save?s=${name}&notice=${notice}`);
    if (name === 'account') {
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ name: 'SessionTooLargeError' });
    } else {
      // By id only the storage's limit applies, far above a cookie's.
      expect(response.status).toBe(302);
    }
  });
});

describe('the envelope', () => {
  it('without flash values is written as before they existed; with them it carries their JSON, with or without a payload', async () => {
    const login = cookieIn(await request('/login?s=raw'), 'raw')!;
    expect(envelopeOf(login)).toMatch(/^\d+\.\d+\.\{"userId":"ada"\}$/);
    const flashed = cookieIn(await request('/save?s=raw&notice=Saved', login), 'raw')!;
    expect(envelopeOf(flashed)).toMatch(/^\d+\.\d+~18\.\{"notice":"Saved"\}\.\{"userId":"ada"\}$/);
    const flashOnly = cookieIn(await request('/logout?s=raw', login), 'raw')!;
    expect(envelopeOf(flashOnly)).toMatch(/^\d+\.\d+~23\.\{"notice":"Signed out"\}$/);
  });

  it('an envelope sealed before flash values existed still opens', async () => {
    const now = server.clock.now / 1000;
    const shown = await request('/show?s=raw', forgeRaw(`${now}.${now}.{"userId":"ada"}`));
    expect(await shown.json()).toEqual({ notice: null, again: null, user: { userId: 'ada' } });
  });

  it('flash values the spec no longer admits are dropped with a flash_dropped event; the payload stays', async () => {
    const now = server.clock.now / 1000;
    for (const flashJson of ['{"notice":5}', '{"gone":"x"}', '[1]', '{"notice":']) {
      server.events.length = 0;
      const shown = await request('/show?s=raw', forgeRaw(`${now}.${now}~${flashJson.length}.${flashJson}.{"userId":"ada"}`));
      expect(await shown.json(), flashJson).toEqual({ notice: null, again: null, user: { userId: 'ada' } });
      expect(server.events).toEqual([{ type: 'flash_dropped', session: 'raw' }]);
    }
  });

  it('a flash length that is not canonical or runs past the end is a malformed envelope', async () => {
    const now = server.clock.now / 1000;
    for (const envelope of [`${now}.${now}~018.{"notice":"Saved"}`, `${now}.${now}~99.{"notice":"Saved"}`, `${now}.${now}~17.{"notice":"Saved"}`, `${now}.${now}~.{}`]) {
      server.events.length = 0;
      const shown = await request('/show?s=raw', forgeRaw(envelope));
      expect(await shown.json(), envelope).toEqual({ notice: null, again: null, user: null });
      expect(server.events, envelope).toEqual([{ type: 'rejected', session: 'raw', reason: 'malformed', source: 'token' }]);
    }
  });
});
