/**
 * Indexed by-id sessions over HTTP (`index:` in the spec, issue 14): a user's sessions listed for a "your
 * devices" page, one revoked, all others revoked, all revoked from outside a request; writes keep the index
 * as the payload changes (a new user, regenerate, clear).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { MemoryStorage, generateKey, type SessionEvent, type Storage } from 'typed-sessions';
import { RedisStorage } from '../../runtime/storage/redis.js';
import { describeRedis, redisForSuite } from '../support/redis-server.js';
import { createSessionsMiddleware, type Sessions } from 'typed-sessions/core';
import type { SessionAdmin } from '../../runtime/session-admin.js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { specOf } from './fixtures.js';
import { FakeClock } from './server.js';

interface Account {
  readonly userId: string;
  readonly device: string;
}
type AccountSessions = Sessions<{ account: Account }, 'account', Record<never, never>, never, { account: { readonly device: string | undefined } }>;

/** An indexed session `name` with cookie `name`; `account` is the one the routes use. */
const indexed = (name: string, index: { index: string[]; summary: string[][]; maxPerUser?: number }) => ({
  name,
  transport: { kind: 'cookie' as const, name, cookie: { path: '/', httpOnly: true, secure: false, sameSite: 'lax' as const, partitioned: false } },
  storage: 'mem',
  transforms: [],
  expiry: { maxAge: 86_400, idle: 3600, rolling: false },
  ...index,
  schema: {
    type: 'object',
    properties: { userId: { type: 'string' }, device: { type: 'string' } },
    required: ['userId', 'device'],
    additionalProperties: false,
  },
});
const account = (index: { index: string[]; summary: string[][]; maxPerUser?: number }) => specOf([indexed('account', index)]);

const spec = account({ index: ['userId'], summary: [['device']] });
let server: Server;
let url: string;
let events: SessionEvent[];
let clock: FakeClock;
let admin: { account?: SessionAdmin; shadow?: SessionAdmin };
/** A request to /gated/... waits, its session loaded, until the test opens the gate. */
let gate: { arrived: () => void; open: Promise<void> } | undefined;

/** The storage the next `start` installs; memory on the app's fake clock unless a suite says otherwise. */
let storageFor: (clock: FakeClock) => Storage = (clock) => new MemoryStorage({ maxEntries: 1000, clock: clock.read });

async function start(definitions: typeof spec): Promise<void> {
  server?.close();
  events = [];
  clock = new FakeClock();
  const app = new Koa();
  const sessions = createSessionsMiddleware(definitions, {
    keys: { main: generateKey() },
    storages: { mem: storageFor(clock) },
    env: {},
    clock: clock.read,
    onEvent: (event) => events.push(event),
  });
  admin = sessions.admin as typeof admin;
  app.use(sessions);
  app.use(async (ctx) => {
    const s = ctx.sessions as unknown as AccountSessions;
    const query = ctx.query as Record<string, string>;
    switch (ctx.path) {
      case '/login':
        s.set('account', { userId: query.user!, device: query.device! });
        ctx.status = 204;
        return;
      case '/me':
        ctx.body = { account: s.get('account') ?? null };
        return;
      case '/devices':
        ctx.body = await s.list('account');
        return;
      case '/revoke':
        ctx.body = { revoked: await s.revoke('account', query.handle!) };
        return;
      case '/revoke-others':
        ctx.body = { revoked: await s.revokeOthers('account') };
        return;
      case '/become':
        s.update('account', (draft) => ({ ...draft, userId: query.user! }));
        ctx.status = 204;
        return;
      case '/regenerate':
        s.regenerate('account');
        ctx.status = 204;
        return;
      case '/logout':
        s.clear('account');
        ctx.status = 204;
        return;
      case '/gated/touch':
      case '/gated/regenerate':
        s.get('account');
        gate!.arrived();
        await gate!.open;
        if (ctx.path === '/gated/touch') s.update('account', (draft) => ({ ...draft, device: 'touched' }));
        else s.regenerate('account');
        ctx.status = 204;
        return;
    }
  });
  app.silent = true;
  server = createServer(app.callback()).listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(() => new Promise<void>((done) => server.close(() => done())));

async function login(user: string, device: string): Promise<string> {
  const response = await fetch(`${url}/login?user=${user}&device=${device}`);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

async function call(path: string, cookie: string): Promise<{ body: unknown; cookie: string | undefined }> {
  const response = await fetch(`${url}${path}`, { headers: { cookie } });
  const text = await response.text();
  return { body: text === '' ? undefined : JSON.parse(text), cookie: response.headers.get('set-cookie')?.split(';')[0] };
}

interface Listed {
  handle: string;
  current: boolean;
  summary: { device: string };
  createdAt: number;
  lastSeenAt: number;
}

async function devices(cookie: string): Promise<Listed[]> {
  return (await call('/devices', cookie)).body as Listed[];
}

describe('on memory', () => devicesFlow());

describeRedis('on Redis', () => {
  const redis = redisForSuite();
  beforeEach(async () => {
    await redis.client.flushdb();
    storageFor = () => new RedisStorage(redis.client);
  });
  afterAll(() => {
    storageFor = (clock) => new MemoryStorage({ maxEntries: 1000, clock: clock.read });
  });
  devicesFlow();
});

function devicesFlow(): void {
  describe('a user signed in on three devices', () => {
    beforeEach(() => start(spec));
    let laptop: string;
    let phone: string;
    let tablet: string;
    beforeEach(async () => {
      laptop = await login('ada', 'laptop');
      phone = await login('ada', 'phone');
      tablet = await login('ada', 'tablet');
      await login('bob', 'desktop');
    });

    it("lists the user's sessions only, marks the current one, and shows no id or token", async () => {
      const listed = await devices(phone);
      expect(listed.map((entry) => entry.summary.device).sort()).toEqual(['laptop', 'phone', 'tablet']);
      expect(listed.filter((entry) => entry.current).map((entry) => entry.summary.device)).toEqual(['phone']);
      const text = JSON.stringify(listed);
      for (const cookie of [laptop, phone, tablet]) expect(text).not.toContain(cookie.split('=')[1]);
      expect(new Set(listed.map((entry) => entry.handle)).size).toBe(3);
    });

    it("revokes another of the user's sessions by its handle, and signs that device out", async () => {
      const tabletHandle = (await devices(tablet)).find((entry) => entry.current)!.handle;
      expect((await call(`/revoke?handle=${encodeURIComponent(tabletHandle)}`, laptop)).body).toEqual({ revoked: true });
      expect((await call('/me', tablet)).body).toEqual({ account: null });
      expect((await devices(laptop)).map((entry) => entry.summary.device).sort()).toEqual(['laptop', 'phone']);
    });

    it("refuses to revoke another user's session, or the request's own, by handle", async () => {
      const bob = await login('bob', 'other');
      const bobHandle = (await devices(bob)).find((entry) => entry.current)!.handle;
      expect((await call(`/revoke?handle=${encodeURIComponent(bobHandle)}`, laptop)).body).toEqual({ revoked: false });
      expect((await call('/me', bob)).body).toEqual({ account: { userId: 'bob', device: 'other' } });
      const own = (await devices(laptop)).find((entry) => entry.current)!.handle;
      expect((await call(`/revoke?handle=${encodeURIComponent(own)}`, laptop)).body).toEqual({ revoked: false });
    });

    it('revokes every other session of the user, keeping the current one and other users', async () => {
      expect((await call('/revoke-others', laptop)).body).toEqual({ revoked: 2 });
      expect((await call('/me', phone)).body).toEqual({ account: null });
      expect((await call('/me', tablet)).body).toEqual({ account: null });
      expect((await call('/me', laptop)).body).toEqual({ account: { userId: 'ada', device: 'laptop' } });
      expect((await admin.account!.list('bob')).map((entry) => entry.summary)).toEqual([{ device: 'desktop' }]);
    });

    it('revokes all of them from outside a request (a password change)', async () => {
      expect(await admin.account!.revokeAll('ada')).toBe(3);
      for (const cookie of [laptop, phone, tablet]) expect((await call('/me', cookie)).body).toEqual({ account: null });
      expect(await admin.account!.list('ada')).toEqual([]);
    });

    it('moves a session whose indexed value changes to the new user', async () => {
      await call('/become?user=carol', phone);
      expect((await admin.account!.list('ada')).map((entry) => entry.summary.device).sort()).toEqual(['laptop', 'tablet']);
      expect((await admin.account!.list('carol')).map((entry) => entry.summary.device)).toEqual(['phone']);
      expect(await admin.account!.revokeAll('carol')).toBe(1);
      expect((await call('/me', phone)).body).toEqual({ account: null });
    });

    it('files a regenerated session under its new handle and takes a cleared one out', async () => {
      const before = (await devices(phone)).find((entry) => entry.current)!.handle;
      const regenerated = (await call('/regenerate', phone)).cookie!;
      const after = await devices(regenerated);
      expect(after).toHaveLength(3);
      expect(after.map((entry) => entry.handle)).not.toContain(before);
      expect(after.find((entry) => entry.current)?.summary.device).toBe('phone');
      await call('/logout', regenerated);
      expect((await admin.account!.list('ada')).map((entry) => entry.summary.device).sort()).toEqual(['laptop', 'tablet']);
    });

    it.each([
      { action: 'touch', does: 'changes' },
      { action: 'regenerate', does: 'regenerates' },
    ])('a request that $does a session while revokeAll runs neither brings it back nor files it again', async ({ action }) => {
      let arrived!: () => void;
      const loaded = new Promise<void>((done) => (arrived = done));
      let open!: () => void;
      gate = { arrived, open: new Promise<void>((done) => (open = done)) };
      const racing = fetch(`${url}/gated/${action}`, { headers: { cookie: phone } });
      await loaded;
      expect(await admin.account!.revokeAll('ada')).toBe(3);
      open();
      const response = await racing;
      // The change lost to the revocation: a conflict, with no cookie for a session that no longer exists.
      expect(response.status).toBe(409);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await admin.account!.list('ada')).toEqual([]);
      expect((await call('/me', phone)).body).toEqual({ account: null });
    });
  });
}

// On memory only: last use comes from the entry's TTL, which Redis counts on its own clock, not the test's.
describe('maxPerUser', () => {
  it('ends the least recently used session when a user creates one more than the limit', async () => {
    await start(account({ index: ['userId'], summary: [['device']], maxPerUser: 2 }));
    const first = await login('ada', 'first');
    const second = await login('ada', 'second');
    clock.advance(10);
    // Written after second: second is now the least recently used.
    await call('/become?user=ada', first);
    clock.advance(10);
    const third = await login('ada', 'third');
    expect((await admin.account!.list('ada')).map((entry) => entry.summary.device).sort()).toEqual(['first', 'third']);
    expect((await call('/me', second)).body).toEqual({ account: null });
    expect((await call('/me', third)).body).toEqual({ account: { userId: 'ada', device: 'third' } });
    expect(events).toContainEqual({ type: 'revoked', session: 'account', reason: 'limit', count: 1 });
    await login('bob', 'one');
    expect(await admin.account!.list('ada')).toHaveLength(2);
  });
});

describe('a handle of another session on the same storage', () => {
  it('revokes nothing, even where its payload would fit this session', async () => {
    const index = { index: ['userId'], summary: [['device']] };
    await start(specOf([indexed('account', index), indexed('shadow', index)]));
    const laptop = await login('ada', 'laptop');
    expect(await admin.account!.revoke('not-a-handle')).toBe(false);
    const [own] = await admin.account!.list('ada');
    // The account entry would open as a shadow session (same schema, same storage), but is not filed in shadow's index.
    expect(await admin.shadow!.revoke(own!.handle)).toBe(false);
    expect((await call(`/revoke?handle=${encodeURIComponent(own!.handle)}`, laptop)).body).toEqual({ revoked: false });
    expect((await call('/me', laptop)).body).toEqual({ account: { userId: 'ada', device: 'laptop' } });
  });
});
