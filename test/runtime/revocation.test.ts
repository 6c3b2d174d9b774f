/**
 * Revocation of by-value sessions over HTTP (`revocation:`, issue 14 item 4): revokeAll(user) ends every
 * cookie of that user sealed before it, at each one's next recheck; the store is read at most once per
 * recheck; a store outage during a due recheck is a 503 unless the spec allows it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { MemoryStorage, generateKey, type SessionEvent, type Storage } from 'typed-sessions';
import { createSessionsMiddleware, type Sessions } from 'typed-sessions/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { RevocationAdmin } from '../../runtime/middleware.js';
import { FakeClock } from './server.js';
import { specOf } from './fixtures.js';

interface Member {
  readonly userId: string;
}
const RECHECK = 300;

function specWith(onStoreDown?: 'allow') {
  return specOf(
    [
      {
        name: 'member',
        transport: { kind: 'cookie', name: 'member', cookie: { path: '/', httpOnly: true, secure: false, sameSite: 'lax', partitioned: false } },
        transforms: [{ kind: 'encrypt', keys: 'main' }],
        expiry: { maxAge: 86_400, rolling: false },
        revocation: { storage: 'mem', key: ['userId'], recheck: RECHECK, onStoreDown: onStoreDown ?? 'deny' },
        schema: { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'], additionalProperties: false },
      },
    ],
    { mem: { kind: 'memory', maxEntries: 1000 } },
  );
}

/** A storage that counts reads and can go down. */
class CountingStorage implements Storage {
  reads = 0;
  down = false;
  constructor(readonly inner: MemoryStorage) {}
  read(...args: Parameters<Storage['read']>) {
    this.reads += 1;
    return this.down ? Promise.reject(new Error('connection refused')) : this.inner.read(...args);
  }
  write(...args: Parameters<Storage['write']>) {
    return this.down ? Promise.reject(new Error('connection refused')) : this.inner.write(...args);
  }
  invalidate(...args: Parameters<Storage['invalidate']>) {
    return this.inner.invalidate(...args);
  }
}

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server === undefined ? done() : server.close(() => done()))));

async function start(onStoreDown?: 'allow') {
  const clock = new FakeClock();
  const storage = new CountingStorage(new MemoryStorage({ maxEntries: 1000, clock: clock.read }));
  const events: SessionEvent[] = [];
  const sessions = createSessionsMiddleware(specWith(onStoreDown), { keys: { main: generateKey() }, storages: { mem: storage }, env: {}, clock: clock.read, onEvent: (event) => events.push(event) });
  const app = new Koa();
  app.silent = true;
  app.use(sessions);
  app.use((ctx) => {
    const s = ctx.sessions as unknown as Sessions<{ member: Member }, never>;
    if (ctx.path === '/login') {
      s.set('member', { userId: String(ctx.query.user) });
      ctx.status = 204;
    } else ctx.body = { member: s.get('member') ?? null };
  });
  server = createServer(app.callback()).listen(0, '127.0.0.1');
  await new Promise((done) => server!.once('listening', done));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  const get = async (path: string, cookie?: string) => {
    const response = await fetch(`${url}${path}`, { headers: cookie === undefined ? {} : { cookie } });
    return { status: response.status, body: response.status === 200 ? await response.json() : undefined, cookie: response.headers.get('set-cookie')?.split(';')[0] };
  };
  return { clock, storage, events, get, admin: sessions.admin.member as RevocationAdmin };
}

describe('revocation of by-value sessions', () => {
  it("ends the user's cookies sealed before revokeAll at their next recheck, and no other user's", async () => {
    const { clock, get, admin, events } = await start();
    const ada = (await get('/login?user=ada')).cookie!;
    const bob = (await get('/login?user=bob')).cookie!;
    clock.advance(10);
    await admin.revokeAll('ada');
    // Within the recheck interval the cookie still reads: the bound docs/spec.md states.
    expect((await get('/', ada)).body).toEqual({ member: { userId: 'ada' } });
    clock.advance(RECHECK);
    const revoked = await get('/', ada);
    expect(revoked.body).toEqual({ member: null });
    expect(revoked.cookie).toBe('member=');
    expect(events).toContainEqual({ type: 'rejected', session: 'member', reason: 'revoked', source: 'storage' });
    expect((await get('/', bob)).body).toEqual({ member: { userId: 'bob' } });
    // A login after the revocation is a new session, not revoked.
    clock.advance(1);
    const again = (await get('/login?user=ada')).cookie!;
    clock.advance(RECHECK);
    expect((await get('/', again)).body).toEqual({ member: { userId: 'ada' } });
  });

  it('reads the store at most once per recheck per session, sealing the check time in the cookie', async () => {
    const { clock, storage, get, events } = await start();
    let cookie = (await get('/login?user=ada')).cookie!;
    const reads = storage.reads;
    for (let i = 0; i < 5; i += 1) expect((await get('/', cookie)).cookie).toBeUndefined();
    expect(storage.reads).toBe(reads);
    clock.advance(RECHECK);
    const rechecked = await get('/', cookie);
    expect(storage.reads).toBe(reads + 1);
    expect(events).toContainEqual({ type: 'refreshed', session: 'member', reason: 'rechecked' });
    cookie = rechecked.cookie!;
    for (let i = 0; i < 3; i += 1) await get('/', cookie);
    expect(storage.reads).toBe(reads + 1);
  });

  it('answers a due recheck with 503 while the store is down, never letting the session through', async () => {
    const { clock, storage, get } = await start();
    const cookie = (await get('/login?user=ada')).cookie!;
    clock.advance(RECHECK);
    storage.down = true;
    const response = await get('/', cookie);
    expect(response.status).toBe(503);
    expect(response.cookie).toBeUndefined();
  });

  it('lets the session through unchecked with onStoreDown: allow, and checks again on the next request', async () => {
    const { clock, storage, get } = await start('allow');
    const cookie = (await get('/login?user=ada')).cookie!;
    clock.advance(RECHECK);
    storage.down = true;
    const allowed = await get('/', cookie);
    expect(allowed.body).toEqual({ member: { userId: 'ada' } });
    expect(allowed.cookie).toBeUndefined();
    const reads = storage.reads;
    await get('/', cookie);
    expect(storage.reads).toBe(reads + 1);
  });
});
