/**
 * `concurrency: serialize` against a real Redis over HTTP: requests on one session take turns across two
 * servers on one Redis (two processes) through the storage's lock, which is released on every way a
 * request ends; a lock lost under a slow request makes it a 503, and the version check still guards
 * every write, so no update is ever lost.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionProvider, type ProviderClass, type SessionDefinition, type SpecDefinition } from 'typed-sessions/core';
import { storageKeyForId } from '../../runtime/ids.js';
import { RedisStorage } from '../../runtime/storage/redis.js';
import type { StoredEntry, WriteOptions } from '../../runtime/storage/storage.js';
import { CartSessionProvider, spec, VisitSessionProvider, type CartSession, type VisitSession } from '../runtime/fixtures.js';
import { countOf, describeTurns, expectTwentyIncrements, Gates, increment, newVisit, raceRoutes } from '../runtime/races.js';
import { cookieValue, putJson, startServer, type ServerOptions, type TestRoutes, type TestServer } from '../runtime/server.js';
import { describeRedis, REDIS_HOST, redisForSuite } from '../support/redis-server.js';

class SerializedVisitProvider extends SessionProvider<VisitSession> {
  static readonly definition: SessionDefinition<VisitSession> = { ...VisitSessionProvider.definition, concurrency: 'serialize' };
}

class SerializedCartProvider extends SessionProvider<CartSession> {
  static readonly definition: SessionDefinition<CartSession> = { ...CartSessionProvider.definition, concurrency: 'serialize' };
}

/** The fixture spec with `serialize` on the sessions `serialized` maps, their storage declared redis; the tests pass the instance. */
function serializing(serialized: ReadonlyMap<ProviderClass, ProviderClass>): SpecDefinition {
  return {
    ...spec,
    storages: { mem: { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: 'sess:' } },
    providers: spec.providers.map((provider) => serialized.get(provider) ?? provider),
  };
}

const serialized = serializing(new Map([[VisitSessionProvider, SerializedVisitProvider]]));

/** Where the lock of the `visit` session `id` lives (docs/storage.md, Redis key layout). */
function lockKeyOf(id: string): string {
  return `{sess:${storageKeyForId('visit', id)}}:lock`;
}

/**
 * A RedisStorage that can be told to fail a read or a write, to run `beforeWrite` first (once) or
 * `beforeLock` before each lock request, and that records the keys whose lock it was refused.
 */
class HookedStorage extends RedisStorage {
  failing: 'read' | 'write' | undefined = undefined;
  beforeWrite: (() => Promise<void>) | undefined = undefined;
  beforeLock: ((key: string) => Promise<void>) | undefined = undefined;
  readonly refused: string[] = [];

  override read(...args: Parameters<RedisStorage['read']>): Promise<StoredEntry | undefined> {
    return this.failing === 'read' ? Promise.reject(new Error('connection refused')) : super.read(...args);
  }

  override async lock(key: string, token: string, holdMs: number): Promise<boolean> {
    await this.beforeLock?.(key);
    const taken = await super.lock(key, token, holdMs);
    if (!taken) this.refused.push(key);
    return taken;
  }

  override async write(key: string, value: string, ttlSeconds: number, options?: WriteOptions): Promise<boolean> {
    if (this.failing === 'write') throw new Error('connection refused');
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    await hook?.();
    return super.write(key, value, ttlSeconds, options);
  }
}

describeRedis('concurrency: serialize over HTTP against Redis', () => {
  const redis = redisForSuite();

  function startWith(storage: RedisStorage, options: ServerOptions = {}): Promise<TestServer> {
    return startServer({ spec: serialized, ...options, install: { storages: { mem: storage }, clock: Date.now, storageTimeout: 1000, ...options.install } });
  }

  describeTurns('redis, one process', (options) => startWith(new RedisStorage(redis.client), options));

  describe('two processes on one Redis', () => {
    const gates = new Gates();
    let one: TestServer;
    let other: TestServer;
    let oneStorage: HookedStorage;
    beforeAll(async () => {
      oneStorage = new HookedStorage(redis.client);
      // A leaked lock (held 10 s) would make the next request wait past 2 s: a 503, not a slow pass.
      const options = { routes: raceRoutes(gates), outer: gates.counter, install: { queueTimeout: 2000 } };
      [one, other] = [await startWith(oneStorage, options), await startWith(new RedisStorage(redis.client), options)];
    });
    afterAll(() => Promise.all([one.close(), other.close()]));
    afterEach(() => {
      oneStorage.failing = undefined;
    });

    it('20 concurrent increments over both, all in at once: 20 x 200, each saw the one before, the count ends at 20: the lock keeps the other process out', async () => {
      // Without the lock, the other process's requests would load count 0 while the first holds the session.
      const id = await expectTwentyIncrements(gates, [one, other]);
      expect(await redis.client.exists(lockKeyOf(id))).toBe(0);
    });

    it('a request holds the lock from before its load until after its commit, with the expiry of holdTimeout', async () => {
      const id = await newVisit(one);
      const slow = increment(one, id, 'slow');
      await gates.arrived('slow');
      const ttl = await redis.client.pttl(lockKeyOf(id));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10_000);
      gates.open('slow');
      expect((await slow).status).toBe(200);
      expect(await redis.client.exists(lockKeyOf(id))).toBe(0);
    });

    it('a lock lost under a slow request (deleted here, as a failover to a replica without it would) makes its commit a 503; what the other process wrote meanwhile stays', async () => {
      const id = await newVisit(one);
      const slow = increment(one, id, 'slow');
      await gates.arrived('slow');
      await redis.client.del(lockKeyOf(id));
      const meanwhile = await increment(other, id);
      expect(await meanwhile.json()).toEqual({ count: 2 });
      gates.open('slow');
      const response = await slow;
      expect(response.status).toBe(503);
      expect(await response.text()).toBe(
        'session "visit" was no longer this request\'s to change at commit: it held it past 10000 ms, or lost its lock, and the next request went ahead; nothing was written, retry the request',
      );
      expect(one.events).toContainEqual({ type: 'busy', session: 'visit', reason: 'hold' });
      expect(await countOf(one, id)).toBe(2);
    });

    it('a lock lost after commit renewed it, before the write: the version check refuses the write (409), and what the other process wrote stays', async () => {
      const id = await newVisit(one);
      oneStorage.beforeWrite = async () => {
        await redis.client.del(lockKeyOf(id));
        expect(await (await increment(other, id)).json()).toEqual({ count: 2 });
      };
      const response = await increment(one, id);
      expect(response.status).toBe(409);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await countOf(one, id)).toBe(2);
    });

    it.each([
      ['the handler throws', (id: string) => fetch(`${one.url}/s/visit/then-throw`, { headers: { cookie: `vid=${id}` } }).then((r) => r.status), 401],
      [
        'the storage fails at the load',
        (id: string) => {
          oneStorage.failing = 'read';
          return increment(one, id).then((r) => r.status);
        },
        503,
      ],
      [
        'the storage fails at the commit',
        (id: string) => {
          oneStorage.failing = 'write';
          return increment(one, id).then((r) => r.status);
        },
        503,
      ],
    ] as const)('%s: the lock is released, and the other process goes ahead', async (_label, end, status) => {
      const id = await newVisit(one);
      expect(await end(id)).toBe(status);
      expect(await redis.client.exists(lockKeyOf(id))).toBe(0);
      const next = await increment(other, id);
      expect(await next.json()).toEqual({ count: 2 });
    });

    it('a client that disconnects while its request holds the lock: released once the handler ends, and the other process builds on its write', async () => {
      const id = await newVisit(one);
      const abort = new AbortController();
      const gone = fetch(`${one.url}/race/increment`, { method: 'POST', headers: { cookie: `vid=${id}`, 'x-gate': 'gone' }, signal: abort.signal });
      await gates.arrived('gone');
      abort.abort();
      await expect(gone).rejects.toThrow();
      gates.open('gone');
      await vi.waitFor(async () => expect(await redis.client.exists(lockKeyOf(id))).toBe(0), { timeout: 5000, interval: 5 });
      expect(await (await increment(other, id)).json()).toEqual({ count: 3 });
    });
  });

  describe('two serialized sessions in one request', () => {
    /** `POST /both` adds one to the visit's count and one item to the cart. */
    const both: TestRoutes = (ctx, next, sessions) => {
      if (ctx.path !== '/both') return next();
      sessions.set('visit', { count: (sessions.get('visit')?.count ?? 0) + 1 });
      sessions.set('cart', { items: [...(sessions.get('cart')?.items ?? []), { sku: 'a', qty: 1 }] });
      ctx.status = 204;
      return undefined;
    };

    it('two requests carrying them in two processes take the locks in one order: both succeed, and neither waits for the other in a circle', async () => {
      const spec = serializing(new Map<ProviderClass, ProviderClass>([[VisitSessionProvider, SerializedVisitProvider], [CartSessionProvider, SerializedCartProvider]]));
      const [oneStorage, otherStorage] = [new HookedStorage(redis.client), new HookedStorage(redis.client)];
      const options = { spec, routes: both, install: { queueTimeout: 2000 } };
      const [one, other] = [await startWith(oneStorage, options), await startWith(otherStorage, options)];
      try {
        const vid = cookieValue(await putJson(`${one.url}/s/visit`, { count: 0 }), 'vid');
        const cart = (await putJson(`${one.url}/s/cart`, { items: [] })).headers.get('x-cart')!;
        const headers = { cookie: `vid=${vid}`, 'x-cart': cart };
        const [visitKey, cartKey] = [storageKeyForId('visit', vid), storageKeyForId('cart', cart)];
        let second: Promise<Response> | undefined;
        // When the first request asks for the cart's lock, the other process's request starts: it must
        // wait for the visit's lock, which the first holds, and not take the cart's meanwhile.
        oneStorage.beforeLock = async (key) => {
          if (key !== cartKey || second !== undefined) return;
          second = fetch(`${other.url}/both`, { method: 'POST', headers });
          await vi.waitFor(() => expect(otherStorage.refused).toContain(visitKey), { timeout: 5000, interval: 5 });
        };
        expect((await fetch(`${one.url}/both`, { method: 'POST', headers })).status).toBe(204);
        expect((await second!).status).toBe(204);
        expect(await countOf(one, vid)).toBe(2);
        expect(await (await fetch(`${one.url}/s/cart`, { headers: { 'x-cart': cart } })).json()).toEqual({ value: { items: [{ sku: 'a', qty: 1 }, { sku: 'a', qty: 1 }] } });
      } finally {
        await Promise.all([one.close(), other.close()]);
      }
    });
  });

  it('#54 a read-only request on a serialized session costs three Redis commands: lock, read and slide, release', async () => {
    const counted = new Redis(redis.server.port, REDIS_HOST);
    const server = await startWith(new RedisStorage(counted));
    try {
      const id = await newVisit(server);
      // Once first, so each script is known to the server and runs by its SHA.
      await countOf(server, id);
      const send = vi.spyOn(counted, 'sendCommand');
      expect(await countOf(server, id)).toBe(1);
      expect(send.mock.calls.map(([command]) => command.name)).toEqual(['evalsha', 'evalsha', 'evalsha']);
    } finally {
      await server.close();
      counted.disconnect();
    }
  });
});
