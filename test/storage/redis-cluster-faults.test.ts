/**
 * A real fault inside an indexed write on a Redis Cluster whose entries spread over the masters
 * (docs/storage.md, "Redis Cluster"): the write files the membership on the index's node, then writes the
 * entry on its own node (runtime/storage/redis-indexes.ts). A TCP proxy in front of each master, which the
 * master announces as its address (test/support/proxied-cluster.ts), cuts the network at one chosen command
 * of a sign-in over HTTP, or a master crashes and restarts from its last snapshot. Each case shows what the
 * request answers, what `list` hands out, and whether a later `revokeAll` reaches every session of the user
 * that exists; the last one is the case the layout cannot cover (docs/storage.md, "Faults between the two steps").
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from 'ioredis';
import Koa from 'koa';
import { generateKey } from 'typed-sessions';
import { createSessionsMiddleware, type Sessions } from 'typed-sessions/core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { indexKeyFor } from '../../runtime/ids.js';
import type { SessionAdmin } from '../../runtime/session-admin.js';
import { RedisStorage } from '../../runtime/storage/redis.js';
import { specOf } from '../runtime/fixtures.js';
import type { DefinitionData } from '../support/compiled-validator.js';
import { startProxiedCluster, type ProxiedCluster } from '../support/proxied-cluster.js';
import { describeRedis, REDIS_HOST } from '../support/redis-server.js';

interface Device {
  readonly userId: string;
  readonly device: string;
}

const PREFIX = 'sess:';

function deviceSession(maxPerUser?: number): DefinitionData {
  return {
    name: 'device',
    transport: { kind: 'cookie', name: 'device', cookie: { path: '/', httpOnly: true, secure: false, sameSite: 'lax', partitioned: false } },
    storage: 'redis',
    transforms: [],
    expiry: { maxAge: 86_400, idle: 3600, rolling: false },
    index: ['userId'],
    summary: [['device']],
    ...(maxPerUser === undefined ? {} : { maxPerUser }),
    schema: { type: 'object', properties: { userId: { type: 'string' }, device: { type: 'string' } }, required: ['userId', 'device'], additionalProperties: false },
  };
}

describeRedis('an indexed sign-in on a spread Redis Cluster, cut by a real fault', () => {
  let cluster: ProxiedCluster;
  beforeAll(async () => {
    cluster = await startProxiedCluster();
  });
  afterAll(() => cluster?.stop());

  let client: Cluster;
  let server: Server;
  let url: string;
  let admin: SessionAdmin;
  /** The storage faults the app reported, as `operation: error`. */
  let faults: string[];

  /** The app, its storage on `client` (through the proxies): built fresh for each test. */
  async function start(maxPerUser?: number): Promise<void> {
    faults = [];
    const sessions = createSessionsMiddleware(specOf([deviceSession(maxPerUser)], { redis: { kind: 'redis', url: { env: 'REDIS_URL' }, prefix: PREFIX } }), {
      keys: { main: generateKey() },
      storages: { redis: new RedisStorage(client, { prefix: PREFIX }) },
      env: {},
      storageTimeout: 1000,
      onEvent: (event) => {
        if (event.type === 'store_unavailable') faults.push(`${event.operation}: ${event.error}`);
      },
      logger: { warn: () => {} },
    });
    admin = (sessions.admin as { device: SessionAdmin }).device;
    const app = new Koa();
    app.silent = true;
    app.use(sessions);
    app.use((ctx) => {
      const s = ctx.sessions as unknown as Sessions<{ device: Device }, 'device'>;
      const query = ctx.query as Record<string, string>;
      if (ctx.path === '/login') s.set('device', { userId: query.user!, device: query.device! });
      else if (ctx.path === '/rename') s.update('device', (draft) => ({ ...draft, device: query.device! }));
      else return void (ctx.body = { device: s.get('device')?.device ?? null });
      ctx.status = 204;
    });
    server = createServer(app.callback()).listen(0, REDIS_HOST);
    await new Promise((done) => server.once('listening', done));
    url = `http://${REDIS_HOST}:${(server.address() as AddressInfo).port}`;
  }

  beforeEach(async () => {
    await Promise.all(cluster.direct.map((node) => node.flushall()));
    for (const proxy of cluster.proxies) proxy.passThrough();
    client = await cluster.connect();
  });
  afterEach(async () => {
    for (const proxy of cluster.proxies) proxy.resetAll();
    client.disconnect();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  /** The key of `user`'s index, as the storage names it. */
  const indexKeyOf = (user: string): string => `${PREFIX}idx:${indexKeyFor('device', user)}`;

  /** The masters' own view of `user`'s index: its members, dead ones included. */
  async function members(user: string): Promise<number> {
    const held = await Promise.all(cluster.direct.map((node) => node.hlen(indexKeyOf(user)).catch(() => 0)));
    return held.reduce((sum, count) => sum + count, 0);
  }

  const signIn = (user: string, device: string) => fetch(`${url}/login?user=${user}&device=${device}`);
  const cookieOf = (response: Response): string => response.headers.get('set-cookie')!.split(';')[0]!;
  const me = async (cookie: string) => ((await (await fetch(`${url}/`, { headers: { cookie } })).json()) as { device: string | null }).device;
  /** Every proxy passes again, and the client reaches every master (with no listing, which would repair the index). */
  const heal = () => cluster.heal(client);
  const listed = async (user: string) => (await admin.list(user)).map((entry) => entry.summary.device).sort();

  it.each([
    {
      cut: 'the index write lands and its reply is lost',
      arm: async () => ({ fired: (await cluster.proxyHolding(indexKeyOf('ada'))).cutAt(`idx:${indexKeyFor('device', 'ada')}`, 'reply') }),
    },
    {
      // Armed on every master: the entry's node is drawn from the session's random id.
      cut: 'the entry write is cut off after the index write landed',
      arm: async () => ({ fired: Promise.race(cluster.proxies.map((proxy) => proxy.cutAt('"device":"phone"', 'command'))) }),
    },
  ])('$cut: 503, the entry is never written, and the listing drops the membership that points at nothing', async ({ arm }) => {
    await start();
    const laptop = cookieOf(await signIn('ada', 'laptop'));
    const { fired } = await arm();
    const response = await signIn('ada', 'phone');
    await fired;
    expect(response.status).toBe(503);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(faults).toEqual(['write: Connection is closed.']);
    await heal();
    // The index write landed, the entry write did not: a membership with nothing behind it.
    expect(await members('ada')).toBe(2);
    expect(await listed('ada')).toEqual(['laptop']);
    // Repaired on read: the membership of the write that never happened is gone.
    expect(await members('ada')).toBe(1);
    expect(await admin.revokeAll('ada')).toBe(1);
    expect(await me(laptop)).toBeNull();
  });

  /**
   * Signs `device` in for fresh users until its entry lands on a master other than the user's index's, and
   * cuts the index's master right after that entry write lands: its reply is on its way to the client, and
   * every connection to the index's master drops. Resolves to the user and the response.
   */
  async function signInCuttingIndexAfterEntry(device: string, before?: string): Promise<{ user: string; response: Response; earlier?: string }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const user = `user${attempt}`;
      const earlier = before === undefined ? undefined : cookieOf(await signIn(user, before));
      const indexProxy = await cluster.proxyHolding(indexKeyOf(user));
      let fired = false;
      const marker = `"device":"${device}-${attempt}"`;
      for (const proxy of cluster.proxies.filter((candidate) => candidate !== indexProxy)) {
        void proxy.cutAt(marker, 'none', () => {
          fired = true;
          indexProxy.refuse();
          indexProxy.resetAll();
        });
      }
      const response = await signIn(user, `${device}-${attempt}`);
      if (fired) return { user, response, ...(earlier === undefined ? {} : { earlier }) };
    }
    throw new Error('20 sign-ins in a row put their entry on the master of their index');
  }

  it("the index's master is cut right after the entry write lands: nothing is lost, since the index was written first; the sign-in succeeds and revokeAll reaches it", async () => {
    await start();
    const { user, response } = await signInCuttingIndexAfterEntry('phone');
    expect(response.status).toBe(204);
    expect(faults).toEqual([]);
    const phone = cookieOf(response);
    await heal();
    expect(await listed(user)).toEqual([expect.stringMatching(/^phone-/)]);
    expect(await admin.revokeAll(user)).toBe(1);
    expect(await me(phone)).toBeNull();
  });

  it("with maxPerUser, the same cut fails the limit's step after the entry landed: 503, and the user holds one session over the limit, listed and revoked with the rest", async () => {
    await start(1);
    const { user, response, earlier } = await signInCuttingIndexAfterEntry('phone', 'laptop');
    expect(response.status).toBe(503);
    expect(response.headers.get('set-cookie')).toBeNull();
    // The limit's listing of the index, after the create.
    expect(faults).toEqual(['read: Connection is closed.']);
    await heal();
    // The new entry exists, filed, though no cookie holds it: the limit of 1 was not enforced.
    expect(await listed(user)).toEqual(['laptop', expect.stringMatching(/^phone-/)]);
    expect(await admin.revokeAll(user)).toBe(2);
    expect(await me(earlier!)).toBeNull();
  });

  it("the index's master crashes after acknowledging the index write and restarts from its last snapshot: the entry, written after, escapes list and revokeAll until its next write", async () => {
    await start();
    const indexProxy = await cluster.proxyHolding(indexKeyOf('ada'));
    const indexNode = cluster.direct[cluster.proxies.indexOf(indexProxy)]!;
    const laptop = cookieOf(await signIn('ada', 'laptop'));
    await indexNode.save();
    // A sign-in whose entry is on another master: that entry outlives the crash, its membership does not.
    let phone: string | undefined;
    for (let attempt = 0; phone === undefined; attempt++) {
      const cookie = cookieOf(await signIn('ada', `phone-${attempt}`));
      const handle = (await admin.list('ada')).find((entry) => entry.summary.device === `phone-${attempt}`)!.handle;
      if ((await cluster.proxyHolding(PREFIX + handle)) !== indexProxy) phone = cookie;
    }
    await cluster.crashAndRestart(indexProxy);
    await heal();
    expect(await listed('ada')).toEqual(['laptop']);
    expect(await admin.revokeAll('ada')).toBe(1);
    expect(await me(laptop)).toBeNull();
    // Escaped: still signed in after "log out everywhere".
    expect(await me(phone)).toMatch(/^phone-/);
    // Its next write files it again, and revokeAll reaches it.
    expect((await fetch(`${url}/rename?device=phone`, { headers: { cookie: phone } })).status).toBe(204);
    expect(await listed('ada')).toEqual(['phone']);
    expect(await admin.revokeAll('ada')).toBe(1);
    expect(await me(phone)).toBeNull();
  });
});
