/**
 * What a deploy that changes a per-user setting does to the sessions already live (the findings of
 * `typed-sessions check --against`, generator/compat/compare-per-user.ts): two apps in turn over one storage
 * and one key ring, the second one's spec changed, driven over HTTP. Each case is what a finding says.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { MemoryStorage, generateKey } from 'typed-sessions';
import { createSessionsMiddleware, type Sessions } from 'typed-sessions/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RevocationAdmin } from '../../runtime/middleware.js';
import type { SessionAdmin } from '../../runtime/session-admin.js';
import type { DefinitionData } from '../support/compiled-validator.js';
import { specOf } from './fixtures.js';
import { FakeClock } from './server.js';

interface Device {
  readonly userId: string;
  readonly email: string;
  readonly device: string;
}
interface Member {
  readonly userId: string;
}
type DeploySessions = Sessions<{ device: Device; member: Member }, 'device'>;

const cookie = (name: string) => ({ kind: 'cookie' as const, name, cookie: { path: '/', httpOnly: true, secure: false, sameSite: 'lax' as const, partitioned: false } });
const DEVICE_SCHEMA = {
  type: 'object',
  properties: { userId: { type: 'string' }, email: { type: 'string' }, device: { type: 'string' } },
  required: ['userId', 'email', 'device'],
  additionalProperties: false,
};

/** The by-id `device` session, with the per-user settings of one deploy. */
function device(settings: Partial<DefinitionData> = {}): DefinitionData {
  return { name: 'device', transport: cookie('device'), storage: 'mem', transforms: [], expiry: { maxAge: 86_400, idle: 3600, rolling: false }, schema: DEVICE_SCHEMA, ...settings };
}

/** The by-value `member` session, with or without its revocation stamp. */
function member(revocation: boolean): DefinitionData {
  return {
    name: 'member',
    transport: cookie('member'),
    transforms: [{ kind: 'encrypt', keys: 'main' }],
    expiry: { maxAge: 86_400, rolling: false },
    ...(revocation ? { revocation: { storage: 'mem', key: ['userId'], recheck: 300, onStoreDown: 'deny' as const } } : {}),
    schema: { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'], additionalProperties: false },
  };
}

const STORAGES = { mem: { kind: 'memory' as const, maxEntries: 1000 } };

let clock: FakeClock;
let storage: MemoryStorage;
let key: string;
let server: Server | undefined;
let url: string;
let admin: { device?: SessionAdmin; member?: RevocationAdmin };

beforeEach(() => {
  clock = new FakeClock();
  storage = new MemoryStorage({ maxEntries: 1000, clock: clock.read });
  key = generateKey();
});
afterEach(() => new Promise<void>((done) => (server === undefined ? done() : server.close(() => done()))));

/** Replaces the running app with one of these two sessions, on the same storage, keys and clock: a deploy. */
async function deploy(deviceSession: DefinitionData, memberSession = member(false)): Promise<void> {
  if (server !== undefined) await new Promise((done) => server!.close(done));
  const sessions = createSessionsMiddleware(specOf([deviceSession, memberSession], STORAGES), { keys: { main: key }, storages: { mem: storage }, env: {}, clock: clock.read });
  admin = sessions.admin as typeof admin;
  const app = new Koa();
  app.silent = true;
  app.use(sessions);
  app.use((ctx) => {
    const s = ctx.sessions as unknown as DeploySessions;
    const query = ctx.query as Record<string, string>;
    if (ctx.path === '/login') s.set('device', { userId: query.user!, email: `${query.user}@example.test`, device: query.device! });
    else if (ctx.path === '/rename') s.update('device', (draft) => ({ ...draft, device: query.device! }));
    else if (ctx.path === '/member-login') s.set('member', { userId: query.user! });
    else return void (ctx.body = { device: s.get('device')?.device ?? null, member: s.get('member')?.userId ?? null });
    ctx.status = 204;
  });
  server = createServer(app.callback()).listen(0, '127.0.0.1');
  await new Promise((done) => server!.once('listening', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The `name=value` of the cookie a request sets. */
async function signIn(path: string): Promise<string> {
  return (await fetch(`${url}${path}`)).headers.get('set-cookie')!.split(';')[0]!;
}

async function me(cookies: string): Promise<{ device: string | null; member: string | null }> {
  return (await fetch(`${url}/`, { headers: { cookie: cookies } })).json() as Promise<{ device: string | null; member: string | null }>;
}

const listed = async (user: string) => (await admin.device!.list(user)).map((entry) => entry.summary.device).sort();

describe('index: added over live sessions (index-added)', () => {
  it('files a session written before it only at its next write: until then list() leaves it out and revokeAll() does not end it', async () => {
    await deploy(device());
    const laptop = await signIn('/login?user=ada&device=laptop');
    await deploy(device({ index: ['userId'], summary: [['device']] }));
    const phone = await signIn('/login?user=ada&device=phone');
    // A read files nothing.
    expect(await me(laptop)).toEqual({ device: 'laptop', member: null });
    expect(await listed('ada')).toEqual(['phone']);
    expect(await admin.device!.revokeAll('ada')).toBe(1);
    expect(await me(phone)).toEqual({ device: null, member: null });
    expect(await me(laptop)).toEqual({ device: 'laptop', member: null });
    // Its next write files it.
    await fetch(`${url}/rename?device=old-laptop`, { headers: { cookie: laptop } });
    expect(await listed('ada')).toEqual(['old-laptop']);
    expect(await admin.device!.revokeAll('ada')).toBe(1);
    expect(await me(laptop)).toEqual({ device: null, member: null });
  });

  it('with a payload version raised beside it, the rewrite of the migrated payload files each session at its next read', async () => {
    await deploy(device());
    const laptop = await signIn('/login?user=ada&device=laptop');
    const history = [{ version: 1, schema: DEVICE_SCHEMA, migrate: (payload: unknown) => payload }];
    await deploy(device({ index: ['userId'], summary: [['device']], version: 2, history }));
    expect(await me(laptop)).toEqual({ device: 'laptop', member: null });
    expect(await listed('ada')).toEqual(['laptop']);
    expect(await admin.device!.revokeAll('ada')).toBe(1);
    expect(await me(laptop)).toEqual({ device: null, member: null });
  });
});

describe('index: on another path (index-changed)', () => {
  it('leaves a session filed under its old value until its next write: revokeAll() of the new value misses it', async () => {
    await deploy(device({ index: ['userId'], summary: [['device']] }));
    const laptop = await signIn('/login?user=ada&device=laptop');
    await deploy(device({ index: ['email'], summary: [['device']] }));
    expect(await admin.device!.revokeAll('ada@example.test')).toBe(0);
    expect(await me(laptop)).toEqual({ device: 'laptop', member: null });
    await fetch(`${url}/rename?device=laptop`, { headers: { cookie: laptop } });
    expect(await admin.device!.revokeAll('ada@example.test')).toBe(1);
    expect(await me(laptop)).toEqual({ device: null, member: null });
  });
});

describe('maxPerUser: lowered below what a user holds (max-per-user-lowered)', () => {
  it("ends the user's least recently used sessions beyond the new limit at their next sign-in", async () => {
    await deploy(device({ index: ['userId'], summary: [['device']] }));
    for (const name of ['one', 'two', 'three']) {
      await signIn(`/login?user=ada&device=${name}`);
      clock.advance(10);
    }
    await deploy(device({ index: ['userId'], summary: [['device']], maxPerUser: 2 }));
    expect(await listed('ada')).toEqual(['one', 'three', 'two']);
    await signIn('/login?user=ada&device=four');
    expect(await listed('ada')).toEqual(['four', 'three']);
  });
});

describe('revocation: added and removed over live cookies', () => {
  it('revocation-added: a cookie sealed before it has no check time, so its next request checks it, and a revokeAll() before that ends it', async () => {
    await deploy(device(), member(false));
    const ada = await signIn('/member-login?user=ada');
    const bob = await signIn('/member-login?user=bob');
    await deploy(device(), member(true));
    await admin.member!.revokeAll('ada');
    expect(await me(ada)).toEqual({ device: null, member: null });
    expect(await me(bob)).toEqual({ device: null, member: 'bob' });
  });

  it('revocation-removed: a cookie revoked before it opens again', async () => {
    await deploy(device(), member(true));
    const ada = await signIn('/member-login?user=ada');
    await admin.member!.revokeAll('ada');
    // Sealed with a check time, it is refused at its next recheck.
    clock.advance(300);
    expect(await me(ada)).toEqual({ device: null, member: null });
    await deploy(device(), member(false));
    expect(await me(ada)).toEqual({ device: null, member: 'ada' });
  });
});
