import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, REDIS_HOST, redisCli, startRedisServer } from './redis-server.js';

/**
 * A three-master Redis Cluster on loopback for tests: three `redis-server` processes in cluster mode,
 * joined with `redis-cli --cluster create`, ready once every node reports `cluster_state:ok`.
 */

export interface RedisCluster {
  /** Seed nodes for `new Cluster(nodes)`. */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  /**
   * Kills the node on `port` (SIGKILL) and starts it again in place, from its folder: its cluster config, and
   * its data as its last explicit `SAVE` left it (nothing else is persisted), as a crash and restart would.
   * Resolves once every node reports `cluster_state:ok` again.
   */
  crashAndRestart(port: number): Promise<void>;
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
  // The bus port is chosen too: the default (port + 10000) may be taken, or past 65535.
  const args = await Promise.all(Array.from({ length: MASTERS }, async () => ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(await freePort())]));
  const started = await Promise.allSettled(args.map((nodeArgs) => startRedisServer({ args: nodeArgs })));
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const addresses = servers.map((server) => `${REDIS_HOST}:${server.port}`);
    await redisCli(servers[0]!.port, '--cluster', 'create', ...addresses, '--cluster-yes');
    await waitForStateOk(servers.map((server) => server.port));
  } catch (error) {
    await stop();
    throw error;
  }
  const crashAndRestart = async (port: number) => {
    const at = servers.findIndex((server) => server.port === port);
    const crashed = servers[at]!;
    await crashed.crash();
    servers[at] = await startRedisServer({ port, dir: crashed.dir, args: args[at]! });
    await waitForStateOk(servers.map((server) => server.port));
  };
  return { nodes: servers.map((server) => ({ host: REDIS_HOST, port: server.port })), crashAndRestart, stop };
}

/**
 * Waits until every node on `ports` reports `cluster_state:ok` and they all give the same slot map, so a
 * client that reads the map from any of them sends each command to its slot's owner at once (a client that
 * maps node addresses, ioredis's `natMap`, loses its way after a MOVED redirect).
 */
async function waitForStateOk(ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + STATE_OK_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const infos = await Promise.all(ports.map((port) => redisCli(port, 'CLUSTER', 'INFO')));
    const maps = await Promise.all(ports.map((port) => redisCli(port, 'CLUSTER', 'SLOTS')));
    if (infos.every((info) => info.includes('cluster_state:ok')) && maps.every((map) => map === maps[0])) return;
    await sleep(50);
  }
  throw new Error(`cluster nodes ${ports.map((port) => `${REDIS_HOST}:${port}`).join(', ')} not in cluster_state:ok with one slot map within ${STATE_OK_TIMEOUT_MS} ms`);
}
