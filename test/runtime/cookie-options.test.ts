/**
 * Browser-session and persistent cookies (security.md #8) and the options a write gives a cookie session
 * (#68), over HTTP against a real Koa server with the fake clock: `set(name, value, { persistent, maxAge })`
 * as React Router's `commitSession(session, { maxAge })` and express-session's `cookie.maxAge` are used for
 * "remember me". The choice travels sealed with the session, so refreshes and later writes keep it.
 */
import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import { SessionConfigError, generateKey, type CookieOptions, type Sessions } from 'typed-sessions';
import { createSessionsMiddleware } from 'typed-sessions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionData } from '../support/compiled-validator.js';
import { HOUR, spec as fixtureSpec, specOf } from './fixtures.js';
import { cookieValue, putJson, startServer, type TestServer } from './server.js';

const DAY = 24 * HOUR;
const user = { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'], additionalProperties: false };
const cookie = { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false } as const;
const encrypted = [{ kind: 'encrypt', keys: 'main' }] as const;

/**
 * | session | wire            | tracker      | cookie.persistent | expiry                     |
 * |---------|-----------------|--------------|-------------------|----------------------------|
 * | member  | cookie `member` | by value     | false (the default) | 7d, idle 1h              |
 * | keep    | cookie `keep`   | by value     | true              | 1d, rolling                |
 * | visit   | cookie `vid`    | by id in mem | false             | 1h, idle 10m               |
 * | api     | header X-Api    | by id in mem | -                 | 1h                         |
 * | ktor    | cookie `ktor`   | by value, Ktor's format | true   | 1h                         |
 */
const definitions: DefinitionData[] = [
  { name: 'member', transport: { kind: 'cookie', name: 'member', cookie: { ...cookie, persistent: false } }, transforms: encrypted, expiry: { maxAge: 7 * DAY, idle: HOUR, rolling: false }, schema: user },
  { name: 'keep', transport: { kind: 'cookie', name: 'keep', cookie: { ...cookie, persistent: true } }, transforms: encrypted, expiry: { maxAge: DAY, rolling: true }, schema: user },
  { name: 'visit', transport: { kind: 'cookie', name: 'vid', cookie: { ...cookie, persistent: false } }, storage: 'mem', transforms: [], expiry: { maxAge: HOUR, idle: 600, rolling: false }, schema: user },
  { name: 'api', transport: { kind: 'header', name: 'X-Api' }, storage: 'mem', transforms: [], expiry: { maxAge: HOUR, rolling: false }, schema: user },
  {
    name: 'ktor',
    transport: { kind: 'cookie', name: 'ktor', cookie: { ...cookie, persistent: true } },
    ktor: { serializer: 'json' },
    transforms: [{ kind: 'ktor-sign', keys: 'raw', algorithm: 'sha256' }],
    expiry: { maxAge: HOUR, rolling: false },
    schema: user,
  },
];

type AnySessions = Sessions<Record<string, unknown>, string, Record<string, Record<string, unknown>>, string>;

/** `PUT /o/:name { value, options }`: set with options (204), or 422 with the error's name, code and message. `GET /relogin/:name`: clear, then set without options. */
async function optionRoutes(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  const sessions = ctx.sessions as unknown as AnySessions;
  const match = /^\/(o|relogin)\/([a-z]+)$/.exec(ctx.path);
  if (match === null) return next();
  const [, route, name] = match as unknown as [string, string, string];
  if (route === 'relogin') {
    sessions.clear(name);
    sessions.set(name, { userId: 'again' });
    ctx.status = 204;
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  const { value, options } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { value: unknown; options: CookieOptions };
  try {
    sessions.set(name, value, options);
    ctx.status = 204;
  } catch (error) {
    const { name: errorName, code, message } = error as { name: string; code: string; message: string };
    ctx.status = 422;
    ctx.body = { name: errorName, code, message };
  }
}

/** `definitions` as a spec, with the hex ring the Ktor-format session signs with. */
const specFor = (of: DefinitionData[]) => ({ ...specOf(of), keys: { ...fixtureSpec.keys, raw: { env: 'RAW_KEY', encoding: 'hex' as const } } });

let server: TestServer;
beforeAll(async () => {
  const spec = specFor(definitions);
  server = await startServer({ spec, routes: optionRoutes, install: { keys: { main: generateKey(), raw: randomBytes(32).toString('hex') } } });
});
afterAll(() => server.close());

const setWith = (name: string, value: unknown, options: CookieOptions, headers: Record<string, string> = {}) => putJson(`${server.url}/o/${name}`, { value, options }, headers);
const read = (name: string, cookie: string) => fetch(`${server.url}/s/${name}`, { headers: { cookie } });
/** The one Set-Cookie line of `response`. */
const setCookieLine = (response: Response): string => {
  const lines = response.headers.getSetCookie();
  expect(lines).toHaveLength(1);
  return lines[0]!;
};
const pair = (response: Response, name: string) => `${name}=${cookieValue(response, name)}`;

describe('#8 browser-session cookies', () => {
  it('#8 cookie.persistent: false (the default) sends neither Max-Age nor Expires, and the server still ends the session when it idles', async () => {
    const response = await putJson(`${server.url}/s/member`, { userId: 'ada' });
    expect(setCookieLine(response)).toMatch(/^member=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const session = pair(response, 'member');
    expect(await (await read('member', session)).json()).toEqual({ value: { userId: 'ada' } });

    server.events.length = 0;
    server.clock.advance(HOUR);
    expect(await (await read('member', session)).json()).toEqual({ value: null });
    expect(server.events).toEqual([{ type: 'rejected', session: 'member', reason: 'expired', source: 'token' }]);
    expect(server.lifecycle.at(-1)).toEqual({ type: 'expired', session: 'member' });
  });

  it('#8 cookie.persistent: true sends Max-Age, the remaining lifetime, and Expires', async () => {
    const line = setCookieLine(await putJson(`${server.url}/s/keep`, { userId: 'ada' }));
    expect(line).toContain(`; Max-Age=${DAY}; Expires=${new Date(server.clock.now + DAY * 1000).toUTCString()}`);
  });
});

describe('#8 persistence at startup', () => {
  it("#8 a by-value session in Ktor's format with persistent: false is refused, as validate refuses it: its cookie's Max-Age is all that ends it", () => {
    const ktor = definitions.find(({ name }) => name === 'ktor')!;
    const browserSession = { ...ktor, transport: { kind: 'cookie', name: 'ktor', cookie: { ...cookie, persistent: false } } } as const;
    const install = () => createSessionsMiddleware(specFor([browserSession]), { keys: { main: generateKey(), raw: randomBytes(32).toString('hex') }, env: {}, logger: { warn() {} } });
    expect(install).toThrow(SessionConfigError);
    expect(install).toThrow(
      "session \"ktor\": cookie.persistent: false would leave the session without any expiry: Ktor's wire format has no timestamps, so by value only the cookie's Max-Age ends it; remove persistent: false, or track the session by id (storage:), where the storage's TTL ends it; fix it in sessions.yaml",
    );
  });
});

describe('#68 cookie options on set', () => {
  it('#68 { persistent: true } makes a browser-session cookie persistent ("remember me"), and the idle refresh and a later set without options keep it', async () => {
    const login = await setWith('member', { userId: 'ada' }, { persistent: true });
    expect(setCookieLine(login)).toContain(`; Max-Age=${7 * DAY}; Expires=`);

    // A tenth of the idle window later the read re-seals the session: still persistent, counting down.
    server.clock.advance(HOUR / 10);
    const refreshed = await read('member', pair(login, 'member'));
    expect(setCookieLine(refreshed)).toContain(`; Max-Age=${7 * DAY - HOUR / 10}; Expires=`);

    const updated = await putJson(`${server.url}/s/member`, { userId: 'ada2' }, { cookie: pair(refreshed, 'member') });
    expect(setCookieLine(updated)).toContain(`; Max-Age=${7 * DAY - HOUR / 10}; Expires=`);

    // Options replace the earlier ones: none given is the spec's browser-session cookie again.
    const reset = await setWith('member', { userId: 'ada3' }, {}, { cookie: pair(updated, 'member') });
    expect(setCookieLine(reset)).not.toContain('Max-Age');
    expect(setCookieLine(reset)).not.toContain('Expires');
  });

  it('#68 { persistent: false } on a persistent, rolling session: every rolling refresh stays a browser-session cookie', async () => {
    const login = await setWith('keep', { userId: 'ada' }, { persistent: false });
    expect(setCookieLine(login)).toMatch(/^keep=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    let session = pair(login, 'keep');
    for (let request = 0; request < 3; request += 1) {
      server.clock.advance(60);
      const refreshed = await read('keep', session);
      expect(await refreshed.json()).toEqual({ value: { userId: 'ada' } });
      expect(setCookieLine(refreshed)).toMatch(/^keep=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax$/);
      session = pair(refreshed, 'keep');
    }
  });

  it('#68 { maxAge } ends the session that much later, on the server as in the cookie, however the cookie is kept', async () => {
    const login = await setWith('member', { userId: 'ada' }, { persistent: true, maxAge: 600 });
    expect(setCookieLine(login)).toContain('; Max-Age=600; Expires=');

    server.clock.advance(400);
    const refreshed = await read('member', pair(login, 'member'));
    expect(await refreshed.json()).toEqual({ value: { userId: 'ada' } });
    expect(setCookieLine(refreshed)).toContain('; Max-Age=200; Expires=');

    // The client keeps the cookie past its Max-Age: the sealed end refuses it, 7 days and the idle hour notwithstanding.
    server.events.length = 0;
    server.clock.advance(200);
    expect(await (await read('member', pair(refreshed, 'member'))).json()).toEqual({ value: null });
    expect(server.events).toEqual([{ type: 'rejected', session: 'member', reason: 'expired', source: 'token' }]);
    expect(server.lifecycle.at(-1)).toEqual({ type: 'expired', session: 'member' });
  });

  it('#68 { maxAge } on a browser-session cookie: no Max-Age goes out, and the server ends the session at maxAge', async () => {
    const login = await setWith('member', { userId: 'ada' }, { maxAge: 300 });
    expect(setCookieLine(login)).not.toContain('Max-Age');
    server.clock.advance(299);
    expect(await (await read('member', pair(login, 'member'))).json()).toEqual({ value: { userId: 'ada' } });
    server.clock.advance(1);
    expect(await (await read('member', pair(login, 'member'))).json()).toEqual({ value: null });
  });

  it('#68 by id: the entry is stored for the shorter life and deleted by the storage at its end; regenerate keeps the options', async () => {
    const mark = server.storage.calls.length;
    const login = await setWith('visit', { userId: 'ada' }, { persistent: true, maxAge: 300 });
    expect(setCookieLine(login)).toContain('; Max-Age=300; Expires=');
    const [write] = server.storage.calls.slice(mark).filter(([operation]) => operation === 'write');
    // The idle window is 600 s: the shorter life bounds the TTL and the deadline no slide may pass.
    expect(write).toMatchObject(['write', expect.any(String), expect.stringMatching(/^p\d+\./), 300, { ifAbsent: true, maxSeconds: 300 }]);

    server.clock.advance(100);
    const regenerated = await fetch(`${server.url}/s/visit/regenerate`, { method: 'POST', headers: { cookie: pair(login, 'vid') } });
    expect(regenerated.status).toBe(204);
    expect(setCookieLine(regenerated)).toContain('; Max-Age=200; Expires=');

    server.clock.advance(200);
    expect(await (await read('visit', pair(regenerated, 'vid'))).json()).toEqual({ value: null });
  });

  it('#68 clear then set in one request (a new login) starts with what sessions.yaml says', async () => {
    const login = await setWith('member', { userId: 'ada' }, { persistent: true });
    const relogin = await fetch(`${server.url}/relogin/member`, { headers: { cookie: pair(login, 'member') } });
    expect(setCookieLine(relogin)).not.toContain('Max-Age');
  });

  it.each<[string, string, unknown]>([
    ['a maxAge over expiry.maxAge', 'member', { maxAge: 8 * DAY }],
    ['a maxAge of 0', 'member', { maxAge: 0 }],
    ['a fractional maxAge', 'member', { maxAge: 1.5 }],
    ['a maxAge as a string', 'member', { maxAge: '600' }],
    ['persistent as a string', 'member', { persistent: 'yes' }],
    ['a misspelt option', 'member', { maxage: 600 }],
    ['options on a header session', 'api', { persistent: true }],
    ["options on a session in Ktor's format", 'ktor', { persistent: true }],
  ])('#68 %s is a SessionUsageError at set(), and nothing is written', async (_, name, options) => {
    const response = await setWith(name, { userId: 'ada' }, options as CookieOptions);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ name: 'SessionUsageError', code: 'SESSION_USAGE' });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('X-Api')).toBeNull();
  });

  it('#68 the messages say what to change', async () => {
    const messages = await Promise.all(
      [
        ['member', { maxAge: 8 * DAY }],
        ['member', { maxage: 600 }],
        ['api', { persistent: true }],
        ['ktor', {}],
      ].map(async ([name, options]) => ((await (await setWith(name as string, { userId: 'ada' }, options as CookieOptions)).json()) as { message: string }).message),
    );
    expect(messages).toEqual([
      `session "member": set() option maxAge (8d) is over the session's expiry.maxAge (1w): a write may shorten a session's life, never extend it; pass at most ${7 * DAY}, or raise expiry.maxAge in sessions.yaml`,
      'session "member": set() has no cookie option "maxage"; the options are persistent and maxAge',
      'session "api" travels in the X-Api header; set() takes cookie options only for cookie sessions',
      'session "ktor" is in Ktor\'s wire format, which has no room to keep cookie options; set() it without them',
    ]);
  });
});
