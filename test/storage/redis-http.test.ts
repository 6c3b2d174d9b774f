/**
 * Redis behind the real middleware over HTTP: races (security.md #44, #49, #50), one round trip per read
 * (#54), and faults (#45-#48) injected by a loopback proxy or a real restart. Each fault gives a fast
 * 503 with Retry-After, no Set-Cookie, one `store_unavailable` log line, and recovery without a restart.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateSessionId, storageKeyForId } from '../../runtime/ids.js';
import { RedisStorage } from '../../runtime/storage/redis.js';
import { describeRaces } from '../runtime/races.js';
import { cookieValue, putJson, startServer, type ServerOptions, type TestServer } from '../runtime/server.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { describeRedis, FAILS_AT_ONCE, REDIS_HOST, redisForSuite, startRedisServer } from '../support/redis-server.js';
import { advanceRedisTime } from '../support/redis-time.js';

vi.mock('../../runtime/ids.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../runtime/ids.js')>();
  return { ...actual, generateSessionId: vi.fn(actual.generateSessionId) };
});

/** The middleware's default storage timeout, and RedisStorage's default command timeout. */
const TIMEOUT_MS = 1000;

function startWith(storage: RedisStorage, options: ServerOptions = {}): Promise<TestServer> {
  return startServer({ ...options, install: { storages: { mem: storage }, storageTimeout: TIMEOUT_MS, clock: Date.now, ...options.install } });
}

function visit(server: TestServer, id: string): Promise<Response> {
  return fetch(`${server.url}/s/visit`, { headers: { cookie: `vid=${id}` } });
}

async function countOf(server: TestServer, id: string): Promise<number | null> {
  const response = await visit(server, id);
  expect(response.status).toBe(200);
  return ((await response.json()) as { value: { count: number } | null }).value?.count ?? null;
}

async function newVisit(server: TestServer, count = 1): Promise<string> {
  return cookieValue(await putJson(`${server.url}/s/visit`, { count }), 'vid');
}

/**
 * The fault response every case shares: 503, Retry-After, no Set-Cookie, one structured log line, whose
 * `error` says how soon it came: a timeout, or a failure without waiting (`FAILS_AT_ONCE`). bench/promises.ts
 * measures the milliseconds, which a test on a shared machine cannot assert.
 */
async function expectUnavailable(server: TestServer, response: Response, warningsBefore: number, operation: string, error: unknown = expect.any(String)): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(response.headers.getSetCookie()).toEqual([]);
  expect(server.warnings.slice(warningsBefore)).toEqual([
    { message: 'session storage unavailable', fields: { session: 'visit', storage: 'mem', operation, error } },
  ]);
  await response.arrayBuffer();
}

describeRedis('RedisStorage through the middleware over HTTP', () => {
  const redis = redisForSuite();

  describe('on a healthy server', () => {
    const storage = () => new RedisStorage(redis.client);

    describeRaces('redis', async (options) => [await startWith(storage(), options), await startWith(storage(), options)], (_server, key) => storage().read(key));

    it('#44 a repeated id finds its key taken (NX) and the runtime mints another; the first session is untouched', async () => {
      const server = await startWith(storage());
      try {
        const taken = await newVisit(server, 1);
        vi.mocked(generateSessionId).mockReturnValueOnce(taken);
        const second = await newVisit(server, 2);
        expect(second).not.toBe(taken);
        expect([await countOf(server, taken), await countOf(server, second)]).toEqual([1, 2]);
      } finally {
        await server.close();
      }
    });

    it('#54 #51 a read-only request costs one Redis command, and slides the TTL without rewriting the value', async () => {
      const counted = new Redis(redis.server.port, REDIS_HOST);
      const server = await startWith(new RedisStorage(counted));
      try {
        const id = await newVisit(server);
        const key = `sess:${storageKeyForId('visit', id)}`;
        await redis.client.pexpire(key, 5000);
        const before = await redis.client.hget(key, 'version');
        await countOf(server, id);
        const send = vi.spyOn(counted, 'sendCommand');
        expect(await countOf(server, id)).toBe(1);
        expect(send.mock.calls.map(([command]) => command.name)).toEqual(['evalsha']);
        expect(await redis.client.pttl(key)).toBeGreaterThan(590_000);
        expect(await redis.client.hget(key, 'version')).toBe(before);
      } finally {
        await server.close();
        counted.disconnect();
      }
    });

    it('#51 reads within touchAfter (the default, a tenth of the 600 s idle) of the last slide write nothing to Redis; the first read past it slides once', async () => {
      const server = await startWith(storage());
      /** Redis's count of writes since it started (its dirty counter): a PEXPIRE counts, a PTTL does not. */
      const writes = async () => Number(/rdb_changes_since_last_save:(\d+)/.exec(await redis.client.info('persistence'))![1]);
      try {
        const id = await newVisit(server);
        const key = `sess:${storageKeyForId('visit', id)}`;
        for (const seconds of [30, 29]) {
          await advanceRedisTime([redis.client], seconds * 1000);
          const before = await writes();
          expect(await countOf(server, id)).toBe(1);
          expect(await writes()).toBe(before);
        }
        expect(await redis.client.pttl(key)).toBeLessThan(541_000);
        await advanceRedisTime([redis.client], 2000);
        const before = await writes();
        expect(await countOf(server, id)).toBe(1);
        expect(await writes()).toBe(before + 1);
        expect(await redis.client.pttl(key)).toBeGreaterThan(599_000);
      } finally {
        await server.close();
      }
    });
  });

  describe('faults between the app and Redis, through a loopback proxy', () => {
    let proxy: FaultProxy;
    let storage: RedisStorage;
    let server: TestServer;
    beforeEach(async () => {
      proxy = await FaultProxy.start(redis.server.port);
      storage = new RedisStorage(`redis://${REDIS_HOST}:${proxy.port}`);
      await storage.ready();
      server = await startWith(storage, {
        routes: async (ctx, next, sessions) => {
          if (ctx.path !== '/fault/increment' && ctx.path !== '/fault/regenerate') return next();
          const count = sessions.get('visit')?.count ?? 0;
          // Redis goes away after the read, before the write.
          proxy.refuse();
          proxy.resetAll();
          sessions.set('visit', { count: count + 1 });
          if (ctx.path === '/fault/regenerate') sessions.regenerate('visit');
          ctx.body = { count: count + 1 };
        },
      });
    });
    afterEach(async () => {
      await server.close();
      await proxy.close();
      await storage.close();
    });

    /** Heals the network and waits until a request gets through again: no app restart. */
    async function recover(id: string, count: number | null): Promise<void> {
      proxy.passThrough();
      await vi.waitFor(async () => expect(await countOf(server, id)).toBe(count), { timeout: 10_000, interval: 50 });
    }

    it('#45 Redis refusing connections at request start: 503 at once, and recovery', async () => {
      const id = await newVisit(server, 5);
      proxy.refuse();
      proxy.resetAll();
      const warnings = server.warnings.length;
      await expectUnavailable(server, await visit(server, id), warnings, 'read', expect.stringMatching(FAILS_AT_ONCE));
      expect((await fetch(`${server.url}/plain`)).status).toBe(200);
      await recover(id, 5);
    });

    it('#46 Redis lost between read and write: 503, no Set-Cookie, nothing half-written, and recovery', async () => {
      const id = await newVisit(server, 5);
      const warnings = server.warnings.length;
      await expectUnavailable(server, await fetch(`${server.url}/fault/increment`, { method: 'POST', headers: { cookie: `vid=${id}` } }), warnings, 'write');
      await recover(id, 5);
    });

    it('#46 a regenerate lost between read and write hands out no new id and keeps the old one', async () => {
      const id = await newVisit(server, 5);
      const warnings = server.warnings.length;
      await expectUnavailable(server, await fetch(`${server.url}/fault/regenerate`, { method: 'POST', headers: { cookie: `vid=${id}` } }), warnings, 'write');
      await recover(id, 5);
    });

    it('#47 Redis answering five seconds late: 503 within the timeout, not a hang, and recovery', async () => {
      const id = await newVisit(server, 5);
      proxy.delay(5000);
      const warnings = server.warnings.length;
      // The reply comes five seconds late: only a timeout (the command's or the middleware's) can have answered.
      await expectUnavailable(server, await visit(server, id), warnings, 'read', expect.stringMatching(/timed out/));
      proxy.resetAll();
      await recover(id, 5);
    });

    // What the heap does meanwhile, bench/promises.ts measures: a heap asserted here would flake.
    it('#47 a burst of 3000 requests while Redis is silent: every one a 503, and recovery', async () => {
      // 100 sessions, one request each at a time: requests on one session would take turns instead of all reaching Redis.
      const ids: string[] = [];
      for (let index = 0; index < 100; index += 1) ids.push(await newVisit(server, 5));
      const id = ids[0]!;
      proxy.blackhole();
      const statuses: number[] = [];
      for (let sent = 0; sent < 3000; sent += 100) {
        statuses.push(...(await Promise.all(ids.map((each) => visit(server, each).then(async (r) => (await r.arrayBuffer(), r.status))))));
      }
      expect(new Set(statuses)).toEqual(new Set([503]));
      proxy.resetAll();
      await recover(id, 5);
    });
  });

  it('#48 Redis restarted: 503 while it is down, then requests succeed again without an app restart', async () => {
    let restarted = await startRedisServer();
    const storage = new RedisStorage(restarted.url);
    await storage.ready();
    const server = await startWith(storage);
    try {
      const id = await newVisit(server, 5);
      await restarted.stop();
      const warnings = server.warnings.length;
      await expectUnavailable(server, await visit(server, id), warnings, 'read', expect.stringMatching(FAILS_AT_ONCE));
      restarted = await startRedisServer({ port: restarted.port });
      // Nothing is persisted in the test server, so the session itself is gone: no session, not an error.
      await vi.waitFor(async () => expect(await countOf(server, id)).toBeNull(), { timeout: 10_000, interval: 50 });
      const fresh = await newVisit(server, 7);
      expect(await countOf(server, fresh)).toBe(7);
    } finally {
      await server.close();
      await storage.close();
      await restarted.stop();
    }
  });
});
