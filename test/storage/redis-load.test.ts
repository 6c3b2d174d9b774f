/**
 * Load against a real Redis through HTTP: 1,000 concurrent clients, each with its own session, 10
 * increments each. Every counter must end at exactly 10 and every response be a 200: no lost write, no
 * error, no session mixed up with another.
 */
import { Agent, request } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisStorage } from '../../runtime/storage/redis.js';
import { Gates, raceRoutes } from '../runtime/races.js';
import { startServer, type TestServer } from '../runtime/server.js';
import { describeRedis, REDIS_HOST, startRedisServer, type RedisServer } from '../support/redis-server.js';

const CLIENTS = 1000;
const INCREMENTS = 10;

interface Answer {
  readonly status: number;
  readonly cookie: string | undefined;
  readonly body: string;
  readonly ms: number;
}

describeRedis('load: 1,000 clients x 10 increments against Redis over HTTP', () => {
  let redis: RedisServer;
  let client: Redis;
  let server: TestServer;
  // One socket per client: the clients really are concurrent, not queued behind a default pool.
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.port, REDIS_HOST);
    server = await startServer({
      routes: raceRoutes(new Gates()),
      install: { storages: { mem: new RedisStorage(client) }, storageTimeout: 5000, clock: Date.now },
    });
  });
  afterAll(async () => {
    agent.destroy();
    await server?.close();
    await client?.quit();
    await redis?.stop();
  });

  function send(method: string, path: string, cookie: string | undefined): Promise<Answer> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port: server.port, method, path, agent, headers: cookie ? { cookie } : {} }, (incoming) => {
        let body = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (body += chunk));
        incoming.on('end', () => {
          const cookie = incoming.headers['set-cookie']?.[0]?.split(';')[0];
          resolve({ status: incoming.statusCode ?? 0, cookie, body, ms: performance.now() - started });
        });
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  it('every counter ends at exactly 10, with no error', async () => {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    const counts = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        let cookie: string | undefined;
        for (let i = 0; i < INCREMENTS; i++) {
          const answer = await send('POST', '/race/increment', cookie);
          latencies.push(answer.ms);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          cookie ??= answer.cookie;
        }
        const final = await send('GET', '/s/visit', cookie);
        return (JSON.parse(final.body) as { value: { count: number } | null }).value?.count;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
    console.info(
      `load: ${CLIENTS} clients x ${INCREMENTS} increments = ${latencies.length} requests in ${seconds.toFixed(1)} s ` +
        `(${Math.round(latencies.length / seconds)} req/s), latency p50 ${percentile(50)} ms, p99 ${percentile(99)} ms, max ${percentile(100)} ms`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: CLIENTS * INCREMENTS });
    expect(counts.filter((count) => count !== INCREMENTS)).toEqual([]);
    expect(await client.dbsize()).toBe(CLIENTS);
    expect(server.warnings).toEqual([]);
  });
});
