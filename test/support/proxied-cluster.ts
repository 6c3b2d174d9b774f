import { Cluster, Redis } from 'ioredis';
import { vi } from 'vitest';
import { FaultProxy } from './fault-proxy.js';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { REDIS_HOST } from './redis-server.js';

/**
 * Test-only: a three-master Redis Cluster with a `FaultProxy` in front of each master, which the master
 * announces as its own address (`cluster-announce-port`), so the slot map and every MOVED redirect send a
 * client through the proxies. (ioredis's `natMap` would map the addresses too, but keeps a redirect's address
 * unmapped in its slot table, and then loses its way until it reads the slot map again.)
 */
export interface ProxiedCluster {
  readonly proxies: readonly FaultProxy[];
  /** A direct client per master, past the proxies, to look at what each one holds; in `proxies`' order. */
  readonly direct: readonly Redis[];
  /**
   * A cluster client through the proxies, configured to fail fast as docs/storage.md asks of a client passed
   * in, `retryDelayOnFailover: 0` included (or ioredis sends a command whose connection closed again).
   */
  connect(): Promise<Cluster>;
  /** The proxy in front of the master that holds `key`. */
  proxyHolding(key: string): Promise<FaultProxy>;
  /** Crashes the master behind `proxy` and restarts it in place (`RedisCluster.crashAndRestart`), still behind `proxy`. */
  crashAndRestart(proxy: FaultProxy): Promise<void>;
  /** Every proxy passes again; resolves once `client` reaches every master through them. */
  heal(client: Cluster): Promise<void>;
  stop(): Promise<void>;
}

/**
 * @example
 * const proxied = await startProxiedCluster();
 * const client = await proxied.connect();
 * (await proxied.proxyHolding('sess:idx:...')).cutAt('idx:', 'reply');
 */
export async function startProxiedCluster(): Promise<ProxiedCluster> {
  const cluster: RedisCluster = await startRedisCluster();
  const direct = cluster.nodes.map((node) => new Redis(node.port, node.host));
  const proxies = await Promise.all(cluster.nodes.map((node) => FaultProxy.start(node.port)));
  const announce = async (): Promise<void> => {
    await Promise.all(direct.map((node, at) => node.config('SET', 'cluster-announce-port', String(proxies[at]!.port))));
    const ports = proxies.map((proxy) => proxy.port);
    await vi.waitFor(
      async () => {
        for (const node of direct) {
          const announced = (await slotMap(node)).map(([, , [, port]]) => port);
          if (!announced.every((port) => ports.includes(port))) throw new Error(`a master still announces ${announced.join(', ')}`);
        }
      },
      { timeout: 10_000, interval: 50 },
    );
  };
  await announce();
  return {
    proxies,
    direct,
    async connect() {
      const client = new Cluster(
        proxies.map((proxy) => ({ host: REDIS_HOST, port: proxy.port })),
        { enableOfflineQueue: false, retryDelayOnFailover: 0, redisOptions: { maxRetriesPerRequest: 0, commandTimeout: 1000, autoResendUnfulfilledCommands: false } },
      );
      await new Promise((ready) => client.once('ready', ready));
      return client;
    },
    async proxyHolding(key) {
      const slot = Number(await direct[0]!.call('CLUSTER', 'KEYSLOT', key));
      const port = (await slotMap(direct[0]!)).find(([first, last]) => first <= slot && slot <= last)![2][1];
      return proxies.find((proxy) => proxy.port === port)!;
    },
    async crashAndRestart(proxy) {
      await cluster.crashAndRestart(cluster.nodes[proxies.indexOf(proxy)]!.port);
      // A restarted master announces its own port again until told otherwise.
      await announce();
    },
    async heal(client) {
      for (const proxy of proxies) proxy.passThrough();
      await vi.waitFor(
        async () => {
          // ioredis drops a master whose connection ended from its pool until it next reads the slot map.
          await new Promise<void>((done, failed) => client.refreshSlotsCache((error) => (error ? failed(error) : done())));
          const masters = client.nodes('master');
          if (masters.length < proxies.length) throw new Error(`${masters.length} masters in the client's pool`);
          await Promise.all(masters.map((node) => node.ping()));
        },
        { timeout: 10_000, interval: 50 },
      );
    },
    async stop() {
      await Promise.all(proxies.map((proxy) => proxy.close()));
      for (const client of direct) client.disconnect();
      await cluster.stop();
    },
  };
}

/** `CLUSTER SLOTS`: each slot range with its master's announced address first. */
async function slotMap(node: Redis): Promise<[number, number, [string, number]][]> {
  return (await node.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
}
