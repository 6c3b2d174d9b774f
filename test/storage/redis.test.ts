import type fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionStorageError } from '../../runtime/errors.js';
import { generateSessionId, storageKeyForId } from '../../runtime/ids.js';
import { RedisStorage } from '../../runtime/storage/redis.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { describeRedis, FAILS_AT_ONCE, REDIS_HOST, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { advanceRedisTime } from '../support/redis-time.js';
import { storageContract } from './contract.js';
import { indexContract } from './index-contract.js';
import { lockContract } from './lock-contract.js';

/**
 * `client` with every command a storage sends held until `scheduler` releases it, so a race explores how
 * the steps of concurrent calls interleave on Redis.
 */
function scheduledClient<C extends Redis | Cluster>(client: C, scheduler: fc.Scheduler): C {
  const held = new Set<PropertyKey>(['evalsha', 'eval', 'hgetall', 'hmget', 'del']);
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (!held.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => scheduler.schedule(Promise.resolve(String(property))).then(() => value.apply(target, args));
    },
  });
}

/** Shorter than the production default (1000 ms), so fault cases stay fast. */
const COMMAND_TIMEOUT_MS = 500;

/** The message `run` rejects with: which failure it is tells how soon it came (`FAILS_AT_ONCE`); bench/promises.ts measures the milliseconds. */
async function failureOf(run: Promise<unknown>): Promise<string> {
  return run.then(
    () => expect.unreachable('it resolved'),
    (error: Error) => error.message,
  );
}

describeRedis('RedisStorage', () => {
  let server: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.port, REDIS_HOST);
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  describe('on one server', () => {
    storageContract(
      'RedisStorage',
      async () => {
        await client.flushall();
        return new RedisStorage(client);
      },
      { advanceClock: (ms) => advanceRedisTime([client], ms) },
    );

    lockContract(
      'RedisStorage',
      async () => {
        await client.flushall();
        return new RedisStorage(client);
      },
      { advanceClock: (ms) => advanceRedisTime([client], ms) },
    );

    indexContract(
      'RedisStorage',
      async () => {
        await client.flushall();
        return new RedisStorage(client);
      },
      { advanceClock: (ms) => advanceRedisTime([client], ms), scheduled: (scheduler) => new RedisStorage(scheduledClient(client, scheduler)) },
    );

    describe('keys and TTLs in Redis', () => {
      beforeEach(async () => {
        await client.flushall();
      });

      it('#52 gives every key a TTL equal to the one asked for, capped at the deadline, after every operation', async () => {
        const storage = new RedisStorage(client);
        const cases: [string, () => Promise<unknown>, number][] = [
          ['write', () => storage.write('k', 'value', 60), 60_000],
          ['overwrite with a shorter TTL', () => storage.write('k', 'value', 30), 30_000],
          ['a sliding read', () => storage.read('k', 90), 90_000],
          ['write with a deadline', () => storage.write('k', 'value', 60, { maxSeconds: 100 }), 60_000],
          ['a sliding read past the deadline', () => storage.read('k', 600), 100_000],
          ['a TTL longer than the deadline', () => storage.write('k', 'value', 600, { maxSeconds: 45 }), 45_000],
        ];
        for (const [step, run, ttlMs] of cases) {
          await run();
          const pttl = await client.pttl('sess:k');
          expect(pttl, step).toBeGreaterThan(ttlMs - 1000);
          expect(pttl, step).toBeLessThanOrEqual(ttlMs);
        }
      });

      it('a read that does not slide is one HMGET; one that slides, and each write, one script', async () => {
        const counted = new Redis(server.port, REDIS_HOST);
        try {
          const storage = new RedisStorage(counted);
          // Loads the scripts (EVAL after a NOSCRIPT), as the first calls after a restart do.
          await storage.write('k', 'value', 60);
          await storage.read('k', 60);
          const send = vi.spyOn(counted, 'sendCommand');
          const sent = () => send.mock.calls.map(([command]) => command.name);
          expect(await storage.read('k')).toMatchObject({ value: 'value' });
          expect(await storage.read('missing')).toBeUndefined();
          expect(sent()).toEqual(['hmget', 'hmget']);
          send.mockClear();
          expect(await storage.read('k', 60)).toMatchObject({ value: 'value' });
          expect(await storage.write('k', 'next', 60)).toBe(true);
          expect(sent()).toEqual(['evalsha', 'evalsha']);
        } finally {
          counted.disconnect();
        }
      });

      it('a write replaces the entry: a deadline an earlier write set goes when this one sets none, and a filed entry stays filed', async () => {
        const storage = new RedisStorage(client);
        await storage.writeIndexed('k', 'first', 60, { join: 'alice' }, { maxSeconds: 600 });
        expect(Object.keys(await client.hgetall('sess:k')).sort()).toEqual(['deadline', 'index', 'value', 'version']);
        const { version } = (await storage.read('k'))!;
        expect(await storage.write('k', 'second', 60, { ifVersion: version })).toBe(true);
        expect(Object.keys(await client.hgetall('sess:k')).sort()).toEqual(['index', 'value', 'version']);
        expect((await storage.listIndex('alice')).map((entry) => entry.value)).toEqual(['second']);
        // A fence a Cluster listing left on the entry (redis-index-scripts.ts) goes with the next write too.
        await client.hset('sess:k', 'fence:token', '1');
        expect(await storage.write('k', 'third', 60)).toBe(true);
        expect(Object.keys(await client.hgetall('sess:k')).sort()).toEqual(['index', 'value', 'version']);
      });

      it('files sessions under the prefix and the hashed key only, never the id', async () => {
        const storage = new RedisStorage(client);
        const ids = Array.from({ length: 3 }, generateSessionId);
        for (const id of ids) await storage.write(storageKeyForId('cart', id), `payload of ${id}`, 60);
        const keys = await client.keys('*');
        expect(keys.sort()).toEqual(ids.map((id) => `sess:${storageKeyForId('cart', id)}`).sort());
        for (const id of ids) {
          expect(keys.some((key) => key.includes(id))).toBe(false);
          expect(await client.hget(`sess:${storageKeyForId('cart', id)}`, 'value')).toBe(`payload of ${id}`);
        }
      });

      it('uses the prefix it is given, and keeps storages with different prefixes apart', async () => {
        const first = new RedisStorage(client, { prefix: 'app-a:sessions:' });
        const second = new RedisStorage(client, { prefix: 'app-b:' });
        await first.write('k', 'from a', 60);
        await second.write('k', 'from b', 60);
        expect((await client.keys('*')).sort()).toEqual(['app-a:sessions:k', 'app-b:k']);
        await second.invalidate('k');
        expect((await first.read('k'))?.value).toBe('from a');
      });

      it('refuses a TTL that is not a positive number, and stores nothing', async () => {
        const storage = new RedisStorage(client);
        await expect(storage.write('k', 'value', 0)).rejects.toThrow(RangeError);
        await expect(storage.read('k', -1)).rejects.toThrow(RangeError);
        expect(await client.keys('*')).toEqual([]);
      });

      it('1,000 indexes of 5 members each: a listing and a revocation are one command each, whatever the others hold', async () => {
        const counted = new Redis(server.port, REDIS_HOST);
        try {
          const storage = new RedisStorage(counted);
          const users = Array.from({ length: 1000 }, (_, user) => `user ${user}`);
          await Promise.all(
            users.flatMap((user) => Array.from({ length: 5 }, (_, i) => storage.writeIndexed(`${user} session ${i}`, 'v', 60, { join: user }, { ifAbsent: true, maxSeconds: 600 }))),
          );
          // Loads the scripts (EVAL after a NOSCRIPT), as the first calls after a restart do.
          await storage.listIndex('nobody');
          await storage.revokeIndex('nobody');
          const send = vi.spyOn(counted, 'sendCommand');
          expect(await storage.listIndex('user 500')).toHaveLength(5);
          expect(send.mock.calls.map(([command]) => command.name)).toEqual(['evalsha']);
          send.mockClear();
          expect(await storage.revokeIndex('user 500', ['user 500 session 0'])).toHaveLength(4);
          expect(send.mock.calls.map(([command]) => command.name)).toEqual(['evalsha']);
          expect(await client.dbsize()).toBe(1000 + 5000 - 4);
        } finally {
          counted.disconnect();
        }
      });

      it('leaves a client the app passed in open on close', async () => {
        await new RedisStorage(client).close();
        expect(await client.ping()).toBe('PONG');
      });
    });
  });

  describe('on a three-master cluster', () => {
    let cluster: RedisCluster;
    let clusterClient: Cluster;
    const masters = () => clusterClient.nodes('master');
    beforeAll(async () => {
      cluster = await startRedisCluster();
      clusterClient = new Cluster([...cluster.nodes]);
      await clusterClient.ping();
    });
    afterAll(async () => {
      await clusterClient?.quit();
      await cluster?.stop();
    });

    storageContract(
      'RedisStorage on a cluster',
      async () => {
        await Promise.all(masters().map((node) => node.flushall()));
        return new RedisStorage(clusterClient);
      },
      { advanceClock: (ms) => advanceRedisTime(masters(), ms) },
    );

    lockContract(
      'RedisStorage on a cluster',
      async () => {
        await Promise.all(masters().map((node) => node.flushall()));
        return new RedisStorage(clusterClient);
      },
      { advanceClock: (ms) => advanceRedisTime(masters(), ms) },
    );

    indexContract(
      'RedisStorage on a cluster',
      async () => {
        await Promise.all(masters().map((node) => node.flushall()));
        return new RedisStorage(clusterClient);
      },
      { advanceClock: (ms) => advanceRedisTime(masters(), ms), scheduled: (scheduler) => new RedisStorage(scheduledClient(clusterClient, scheduler)) },
    );

    indexContract(
      'RedisStorage on a cluster, every key in the slot of the prefix {app}',
      async () => {
        await Promise.all(masters().map((node) => node.flushall()));
        return new RedisStorage(clusterClient, { prefix: '{app}:sess:' });
      },
      {
        advanceClock: (ms) => advanceRedisTime(masters(), ms),
        scheduled: (scheduler) => new RedisStorage(scheduledClient(clusterClient, scheduler), { prefix: '{app}:sess:' }),
      },
    );

    it.each(['sess:', '{app}:sess:'])('keeps each session\'s lock on the master holding its entry (prefix %s): a session depends on one node', async (prefix) => {
      await Promise.all(masters().map((node) => node.flushall()));
      const storage = new RedisStorage(clusterClient, { prefix });
      for (let i = 0; i < 30; i++) {
        const key = storageKeyForId('cart', generateSessionId());
        await storage.write(key, 'value', 60);
        expect(await storage.lock(key, 'token', 10_000)).toBe(true);
      }
      let locks = 0;
      for (const node of masters()) {
        const keys = await node.keys('*');
        const entries = keys.filter((key) => !key.endsWith(':lock')).sort();
        // docs/storage.md: `{entry}:lock`, or `entry:lock` when the entry's key has a hash tag of its own.
        const lockedEntries = keys.filter((key) => key.endsWith(':lock')).map((key) => key.replace(/^\{(.*)\}:lock$|^(.*):lock$/, '$1$2')).sort();
        expect(lockedEntries).toEqual(entries);
        locks += lockedEntries.length;
      }
      expect(locks).toBe(30);
    });

    it('on entries spread over the slots, a listing is one command for the index, one per member on its own slot, and one more to drop the dead', async () => {
      await Promise.all(masters().map((node) => node.flushall()));
      const storage = new RedisStorage(clusterClient);
      const fileFive = async () => {
        for (let i = 0; i < 5; i++) await storage.writeIndexed(`session ${i}`, 'v', 60, { join: 'alice' }, { maxSeconds: 600 });
        await storage.invalidate('session 0');
      };
      // Once through, so every node involved has the scripts (EVAL after a NOSCRIPT), as after a restart.
      await fileFive();
      await storage.revokeIndex('alice');
      await storage.listIndex('alice');
      await Promise.all(masters().map((node) => node.flushall()));
      await fileFive();
      await storage.writeIndexed('session 0', 'v', 60, { join: 'alice' }, { maxSeconds: 600 });
      const sends = masters().map((node) => vi.spyOn(node, 'sendCommand'));
      const sent = () => sends.flatMap((send) => send.mock.calls.map(([command]) => command.name)).sort();
      expect(await storage.listIndex('alice')).toHaveLength(5);
      expect(sent()).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha', 'hgetall']);
      await storage.invalidate('session 0');
      for (const send of sends) send.mockClear();
      expect(await storage.revokeIndex('alice')).toHaveLength(4);
      expect(sent()).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha', 'hgetall']);
      for (const send of sends) send.mockRestore();
    });

    it('spreads sessions over every master', async () => {
      const storage = new RedisStorage(clusterClient);
      for (let i = 0; i < 100; i++) await storage.write(storageKeyForId('cart', generateSessionId()), 'value', 60);
      const counts = await Promise.all(masters().map((node) => node.dbsize()));
      expect(counts).toHaveLength(3);
      for (const count of counts) expect(count).toBeGreaterThan(0);
    });
  });

  describe('built from a URL, behind a fault-injecting proxy', () => {
    let proxy: FaultProxy;
    let storage: RedisStorage;
    beforeEach(async () => {
      proxy = await FaultProxy.start(server.port);
      storage = new RedisStorage(`redis://${REDIS_HOST}:${proxy.port}`, { commandTimeoutMs: COMMAND_TIMEOUT_MS, connectTimeoutMs: COMMAND_TIMEOUT_MS });
      await storage.ready();
      await client.flushall();
    });
    afterEach(async () => {
      // The proxy first: a QUIT stuck behind delayed replies would wait out the command timeout.
      await proxy.close();
      await storage.close();
    });

    /** Waits out the reconnection: until a command goes through again. */
    async function untilStorageWorks(): Promise<void> {
      await vi.waitFor(() => storage.read('probe'), { timeout: 5000, interval: 20 });
    }

    it('fails at the command timeout, not at the reply, when Redis answers five seconds late (#47)', async () => {
      proxy.delay(5000);
      expect(await failureOf(storage.read('k'))).toBe('Command timed out');
    });

    it('fails at the command timeout when the network drops everything (#47)', async () => {
      proxy.blackhole();
      expect(await failureOf(storage.write('k', 'value', 60))).toBe('Command timed out');
    });

    it('fails on the lost connection, without waiting for the timeout, when it drops and while Redis refuses connections, and recovers (#45, #48)', async () => {
      proxy.refuse();
      proxy.resetAll();
      expect(await failureOf(storage.read('k'))).toMatch(FAILS_AT_ONCE);
      expect(await failureOf(storage.read('k'))).toMatch(FAILS_AT_ONCE);
      proxy.passThrough();
      await untilStorageWorks();
      await storage.write('k', 'value', 60);
      expect((await storage.read('k'))?.value).toBe('value');
    });

    it('does not replay a write that failed once the connection comes back (#48)', async () => {
      proxy.blackhole();
      await expect(storage.write('k', 'written while down', 60)).rejects.toThrow('Command timed out');
      proxy.resetAll();
      proxy.passThrough();
      await untilStorageWorks();
      expect(await storage.read('k')).toBeUndefined();
    });

    it('rejects ready() with a SessionStorageError when Redis stays unreachable', async () => {
      proxy.refuse();
      proxy.resetAll();
      await expect(storage.read('k')).rejects.toThrow();
      await expect(storage.ready(300)).rejects.toThrow(SessionStorageError);
      await expect(storage.ready(300)).rejects.toThrow(/^storage "redis": not ready after 300 ms/);
    });

    it('closes the client it built', async () => {
      await storage.close();
      await expect(storage.read('k')).rejects.toThrow('Connection is closed');
    });
  });

  it('reconnects by itself after Redis restarts (#48)', async () => {
    let restarted = await startRedisServer();
    const storage = new RedisStorage(restarted.url, { commandTimeoutMs: COMMAND_TIMEOUT_MS });
    try {
      await storage.ready();
      await restarted.stop();
      expect(await failureOf(storage.read('k'))).toMatch(FAILS_AT_ONCE);
      restarted = await startRedisServer({ port: restarted.port });
      await vi.waitFor(() => storage.read('probe'), { timeout: 5000, interval: 20 });
      await storage.write('k', 'value', 60);
      expect((await storage.read('k'))?.value).toBe('value');
    } finally {
      await storage.close();
      await restarted.stop();
    }
  });
});

describe('which command a read that does not slide is', () => {
  /** A client that answers every command with a missing entry and records which one it was asked. */
  function recordingClient(extra: Record<string, unknown>): { client: ConstructorParameters<typeof RedisStorage>[0]; asked: string[] } {
    const asked: string[] = [];
    const client = {
      status: 'ready',
      evalsha: async () => (asked.push('evalsha'), null),
      eval: async () => (asked.push('eval'), null),
      hmget: async () => (asked.push('hmget'), [null, null]),
      del: async () => 0,
      hgetall: async () => ({}),
      quit: async () => 'OK',
      disconnect: () => undefined,
      on: () => undefined,
      off: () => undefined,
      ...extra,
    };
    return { client: client as ConstructorParameters<typeof RedisStorage>[0], asked };
  }

  it.each([
    ['a single server', 'hmget', {}],
    ['a Cluster reading from its masters (the default)', 'hmget', { isCluster: true, options: {} }],
    ['a Cluster reading from its masters, said so', 'hmget', { isCluster: true, options: { scaleReads: 'master' } }],
    ['a Cluster reading from replicas, which lag behind a logout', 'evalsha', { isCluster: true, options: { scaleReads: 'slave' } }],
    ['a Cluster reading from any node', 'evalsha', { isCluster: true, options: { scaleReads: 'all' } }],
    ['a client without hmget (an adapter written before it was needed)', 'evalsha', { hmget: undefined }],
  ])('on %s: a %s', async (_, command, extra) => {
    const { client, asked } = recordingClient(extra);
    expect(await new RedisStorage(client).read('k')).toBeUndefined();
    expect(asked).toEqual([command]);
  });
});
