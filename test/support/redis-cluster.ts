import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, REDIS_HOST, redisCli, startRedisServer, type RedisServer } from './redis-server.js';

/**
 * A three-master Redis Cluster on loopback for tests: three `redis-server` processes in cluster mode,
 * joined with `redis-cli --cluster create`, ready once every node reports `cluster_state:ok`.
 */

export interface RedisCluster {
  /** Seed nodes for `new Cluster(nodes)`. */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  /** Stops every node. */
  stop(): Promise<void>;
}

const MASTERS = 3;
const STATE_OK_TIMEOUT_MS = 15_000;

/**
 * @example
 * const cluster = await startRedisCluster();
 * afterAll(() => cluster.stop());
 * const client = new Cluster([...cluster.nodes]);
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const started = await Promise.allSettled(Array.from({ length: MASTERS }, startClusterNode));
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const addresses = servers.map((server) => `${REDIS_HOST}:${server.port}`);
    await redisCli(servers[0]!.port, '--cluster', 'create', ...addresses, '--cluster-yes');
    await Promise.all(servers.map((server) => waitForStateOk(server.port)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: servers.map((server) => ({ host: REDIS_HOST, port: server.port })), stop };
}

async function startClusterNode(): Promise<RedisServer> {
  // The bus port is chosen too: the default (port + 10000) may be taken, or past 65535.
  const busPort = await freePort();
  return startRedisServer({
    args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort)],
  });
}

async function waitForStateOk(port: number): Promise<void> {
  const deadline = Date.now() + STATE_OK_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return;
    await sleep(50);
  }
  throw new Error(`cluster node ${REDIS_HOST}:${port} not in cluster_state:ok within ${STATE_OK_TIMEOUT_MS} ms`);
}
