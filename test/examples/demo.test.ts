/** The demo app (examples/) over real HTTP: log in and out, the devices page, the cart by header, its user session's migration from version 1, and how it starts. */
import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import Koa from 'koa';
import { generateKey, type SessionEvent, type Sessions } from 'typed-sessions';
import { GENERATED_FORMAT, SessionProvider, createSessionsMiddleware, type SessionDefinition } from 'typed-sessions/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/app.js';
import { UserSessionProvider, type User } from '../../generated/index.js';

const repo = resolve(import.meta.dirname, '../..');
const tsx = resolve(repo, 'node_modules/.bin/tsx');
let server: Server;
let base: string;

/** The Ktor service's HMAC-SHA256 key, raw bytes as hex (the sign key of Ktor's own session tests). */
const KTOR_SIGN_KEY = '02030405060708090a0b0c';

const keys = { main: generateKey(), ktor_sign: KTOR_SIGN_KEY };
const events: SessionEvent[] = [];

beforeAll(async () => {
  server = createApp({ keys, logger: { warn() {} }, onEvent: (event) => events.push(event) }).listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));

function cookieOf(response: Response): string {
  const header = response.headers.get('set-cookie');
  if (!header) throw new Error('no Set-Cookie');
  return header.split(';')[0]!;
}

/** The cookies a browser sends after this response: every one it set, less those it expired. */
function cookiesOf(response: Response): string {
  const live = response.headers.getSetCookie().filter((line) => !/; Max-Age=0(;|$)/.test(line));
  return live.map((line) => line.split(';')[0]).join('; ');
}

const setCookieNames = (response: Response) => response.headers.getSetCookie().map((line) => line.split('=')[0]);

/** A login's device session alone: DEVICE_SESSION=... */
async function deviceCookie(name: string): Promise<string> {
  const login = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ name }), redirect: 'manual' });
  return cookiesOf(login).split('; ').find((cookie) => cookie.startsWith('DEVICE_SESSION='))!;
}

describe('demo: user session in an encrypted cookie', () => {
  it('logs in through the form, reads the session, logs out', async () => {
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Ada' }),
      redirect: 'manual',
    });
    expect(login.status).toBe(302);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^USER_SESSION=[A-Za-z0-9_-]+; /);
    expect(setCookie).toContain('HttpOnly');
    // Encrypted: the name is not in the token's bytes. (Its base64url text may hold "Ada" by chance.)
    const token = /^USER_SESSION=([^;]+)/.exec(setCookie)![1]!;
    expect(Buffer.from(token, 'base64url').includes('Ada')).toBe(false);
    const cookie = cookiesOf(login);

    const me = await fetch(`${base}/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ userId: 'ada', displayName: 'Ada', roles: ['member'] });
    expect(await (await fetch(`${base}/`, { headers: { cookie } })).text()).toContain('Signed in as <b>Ada</b>');

    // Logout clears the user and leaves a "Signed out." notice: a session that holds only it, shown once.
    const logout = await fetch(`${base}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    const signedOut = cookieOf(logout);
    expect(signedOut).not.toBe(cookie);
    expect((await fetch(`${base}/me`, { headers: { cookie: signedOut } })).status).toBe(401);
    const page = await fetch(`${base}/`, { headers: { cookie: signedOut } });
    expect(await page.text()).toContain('<p id="notice">Signed out.</p>');
    expect(page.headers.get('set-cookie')).toMatch(/^USER_SESSION=; .*Max-Age=0/);
    expect((await fetch(`${base}/me`)).status).toBe(401);
  });

  it('#8 #68 a login is a browser-session cookie unless "Remember me" is ticked, which makes it persistent for the 7 days', async () => {
    const login = (form: Record<string, string>) => fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
    const plain = (await login({ name: 'Ada' })).headers.get('set-cookie')!;
    expect(plain).not.toContain('Max-Age');
    expect(plain).not.toContain('Expires');
    expect((await login({ name: 'Ada', remember: 'on' })).headers.get('set-cookie')).toContain('; Max-Age=604800; Expires=');
  });

  it('treats a tampered cookie as no session and expires it, never a 500', async () => {
    const login = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ name: 'Eve' }), redirect: 'manual' });
    const [name, value] = cookieOf(login).split('=') as [string, string];
    const flipped = value.slice(0, 10) + (value[10] === 'A' ? 'B' : 'A') + value.slice(11);
    const me = await fetch(`${base}/me`, { headers: { cookie: `${name}=${flipped}` } });
    expect(me.status).toBe(401);
    expect(me.headers.get('set-cookie')).toMatch(/^USER_SESSION=; .*Max-Age=0/);
  });
});

describe('demo: your devices (index: userId)', () => {
  /** Signs in as `name` with a User-Agent of `agent`: the cookies that browser then sends. */
  async function signIn(name: string, agent: string): Promise<string> {
    const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'user-agent': agent }, body: new URLSearchParams({ name }), redirect: 'manual' });
    return cookiesOf(login);
  }
  const meStatus = async (cookie: string) => (await fetch(`${base}/me`, { headers: { cookie } })).status;
  const devicesPage = async (cookie: string) => (await fetch(`${base}/devices`, { headers: { cookie } })).text();
  /** The handle in each "Sign out" form of the page: one per other device. */
  const handlesOn = (page: string) => [...page.matchAll(/name="handle" value="([^"]+)"/g)].map((match) => match[1]!);
  const post = (path: string, cookie: string, form: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { cookie }, body: new URLSearchParams(form), redirect: 'manual' });
  /** `cookie` as the browser holds it after `response`: each cookie the response set replaced (its flash notice, say). */
  const after = (cookie: string, response: Response) => {
    const set = new Map(cookiesOf(response).split('; ').map((pair) => [pair.split('=')[0], pair]));
    return cookie.split('; ').map((pair) => set.get(pair.split('=')[0]) ?? pair).join('; ');
  };

  it('lists both devices of a user, escaped, this one marked, the other with a sign-out form', async () => {
    const laptop = await signIn('Devon', 'Laptop <b>');
    await signIn('Devon', 'Phone');
    const page = await devicesPage(laptop);
    expect(page.match(/<li class="device">/g)).toHaveLength(2);
    expect(page).toContain('<span class="agent">Laptop &#60;b&#62;</span>');
    expect(page).toMatch(/<span class="agent">Laptop &#60;b&#62;<\/span>\s+last used <time[^>]*>[^<]+<\/time> <b class="current">this device<\/b>/);
    expect(page).toContain('<span class="agent">Phone</span>');
    expect(handlesOn(page)).toHaveLength(1);
    expect(page).toContain('id="revoke-others"');
    expect(await (await fetch(`${base}/`, { headers: { cookie: laptop } })).text()).toContain('href="/devices"');
  });

  it('revoking a device signs that browser out on its next request, and only it', async () => {
    const laptop = await signIn('Rhea', 'Laptop');
    const phone = await signIn('Rhea', 'Phone');
    const [phoneHandle] = handlesOn(await devicesPage(laptop));
    const revoke = await post('/devices/revoke', laptop, { handle: phoneHandle! });
    const noticed = after(laptop, revoke);
    expect(revoke.status).toBe(302);
    expect(revoke.headers.get('location')).toBe('/devices');

    const signedOut = await fetch(`${base}/`, { headers: { cookie: phone } });
    expect(await signedOut.text()).toContain('Not signed in.');
    expect(signedOut.headers.getSetCookie()).toEqual([expect.stringMatching(/^USER_SESSION=; .*Max-Age=0/), expect.stringMatching(/^DEVICE_SESSION=; .*Max-Age=0/)]);
    expect(await meStatus(laptop)).toBe(200);
    const page = await devicesPage(noticed);
    expect(page).toContain('<p id="notice">Signed out that device.</p>');
    expect(page.match(/<li class="device">/g)).toHaveLength(1);
  });

  it('"sign out other devices" ends every other one and keeps this one', async () => {
    const [first, second, third] = [await signIn('Otto', 'A'), await signIn('Otto', 'B'), await signIn('Otto', 'C')];
    const stranger = await signIn('Ursula', 'D');
    expect(await devicesPage(after(first, await post('/devices/revoke-others', first)))).toContain('<p id="notice">Signed out 2 other devices.</p>');
    expect([await meStatus(first), await meStatus(second), await meStatus(third)]).toEqual([200, 401, 401]);
    expect(await meStatus(stranger)).toBe(200);
  });

  it("a handle of another user's device revokes nothing", async () => {
    const mallory = await signIn('Mallory', 'A');
    await signIn('Mallory', 'B');
    const victim = await signIn('Victor', 'V1');
    await signIn('Victor', 'V2');
    const [victimOther] = handlesOn(await devicesPage(victim));
    expect(await devicesPage(after(mallory, await post('/devices/revoke', mallory, { handle: victimOther! })))).toContain('<p id="notice">No such device of yours.</p>');
    expect(handlesOn(await devicesPage(victim))).toEqual([victimOther]);
    expect(await meStatus(victim)).toBe(200);
  });

  it("a user cookie alone is signed out: beside another user's device session, or a user_session the Ktor service never signed", async () => {
    const ada = (await signIn('Ada', 'A')).split('; ').find((cookie) => cookie.startsWith('USER_SESSION='))!;
    expect(await meStatus(`${ada}; ${await deviceCookie('Bob')}`)).toBe(401);
    const forged = await fetch(`${base}/`, { headers: { cookie: `${ada}; user_session=${encodeURIComponent('{"userId":"ada"}/00')}` } });
    expect(await forged.text()).toContain('Not signed in.');
    expect(setCookieNames(forged)).not.toContain('DEVICE_SESSION');
  });

  it('signing in again on the same browser replaces its device session under a new id: still one device', async () => {
    const first = await signIn('Sam', 'Laptop');
    const again = await fetch(`${base}/login`, { method: 'POST', headers: { cookie: first, 'user-agent': 'Laptop' }, body: new URLSearchParams({ name: 'Sam' }), redirect: 'manual' });
    const second = after(first, again);
    const device = (cookie: string) => cookie.split('; ').find((pair) => pair.startsWith('DEVICE_SESSION='));
    expect(device(second)).not.toBe(device(first));
    expect((await devicesPage(second)).match(/<li class="device">/g)).toHaveLength(1);
    expect(await meStatus(first)).toBe(401);
  });

  it('not signed in, the page redirects home and its forms refuse', async () => {
    const page = await fetch(`${base}/devices`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/');
    expect((await post('/devices/revoke-others', '')).status).toBe(401);
    expect((await post('/devices/revoke', '', { handle: 'x' })).status).toBe(401);
  });
});

/**
 * The user_session cookie a Ktor 3.x service writes for `User(userId, name)` with
 * SessionTransportTransformerMessageAuthentication: made here with node's crypto alone, as Ktor does it
 * (`value/lowerhex(HMAC-SHA256(key, value))`, URI-encoded).
 */
function ktorIssuedCookie(json: string): string {
  const mac = createHmac('sha256', Buffer.from(KTOR_SIGN_KEY, 'hex')).update(json, 'utf8').digest('hex');
  return `user_session=${encodeURIComponent(`${json}/${mac}`)}`;
}

describe('demo: moving users off a Ktor service', () => {
  it('reads a Ktor-issued cookie, re-issues it as USER_SESSION and expires it, in the same response', async () => {
    const me = await fetch(`${base}/me`, { headers: { cookie: ktorIssuedCookie('{"userId":"grace","name":"Grace"}') } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ userId: 'grace', displayName: 'Grace' });
    const lines = me.headers.getSetCookie();
    expect(lines.find((line) => line.startsWith('user_session='))).toMatch(/^user_session=; .*Max-Age=0/);
    const native = lines.find((line) => line.startsWith('USER_SESSION='))!;
    expect(native).toMatch(/^USER_SESSION=[A-Za-z0-9_-]+; /);
    // Signed in by the Ktor service, the user never had a device session: the migration starts one.
    expect(lines.find((line) => line.startsWith('DEVICE_SESSION='))).toMatch(/^DEVICE_SESSION=[A-Za-z0-9_-]+; /);

    const again = await fetch(`${base}/me`, { headers: { cookie: cookiesOf(me) } });
    expect(await again.json()).toEqual({ userId: 'grace', displayName: 'Grace' });
  });

  it('a Ktor cookie beside a USER_SESSION that holds only a flash notice still migrates, keeping the notice', async () => {
    const loggedOut = await fetch(`${base}/logout`, { method: 'POST', redirect: 'manual' });
    const cookie = `${cookieOf(loggedOut)}; ${ktorIssuedCookie('{"userId":"grace","name":"Grace"}')}`;
    const page = await fetch(`${base}/`, { headers: { cookie } });
    const text = await page.text();
    expect(text).toContain('Signed in as <b>Grace</b>');
    expect(text).toContain('<p id="notice">Signed out.</p>');
    expect(setCookieNames(page)).toEqual(['USER_SESSION', 'user_session', 'DEVICE_SESSION']);
  });

  it('POST /ktor/login issues user_session in Ktor format, which the next request migrates', async () => {
    const login = await fetch(`${base}/ktor/login`, { method: 'POST', body: new URLSearchParams({ name: 'Ada' }), redirect: 'manual' });
    const cookie = cookieOf(login);
    expect(cookie).toBe(ktorIssuedCookie('{"userId":"ada","name":"Ada","roles":["member"]}'));
    const me = await fetch(`${base}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ userId: 'ada', displayName: 'Ada', roles: ['member'] });
    expect(setCookieNames(me)).toEqual(['USER_SESSION', 'user_session', 'DEVICE_SESSION']);
  });

  it('a Ktor cookie whose payload was changed is refused and expired, never migrated', async () => {
    const genuine = decodeURIComponent(ktorIssuedCookie('{"userId":"grace","name":"Grace"}').slice('user_session='.length));
    const forged = `user_session=${encodeURIComponent(genuine.replace('grace', 'admin'))}`;
    const me = await fetch(`${base}/me`, { headers: { cookie: forged } });
    expect(me.status).toBe(401);
    expect(me.headers.getSetCookie()).toEqual([expect.stringMatching(/^user_session=; .*Max-Age=0/)]);
  });
});

/**
 * The demo before its user session's version 2: the generated definition with version 1's schema as the
 * current one, under the demo's key, so its cookies are the ones browsers still hold after the deploy.
 */
async function versionOneCookie(user: User): Promise<string> {
  const { version: _version, history, migrateFrom: _migrateFrom, ...definition } = UserSessionProvider.definition;
  const { schema, validate } = history![0]!;
  class UserV1SessionProvider extends SessionProvider<User> {
    static readonly definition: SessionDefinition<User> = { ...definition, schema, validate };
  }
  const app = new Koa();
  app.use(createSessionsMiddleware({ format: GENERATED_FORMAT, keys: { main: { env: 'SESSION_KEYS' } }, storages: {}, providers: [UserV1SessionProvider] }, { keys: { main: keys.main } }));
  app.use((ctx) => {
    (ctx.sessions as unknown as Sessions<{ user: User }>).set('user', user);
    ctx.status = 204;
  });
  const v1 = app.listen(0, '127.0.0.1');
  await new Promise((done) => v1.once('listening', done));
  try {
    return cookieOf(await fetch(`http://127.0.0.1:${(v1.address() as AddressInfo).port}/`));
  } finally {
    await new Promise((done) => v1.close(done));
  }
}

describe("demo: the user session's version 2 (docs/schema-evolution.md)", () => {
  it('#33 a cookie written under version 1 reads migrated, and the same response re-seals it under version 2', async () => {
    const v1 = await versionOneCookie({ userId: 'ada', name: 'Ada', roles: ['member'] });
    // A user cookie counts only beside its user's live device session, whatever its version.
    const device = await deviceCookie('Ada');
    events.length = 0;
    const me = await fetch(`${base}/me`, { headers: { cookie: `${v1}; ${device}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ userId: 'ada', displayName: 'Ada', roles: ['member'] });
    expect(events).toEqual([
      { type: 'migrated', session: 'user', fromVersion: 1, toVersion: 2 },
      { type: 'refreshed', session: 'user', reason: 'migrated' },
    ]);
    const v2 = cookieOf(me);
    expect(v2).not.toBe(v1);

    events.length = 0;
    const page = await fetch(`${base}/`, { headers: { cookie: `${v2}; ${device}` } });
    expect(await page.text()).toContain('Signed in as <b>Ada</b>');
    // Re-sent (rolling: true), but read under version 2 as it is.
    expect(events).toEqual([{ type: 'refreshed', session: 'user', reason: 'rolling' }]);
  });

  it('a version 1 user who never gave a name shows their id', async () => {
    const cookie = `${await versionOneCookie({ userId: 'bob' })}; ${await deviceCookie('bob')}`;
    const me = await fetch(`${base}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ userId: 'bob', displayName: 'bob' });
  });
});

describe('demo: cart in a header, by id in memory storage', () => {
  it('creates a cart, adds to it by id, and clears it', async () => {
    const first = await fetch(`${base}/cart/items?sku=apple&qty=2`, { method: 'POST' });
    expect(first.status).toBe(200);
    const id = first.headers.get('x-cart-session');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.headers.get('set-cookie')).toBeNull();

    const headers = { 'x-cart-session': id! };
    await fetch(`${base}/cart/items?sku=pear&qty=1`, { method: 'POST', headers });
    expect(await (await fetch(`${base}/cart`, { headers })).json()).toEqual({
      items: [
        { sku: 'apple', qty: 2 },
        { sku: 'pear', qty: 1 },
      ],
    });

    expect((await fetch(`${base}/cart`, { method: 'DELETE', headers })).status).toBe(204);
    expect(await (await fetch(`${base}/cart`, { headers })).json()).toEqual({ items: [] });
  });

  it('does not adopt an id it never issued', async () => {
    const planted = 'A'.repeat(43);
    const response = await fetch(`${base}/cart/items?sku=fig&qty=1`, { method: 'POST', headers: { 'x-cart-session': planted } });
    expect(response.status).toBe(200);
    const issued = response.headers.get('x-cart-session');
    expect(issued).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued).not.toBe(planted);
  });
});

describe('demo: starting the server', () => {
  it('makes a throw-away development key and says so, then prints what to try', async () => {
    const child = spawn(tsx, ['--conditions=source', 'examples/server.ts'], {
      cwd: repo,
      env: { ...process.env, PORT: '0', SESSION_KEYS: '', NODE_ENV: 'development' },
    });
    try {
      const output = await new Promise<string>((done, failed) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('Ctrl-C to stop')) done(text);
        });
        child.on('exit', (code) => failed(new Error(`exited with ${code}: ${text}`)));
      });
      expect(output).toContain('throw-away development key');
      const url = /typed-sessions demo on (http:\/\/localhost:\d+)/.exec(output)![1]!;
      expect((await fetch(url.replace('localhost', '127.0.0.1'))).status).toBe(200);
    } finally {
      child.kill();
    }
  });

  it('refuses a production start without keys, naming SESSION_KEYS', async () => {
    const result = await promisify(execFile)(tsx, ['--conditions=source', 'examples/server.ts'], {
      cwd: repo,
      env: { ...process.env, PORT: '0', SESSION_KEYS: '', NODE_ENV: 'production' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot start');
    expect(result.stderr).toContain('SESSION_KEYS');
  });
});
