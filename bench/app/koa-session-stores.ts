/**
 * External stores for koa-session, each the minimal one its README describes: three async methods, `get`,
 * `set` with a maxAge in milliseconds, and `destroy`. The request benchmark's koa-session variants and the
 * cold-start app with Redis use them.
 */
import type { Redis } from 'ioredis';

/** koa-session's default lifetime, one day, which the bench spec's sessions share. */
export const ONE_DAY_MS = 86_400_000;

type Stored = Record<string, unknown>;

/** @example session({ store: redisStore(new Redis(url)), prefix: 'koa-sess:' }, app) */
export function redisStore(client: Redis) {
  return {
    async get(key: string): Promise<Stored | undefined> {
      const text = await client.get(key);
      return text === null ? undefined : (JSON.parse(text) as Stored);
    },
    async set(key: string, value: unknown, maxAge: number | 'session' | undefined): Promise<void> {
      await client.set(key, JSON.stringify(value), 'PX', typeof maxAge === 'number' ? maxAge : ONE_DAY_MS);
    },
    async destroy(key: string): Promise<void> {
      await client.del(key);
    },
  };
}

/** The simplest store: a Map, with no expiry and no bound (koa-session checks each session's own expiry). */
export function mapStore() {
  const sessions = new Map<string, Stored>();
  return {
    async get(key: string): Promise<Stored | undefined> {
      return sessions.get(key);
    },
    async set(key: string, value: Stored): Promise<void> {
      sessions.set(key, value);
    },
    async destroy(key: string): Promise<void> {
      sessions.delete(key);
    },
  };
}
